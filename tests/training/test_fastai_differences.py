"""The three documented differences from fastai's text learners (ULMFiTTrainingArguments' docstring and
docs/model.md, "Training: where we differ from fastai"): each is pinned here, so changing one changes the docs."""

import torch
import torch.nn.functional as F
from ddp_common import classifier_documents, tiny_classifier

from hf_ulmfit.training.trainer import ULMFiTTrainer
from hf_ulmfit.training.training_args import ULMFiTTrainingArguments


def _args(tmp_path, **overrides):
    values = dict(output_dir=str(tmp_path), per_device_train_batch_size=4, report_to="none", use_cpu=True,
                  disable_tqdm=True, save_strategy="no", seed=0)
    return ULMFiTTrainingArguments(**{**values, **overrides})


def test_the_docstring_names_each_difference():
    doc = ULMFiTTrainingArguments.__doc__
    assert "max_grad_norm" in doc and "AR/TAR" in doc and "freeze_to" in doc and "clears the optimizer state" in doc


def test_gradients_are_clipped_at_one_unless_turned_off(tmp_path):
    assert _args(tmp_path).max_grad_norm == 1.0
    assert _args(tmp_path, max_grad_norm=0.0).max_grad_norm == 0.0


def test_classifier_loss_has_no_ar_tar(tmp_path):
    model = tiny_classifier().train()
    assert model.config.ar_alpha > 0 and model.config.tar_beta > 0
    batch = {"input_ids": torch.randint(9, model.config.vocab_size, (3, 20)), "labels": torch.tensor([0, 1, 0])}
    out = model(**batch)
    assert torch.equal(out.loss, F.cross_entropy(out.logits.float(), batch["labels"]))


def test_adam_state_is_kept_when_a_stage_unfreezes_more_groups(tmp_path):
    args = _args(tmp_path, unfreeze_stages=[2, 3], unfreeze_unit="step", max_steps=5)
    trainer = ULMFiTTrainer(model=tiny_classifier(), args=args, train_dataset=classifier_documents())
    trainer.train()
    head = trainer.optimizer.param_groups[-1]["params"][0]  # trained in both stages
    lowest = trainer.optimizer.param_groups[0]["params"][0]  # unfrozen for the last stage only
    assert int(trainer.optimizer.state[head]["step"]) == 5  # fastai's freeze_to would have restarted it at 0
    assert int(trainer.optimizer.state[lowest]["step"]) == 3
