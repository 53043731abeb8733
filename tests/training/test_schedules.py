import math

import pytest
import torch

from hf_ulmfit.training.schedules import ULMFiTScheduler, one_cycle_momentum, one_cycle_multiplier, stlr_multiplier


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (0, 1 / 32),  # p = 0
        (5, (1 + 0.5 * 31) / 32),  # cut = 10, p = 5 / 10
        (10, 1.0),  # the peak
        (55, (1 + 0.5 * 31) / 32),  # p = 1 - 45 / (10 * 9)
        (99, (1 + (1 / 90) * 31) / 32),  # p = 1 - 89 / 90
        (100, 1 / 32),
    ],
)
def test_stlr_matches_the_paper_formula(step, expected):
    assert stlr_multiplier(step, 100, cut_frac=0.1, ratio=32) == pytest.approx(expected, rel=1e-12)


def test_stlr_stays_at_its_floor_when_total_steps_times_cut_frac_is_not_whole():
    # T = 15: cut = 1, the formula reaches p = 0 at t = 10; afterwards the rate stays at 1 / ratio, never below.
    values = [stlr_multiplier(t, 15) for t in range(15)]
    assert values[1] == 1.0
    assert values[10:] == [1 / 32] * 5


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (0, 1 / 25),
        (25, 1.0),  # end of warm-up (pct_start 0.25)
        (50, 1 + (1 + math.cos(math.pi * 2 / 3)) * (1e-5 - 1) / 2),  # annealing position 1/3
        (100, 1e-5),
    ],
)
def test_one_cycle_learning_rate(step, expected):
    assert one_cycle_multiplier(step, 100) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("step", "expected"), [(0, 0.8), (25, 0.7), (50, 0.725), (100, 0.8)])
def test_one_cycle_momentum(step, expected):
    assert one_cycle_momentum(step, 100) == pytest.approx(expected, rel=1e-12)


def _optimizer():
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(3)]
    groups = [{"params": [p], "lr": 1.0 / 2.6 ** (2 - i)} for i, p in enumerate(params)]
    return torch.optim.AdamW(groups, betas=(0.9, 0.99))


def _run(scheduler, optimizer, steps):
    lrs, betas = [], []
    for _ in range(steps):
        lrs.append([g["lr"] for g in optimizer.param_groups])
        betas.append(optimizer.param_groups[0]["betas"][0])
        optimizer.step()
        scheduler.step()
    return torch.tensor(lrs, dtype=torch.float64), betas


def test_scheduler_keeps_group_ratios_and_sets_momentum():
    optimizer = _optimizer()
    scheduler = ULMFiTScheduler(optimizer, "one_cycle", total_steps=40)
    lrs, betas = _run(scheduler, optimizer, 40)
    torch.testing.assert_close(lrs[:, 2], torch.tensor([one_cycle_multiplier(t, 40) for t in range(40)]).double())
    torch.testing.assert_close(lrs[:, 1] * 2.6, lrs[:, 2])
    torch.testing.assert_close(lrs[:, 0] * 2.6**2, lrs[:, 2])
    assert betas[0] == pytest.approx(0.8) and betas[10] == pytest.approx(0.7)
    assert optimizer.param_groups[0]["betas"][1] == 0.99


def test_stlr_scheduler_leaves_momentum_and_restarts_per_stage():
    optimizer = _optimizer()
    scheduler = ULMFiTScheduler(
        optimizer, "stlr", total_steps=30, stage_starts=[0, 10], stage_lr_factors=[1.0, 0.5], moms=None
    )
    lrs, betas = _run(scheduler, optimizer, 30)
    top = lrs[:, 2].tolist()
    assert top[:10] == pytest.approx([stlr_multiplier(t, 10) for t in range(10)])
    assert top[10:] == pytest.approx([0.5 * stlr_multiplier(t, 20) for t in range(20)])
    assert set(betas) == {0.9}


def test_one_schedule_over_all_stages_when_not_restarting():
    optimizer = _optimizer()
    scheduler = ULMFiTScheduler(optimizer, "stlr", total_steps=30, stage_starts=[0, 10], restart_per_stage=False)
    lrs, _ = _run(scheduler, optimizer, 30)
    assert lrs[:, 2].tolist() == pytest.approx([stlr_multiplier(t, 30) for t in range(30)])


def test_scheduler_state_round_trips():
    optimizer = _optimizer()
    scheduler = ULMFiTScheduler(optimizer, "one_cycle", total_steps=20)
    _run(scheduler, optimizer, 7)
    other_optimizer = _optimizer()
    other = ULMFiTScheduler(other_optimizer, "one_cycle", total_steps=20)
    other.load_state_dict(scheduler.state_dict())
    other_optimizer.load_state_dict(optimizer.state_dict())
    assert _run(other, other_optimizer, 5)[0].tolist() == _run(scheduler, optimizer, 5)[0].tolist()
