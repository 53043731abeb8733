"""Canaries for the private `Trainer` members ULMFiTTrainer overrides or reads: a transformers upgrade that moves
one fails here, naming it, rather than silently training without the recipe (pyproject.toml bounds transformers to
the tested range; widen it after these pass on the new version)."""

import inspect

import pytest
import transformers
from transformers import Trainer

from hf_ulmfit.training.trainer import ULMFiTTrainer

# method -> the parameters ULMFiTTrainer passes or receives (and what it relies on)
METHODS = {
    "_get_train_sampler": ["train_dataset"],  # overridden: sortish batches
    "_get_eval_sampler": ["eval_dataset"],  # overridden: length-sorted evaluation; called for test predictions
    "_get_dataloader": ["dataset", "description", "batch_size", "sampler_fn"],  # called: test dataloader
    "_save_rng_state": ["output_dir"],  # overridden: the LM stream's state goes into checkpoints
    "_load_rng_state": ["checkpoint"],  # overridden: ... and comes back on resume
    "_get_learning_rate": [],  # overridden: logs the last layer group's rate
    "_save": ["output_dir", "state_dict"],  # overridden: training_args.json beside the model
    "_prepare_inputs": ["inputs"],  # called: the LR finder's batches
    "set_initial_training_values": ["args", "dataloader"],  # overridden: steps per epoch for gradual unfreezing
    "compute_loss_context_manager": [],  # called: the LR finder's loss
}
# attributes Trainer sets and ULMFiTTrainer reads or sets
ATTRIBUTES = ["_train_batch_size", "_created_lr_scheduler"]


@pytest.mark.parametrize("name", sorted(METHODS))
def test_private_trainer_method_is_where_ulmfit_expects_it(name):
    method = getattr(Trainer, name, None)
    assert method is not None, f"transformers {transformers.__version__}: Trainer.{name} is gone"
    parameters = list(inspect.signature(method).parameters)[1:]
    missing = [p for p in METHODS[name] if p not in parameters]
    assert not missing, f"transformers {transformers.__version__}: Trainer.{name} lost {missing} ({parameters})"
    if name in ULMFiTTrainer.__dict__:  # an override keeps the parameters Trainer calls it with
        ours = list(inspect.signature(ULMFiTTrainer.__dict__[name]).parameters)[1:]
        assert ours[: len(parameters)] == parameters[: len(ours)], f"Trainer.{name}{parameters} vs ours {ours}"


@pytest.mark.parametrize("name", ATTRIBUTES)
def test_private_trainer_attribute_is_still_set(name):
    source = inspect.getsource(transformers.trainer)
    assert f"self.{name} =" in source, f"transformers {transformers.__version__}: Trainer no longer sets {name}"


def test_initial_training_values_give_steps_per_epoch_second():
    # ULMFiTTrainer reads values[1] as the number of update steps per epoch.
    source = inspect.getsource(Trainer.set_initial_training_values)
    returned = source[source.rindex("return") :].split(",")
    assert "num_update_steps_per_epoch" in returned[1], f"set_initial_training_values returns {returned}"
