import json
import os

import pytest
import torch
from datasets import Dataset
from ddp_common import classifier_documents, lm_documents, lm_store, tiny_classifier, tiny_lm
from transformers import TrainerCallback

from hf_ulmfit import one_cycle_multiplier
from hf_ulmfit.training.callbacks import freeze_to
from hf_ulmfit.training.documents import document_lengths
from hf_ulmfit.training.lm_stream import LMStreamDataset
from hf_ulmfit.training.trainer import ULMFiTTrainer, discriminative_param_groups
from hf_ulmfit.training.training_args import ULMFiTTrainingArguments


def _args(tmp_path, **overrides):
    values = {
        "output_dir": str(tmp_path),
        "per_device_train_batch_size": 4,
        "per_device_eval_batch_size": 4,
        "report_to": "none",
        "use_cpu": True,
        "disable_tqdm": True,
        "save_strategy": "no",
        "logging_steps": 1,
        "seed": 0,
    }
    return ULMFiTTrainingArguments(**{**values, **overrides})


def _group_params(model):
    return [[p for m in group for p in m.parameters()] for group in model.layer_groups()]


@pytest.mark.parametrize(("make", "num_groups"), [(tiny_lm, 4), (tiny_classifier, 5)])
def test_param_groups_cover_all_parameters_with_discriminative_rates(make, num_groups):
    model = make()
    groups = discriminative_param_groups(model, 1e-2, 2.6, 0.01)
    assert {g["layer_group"] for g in groups} == set(range(num_groups))
    for g in groups:
        assert g["lr"] == pytest.approx(1e-2 / 2.6 ** (num_groups - 1 - g["layer_group"]))
    ids = [id(p) for g in groups for p in g["params"]]
    assert len(ids) == len(set(ids)) and set(ids) == {id(p) for p in model.parameters()}
    batchnorm = {id(p) for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d) for p in m.parameters()}
    assert batchnorm or num_groups == 4
    for name, param in model.named_parameters():
        group = next(g for g in groups if any(p is param for p in g["params"]))
        no_decay = "bias" in name.rsplit(".", 1)[-1] or id(param) in batchnorm
        assert group["weight_decay"] == (0.0 if no_decay else 0.01), name


def test_optimizer_is_fastai_adamw_over_all_parameters_even_frozen(tmp_path):
    model = tiny_classifier()
    freeze_to(model, 1)
    trainer = ULMFiTTrainer(model=model, args=_args(tmp_path), train_dataset=classifier_documents())
    optimizer = trainer.create_optimizer()
    assert isinstance(optimizer, torch.optim.AdamW)
    assert all(g["eps"] == 1e-5 and g["betas"] == (0.9, 0.99) for g in optimizer.param_groups)
    assert sum(len(g["params"]) for g in optimizer.param_groups) == len(list(model.parameters()))


class _Snapshots(TrainerCallback):
    def __init__(self):
        self.after_step = []

    def on_step_end(self, args, state, control, model=None, **kwargs):
        self.after_step.append([[p.detach().clone() for p in g] for g in _group_params(model)])


def test_gradual_unfreezing_leaves_frozen_groups_bit_identical(tmp_path):
    model = tiny_classifier()
    before = [[p.detach().clone() for p in g] for g in _group_params(model)]
    snapshots = _Snapshots()
    args = _args(tmp_path, unfreeze_stages=[1, 1, 1, 2], unfreeze_unit="step", weight_decay=0.1)
    trainer = ULMFiTTrainer(model=model, args=args, train_dataset=classifier_documents(), callbacks=[snapshots])
    trainer.train()
    states = [before, *snapshots.after_step]
    for step, trainable in enumerate([1, 2, 3, 5, 5]):
        for index, (old, new) in enumerate(zip(states[step], states[step + 1], strict=True)):
            same = all(torch.equal(a, b) for a, b in zip(old, new, strict=True))
            assert same == (index < 5 - trainable), (step, index)
    assert all(p.requires_grad for p in model.parameters())  # fully unfrozen at the end, as after fastai's unfreeze


def test_schedule_restarts_per_stage_with_stage_lr_factors(tmp_path):
    args = _args(tmp_path, unfreeze_stages=[2, 3], unfreeze_unit="step", unfreeze_lr_factors=[1.0, 0.5])
    trainer = ULMFiTTrainer(model=tiny_lm(), args=args, train_dataset=lm_documents())
    trainer.train()
    logged = [log["learning_rate"] for log in trainer.state.log_history if "learning_rate" in log]
    # STLR per stage (2 then 3 steps: cut = 1 each), the second stage at half the rate.
    expected = [1e-2 / 32, 1e-2, 0.5e-2 / 32, 0.5e-2, 0.5e-2 * (1 + (1 - 1 / 9) * 31) / 32]
    assert logged == pytest.approx(expected)
    groups = [log for log in trainer.state.log_history if "learning_rate_group_0" in log]
    for log in groups:
        rates = [log[f"learning_rate_group_{i}"] for i in range(4)]
        assert rates == pytest.approx([log["learning_rate"] / 2.6 ** (3 - i) for i in range(4)])


def test_ar_tar_in_the_loss_match_a_hand_computation(tmp_path):
    model = tiny_lm(drop_mult=0.0)  # without dropout the dropped output equals the raw output
    trainer = ULMFiTTrainer(model=model, args=_args(tmp_path), train_dataset=lm_documents())
    batch = next(iter(trainer.get_train_dataloader()))
    model.train()
    loss, outputs = trainer.compute_loss(model, batch, return_outputs=True)
    raw = model(input_ids=batch["input_ids"], output_hidden_states=True).hidden_states[-1]
    ar = 2.0 * raw.pow(2).mean()
    tar = 1.0 * (raw[:, 1:] - raw[:, :-1]).pow(2).mean()
    torch.testing.assert_close(outputs.ar_loss, ar)
    torch.testing.assert_close(outputs.tar_loss, tar)
    torch.testing.assert_close(loss, outputs.lm_loss + ar + tar)
    assert ar > 0 and tar > 0


def test_logged_loss_parts_add_up(tmp_path):
    trainer = ULMFiTTrainer(model=tiny_lm(), args=_args(tmp_path, max_steps=3), train_dataset=lm_documents())
    trainer.train()
    for log in [log for log in trainer.state.log_history if "lm_loss" in log]:
        assert log["loss"] == pytest.approx(log["lm_loss"] + log["ar_loss"] + log["tar_loss"], rel=1e-5)


def test_state_is_carried_across_batches_and_reset_for_evaluation(tmp_path):
    model = tiny_lm()
    docs = lm_documents()
    trainer = ULMFiTTrainer(model=model, args=_args(tmp_path), train_dataset=docs, eval_dataset=docs)
    model.eval()
    stream = LMStreamDataset(docs["input_ids"], batch_size=4, bptt=6, bos_token_id=2, shuffle=False)
    inputs = torch.cat([stream[i]["input_ids"] for i in range(len(stream))], dim=1)
    targets = torch.cat([stream[i]["shift_labels"] for i in range(len(stream))], dim=1)
    whole = model(input_ids=inputs).logits
    trainer._stream_state["eval"] = tuple(
        (torch.ones_like(h), torch.ones_like(c)) for h, c in model.ulmfit.zero_state(4)
    )
    for i, batch in enumerate(trainer.get_eval_dataloader()):
        loss, _, _ = trainer.prediction_step(model, batch, prediction_loss_only=True)
        chunk = slice(stream._bounds[i], stream._bounds[i + 1])
        expected = torch.nn.functional.cross_entropy(whole[:, chunk].flatten(0, 1), targets[:, chunk].flatten())
        torch.testing.assert_close(loss, expected, rtol=1e-5, atol=1e-6)
    metrics = trainer.evaluate()
    assert metrics["eval_perplexity"] == pytest.approx(torch.tensor(metrics["eval_loss"]).exp().item(), rel=1e-6)


def _losses(trainer):
    return {log["step"]: log["loss"] for log in trainer.state.log_history if "loss" in log}


def test_resume_mid_unfreezing_and_mid_stream_gives_the_same_losses(tmp_path):
    def run():
        args = _args(
            tmp_path,
            unfreeze_stages=[3, 5],
            unfreeze_unit="step",
            lr_schedule="one_cycle",
            save_strategy="steps",
            save_steps=2,
        )
        return ULMFiTTrainer(model=tiny_lm(), args=args, train_dataset=lm_documents())

    full = run()
    full.train()
    assert len(full.get_train_dataloader()) > 8  # every checkpoint lies mid-epoch, mid-stream
    # Checkpoint 2 is in the first stage (top group only); the resumed run crosses the unfreezing at step 3.
    resumed = run()
    resumed.train(resume_from_checkpoint=str(tmp_path / "checkpoint-2"))
    expected, got = _losses(full), _losses(resumed)
    assert sorted(got) == sorted(expected) == list(range(1, 9))  # steps 1-2 come from the checkpoint's history
    assert [got[step] for step in range(3, 9)] == pytest.approx([expected[step] for step in range(3, 9)], rel=1e-6)


@pytest.mark.parametrize("variable_bptt", [False, True])
def test_resume_mid_epoch_on_a_token_store_gives_the_losses_of_an_uninterrupted_run(tmp_path, variable_bptt):
    store = lm_store(tmp_path / "store")

    def run(batch_size=4):
        args = _args(tmp_path / "out", save_strategy="steps", save_steps=3, num_train_epochs=2,
                     variable_bptt=variable_bptt, per_device_train_batch_size=batch_size)
        return ULMFiTTrainer(model=tiny_lm(), args=args, train_dataset=store)

    full = run()
    full.train()
    steps_per_epoch = len(full.get_train_dataloader())
    expected = _losses(full)
    assert len(expected) == 2 * steps_per_epoch and steps_per_epoch % 3  # checkpoints fall mid-epoch, both epochs
    for checkpoint in (3, steps_per_epoch + 2 - (steps_per_epoch + 2) % 3):  # one in each epoch
        assert 0 < checkpoint % steps_per_epoch
        resumed = run()
        resumed.train(resume_from_checkpoint=str(tmp_path / "out" / f"checkpoint-{checkpoint}"))
        got = _losses(resumed)
        later = range(checkpoint + 1, 2 * steps_per_epoch + 1)
        assert [got[step] for step in later] == pytest.approx([expected[step] for step in later], rel=1e-6)
    # the carried state belongs to the checkpoint's rows: another batch size is refused, not silently wrong
    with pytest.raises(ValueError, match="continues a token stream of 4 rows"):
        run(batch_size=2).train(resume_from_checkpoint=str(tmp_path / "out" / "checkpoint-3"))


def test_dataloader_workers_read_a_token_store_as_the_main_process_does(tmp_path):
    store = lm_store(tmp_path / "store")

    def losses(workers):
        args = _args(tmp_path / f"out{workers}", max_steps=4, dataloader_num_workers=workers)
        trainer = ULMFiTTrainer(model=tiny_lm(), args=args, train_dataset=store)
        trainer.train()
        return _losses(trainer)

    assert losses(2) == pytest.approx(losses(0), rel=1e-6)


def test_variable_bptt_scales_the_learning_rate(tmp_path):
    args = _args(tmp_path, variable_bptt=True, max_steps=4, lr_schedule="one_cycle")
    trainer = ULMFiTTrainer(model=tiny_lm(), args=args, train_dataset=lm_documents())
    trainer.train()
    stream = trainer.get_train_dataloader().dataset
    stream.set_epoch(0)
    for log in [log for log in trainer.state.log_history if "learning_rate" in log]:
        step = log["step"] - 1
        scheduled = 1e-2 * one_cycle_multiplier(step, 4)
        assert log["learning_rate"] == pytest.approx(scheduled * float(stream[step]["stream_lr_scale"]))


def test_classifier_batches_are_length_grouped_and_padded_on_the_tokenizer_side(tmp_path):
    trainer = ULMFiTTrainer(model=tiny_classifier(), args=_args(tmp_path), train_dataset=classifier_documents(64))
    batches = list(trainer.get_train_dataloader())
    padding = sum(int((b["attention_mask"] == 0).sum()) for b in batches)
    real = sum(int(b["attention_mask"].sum()) for b in batches)
    assert padding < 0.1 * real
    assert (batches[0]["attention_mask"][:, 0] == 0).any()  # left padding (fastai's side) by default
    eval_batches = list(trainer.get_eval_dataloader(classifier_documents(16, seed=2)))
    widths = [b["input_ids"].shape[1] for b in eval_batches]
    assert widths == sorted(widths, reverse=True)


def test_document_lengths_come_from_arrow_through_shuffles_and_selections():
    docs = classifier_documents(20).shuffle(seed=1).select(range(3, 17))  # an index mapping over the Arrow table
    expected = [len(row["input_ids"]) for row in docs]
    assert len(set(expected)) > 1
    assert document_lengths(docs, "train") == expected
    assert document_lengths(list(docs), "train") == expected  # plain Python rows take the other path


def test_bf16_keeps_ar_tar_in_float32(tmp_path):
    trainer = ULMFiTTrainer(model=tiny_lm(), args=_args(tmp_path, bf16=True, max_steps=1), train_dataset=lm_documents())
    batch = next(iter(trainer.get_train_dataloader()))
    trainer.model.train()
    with trainer.compute_loss_context_manager(), trainer.accelerator.autocast():
        _, outputs = trainer.compute_loss(trainer.model, batch, return_outputs=True)
    assert outputs.logits.dtype == torch.bfloat16
    assert outputs.ar_loss.dtype == outputs.tar_loss.dtype == torch.float32
    trainer.train()
    assert torch.isfinite(torch.tensor(trainer.state.log_history[0]["loss"]))


def test_bad_input_fails_before_training(tmp_path):
    with pytest.raises(ValueError, match="lr_decay_factor must be > 0"):
        _args(tmp_path, lr_decay_factor=0)
    with pytest.raises(ValueError, match="5 stages but ULMFiTForCausalLM has only 4 layer groups"):
        ULMFiTTrainer(model=tiny_lm(), args=_args(tmp_path, unfreeze_stages=[1] * 5), train_dataset=lm_documents())
    with pytest.raises(ValueError, match="shorter than one batch"):
        ULMFiTTrainer(
            model=tiny_lm(), args=_args(tmp_path), train_dataset=Dataset.from_dict({"input_ids": [[2, 5, 6]]})
        )
    with pytest.raises(ValueError, match="no 'input_ids' column"):
        ULMFiTTrainer(
            model=tiny_lm(), args=_args(tmp_path), train_dataset=lm_documents().rename_column("input_ids", "ids")
        )
    with pytest.raises(ValueError, match="empty documents"):
        docs = classifier_documents(4).map(
            lambda x, i: {"input_ids": [] if i == 2 else x["input_ids"]}, with_indices=True
        )
        ULMFiTTrainer(model=tiny_classifier(), args=_args(tmp_path), train_dataset=docs)


def test_a_checkpoint_is_whole_or_absent_and_resume_never_picks_a_half_written_one(tmp_path, monkeypatch):
    """A checkpoint that fails mid-save (a full disk) leaves no checkpoint-N folder, a clear error naming it, and
    the earlier checkpoints as they were; a staging folder left by a killed run is not a checkpoint to resume."""
    from transformers.trainer_utils import get_last_checkpoint

    from hf_ulmfit.utils import SaveError

    def run():
        return ULMFiTTrainer(model=tiny_lm(), args=_args(tmp_path, save_strategy="steps", save_steps=2, max_steps=6),
                             train_dataset=lm_documents())  # fmt: skip

    save_rng = ULMFiTTrainer._save_rng_state

    def disk_full_at_step_4(self, output_dir):
        save_rng(self, output_dir)
        if self.state.global_step == 4:  # weights and optimizer written, the trainer state not yet
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 64 vs 0")

    monkeypatch.setattr(ULMFiTTrainer, "_save_rng_state", disk_full_at_step_4)
    with pytest.raises(SaveError, match=r"Could not write \S+checkpoint-4 \(RuntimeError: \[enforce fail.*MB free "
                                        r"there\): it is removed, the checkpoints before it are intact"):
        run().train()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-2"]
    assert {"trainer_state.json", "model.safetensors", "optimizer.pt"} <= {p.name for p in (tmp_path / "checkpoint-2").iterdir()}
    monkeypatch.undo()
    # a run killed while writing checkpoint-6 left its staging folder: resume takes checkpoint-2, and the next save of
    # step 6 replaces the leftover
    (tmp_path / ".checkpoint-6.partial" / "checkpoint-6").mkdir(parents=True)
    assert get_last_checkpoint(str(tmp_path)) == str(tmp_path / "checkpoint-2")
    resumed = run()
    resumed.train(resume_from_checkpoint=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-2", "checkpoint-4", "checkpoint-6"]
    assert resumed.checkpoints_written == {"checkpoint-4", "checkpoint-6"}
    state = json.loads((tmp_path / "checkpoint-6" / "trainer_state.json").read_text())
    assert state["global_step"] == 6


def test_best_checkpoint_and_rotation_name_the_renamed_folders(tmp_path):
    args = _args(tmp_path, save_strategy="steps", save_steps=2, eval_strategy="steps", eval_steps=2, max_steps=6,
                 save_total_limit=1, metric_for_best_model="loss", load_best_model_at_end=True)  # fmt: skip
    trainer = ULMFiTTrainer(model=tiny_lm(), args=args, train_dataset=lm_documents(), eval_dataset=lm_documents())
    trainer.train()
    best = trainer.state.best_model_checkpoint
    assert ".partial" not in best and os.path.isdir(best)
    assert not list(tmp_path.glob(".checkpoint-*"))
    assert {p.name for p in tmp_path.glob("checkpoint-*")} <= {"checkpoint-6", os.path.basename(best)}


def test_a_checkpoint_is_uploaded_from_its_final_folder(tmp_path, monkeypatch):
    """transformers uploads checkpoints in the background: from the renamed folder, never the staging one."""
    from concurrent.futures import Future

    uploads = []

    class FakeHub:
        def create_repo(self, repo_id, **kwargs):
            return type("Repo", (), {"repo_id": repo_id})()

        def upload_folder(self, folder_path, **kwargs):
            uploads.append(folder_path)
            done = Future()
            done.set_result(None)
            return done

    monkeypatch.setattr("transformers.trainer.hf_api", lambda: FakeHub())
    args = _args(tmp_path, save_strategy="steps", save_steps=2, max_steps=4, push_to_hub=True,
                 hub_model_id="me/tiny", hub_strategy="checkpoint")  # fmt: skip
    ULMFiTTrainer(model=tiny_lm(), args=args, train_dataset=lm_documents()).train()
    checkpoints = [path for path in uploads if path != str(tmp_path)]  # the others upload output_dir
    assert checkpoints == [str(tmp_path / "checkpoint-2"), str(tmp_path / "checkpoint-4")]
