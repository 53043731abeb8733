import pytest
import torch
from ddp_common import lm_documents, tiny_lm

from hf_ulmfit.training.callbacks import freeze_to
from hf_ulmfit.training.lr_finder import _steepest, _valley, find_lr
from hf_ulmfit.training.trainer import ULMFiTTrainer
from hf_ulmfit.training.training_args import ULMFiTTrainingArguments


def test_lr_finder_sweeps_suggests_plots_and_restores(tmp_path):
    model = tiny_lm()
    freeze_to(model, 2)
    args = ULMFiTTrainingArguments(
        output_dir=str(tmp_path), per_device_train_batch_size=4, report_to="none", use_cpu=True, disable_tqdm=True
    )
    trainer = ULMFiTTrainer(model=model, args=args, train_dataset=lm_documents())
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    flags = [p.requires_grad for p in model.parameters()]
    rng = torch.get_rng_state()

    result = find_lr(trainer, start_lr=1e-5, end_lr=10, num_steps=40, plot_path=str(tmp_path / "lr.png"))

    assert all(torch.equal(v, model.state_dict()[k]) for k, v in weights.items())
    assert [p.requires_grad for p in model.parameters()] == flags
    assert trainer.optimizer is None and trainer.lr_scheduler is None
    assert torch.equal(torch.get_rng_state(), rng)
    lrs = result.learning_rates
    assert lrs[0] == pytest.approx(1e-5) and all(b > a for a, b in zip(lrs, lrs[1:], strict=False))
    assert lrs[1] / lrs[0] == pytest.approx((10 / 1e-5) ** (1 / 39))
    # The suggestions are fastai's rules on the recorded curve without its first tenth and last five points, and
    # the loss fell by the suggested rate (a sweep that did not train would leave it flat or rising).
    lo, hi = len(lrs) // 10, len(lrs) - 5
    assert hi - lo >= 3, f"the sweep stopped after {len(lrs)} steps"
    trimmed = torch.tensor(lrs[lo:hi]), torch.tensor(result.losses[lo:hi])
    assert result.steepest == pytest.approx(_steepest(*trimmed))
    assert result.valley == pytest.approx(_valley(*trimmed))
    at_valley = min(range(len(lrs)), key=lambda i: abs(lrs[i] - result.valley))
    assert result.losses[at_valley] < result.losses[lo]
    assert (tmp_path / "lr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_suggestions_on_a_known_curve():
    lrs = torch.logspace(-6, 0, 13)
    # Flat, a fall that is steepest between points 6 and 7, a bottom at 9, then divergence.
    losses = torch.tensor([5.0, 5.0, 5.0, 4.9, 4.7, 4.4, 4.0, 3.0, 2.6, 2.5, 2.7, 3.5, 6.0])
    assert _steepest(lrs, losses) == pytest.approx(float(lrs[6]))
    # Longest decreasing run ends at point 9 with length 8, so max_start = 9 - 8 = 1; sections = 8 / 3;
    # the suggestion is point 1 + int(8 / 3) + int(4 / 3) = 4.
    assert _valley(lrs, losses) == pytest.approx(float(lrs[4]))
