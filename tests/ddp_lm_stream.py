"""Run under `torchrun --nproc_per_node 2` by test_trainer_ddp.py: LM fine-tuning with gradual unfreezing on the
token stream, each process writing whether its rows continue the global stream, and rank 0 the losses and weights."""

import json
import sys
from pathlib import Path

import torch
from ddp_common import lm_documents, tiny_lm

from hf_ulmfit.training.lm_stream import LMStreamDataset
from hf_ulmfit.training.trainer import ULMFiTTrainer
from hf_ulmfit.training.training_args import ULMFiTTrainingArguments

PER_DEVICE_BATCH_SIZE = 2


def make_trainer(output_dir: str, per_device_batch_size: int, **overrides) -> ULMFiTTrainer:
    args = ULMFiTTrainingArguments(
        output_dir=output_dir,
        per_device_train_batch_size=per_device_batch_size,
        unfreeze_stages=[2, 4],
        unfreeze_unit="step",
        lr_schedule="one_cycle",
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
        **overrides,
    )
    # Without dropout, a data-parallel run and a single process with the same global batch compute the same thing.
    return ULMFiTTrainer(model=tiny_lm(drop_mult=0.0), args=args, train_dataset=lm_documents(48))


def rows_continue_the_global_stream(trainer: ULMFiTTrainer) -> bool:
    rank, world = trainer.args.process_index, trainer.args.world_size
    loader = trainer.get_train_dataloader()
    loader.set_epoch(1)
    mine = torch.cat([batch["input_ids"] for batch in loader], dim=1)
    whole = LMStreamDataset(lm_documents(48)["input_ids"], PER_DEVICE_BATCH_SIZE * world, bptt=6, seed=0)
    whole.set_epoch(1)
    everything = torch.cat([whole[i]["input_ids"] for i in range(len(whole))], dim=1)
    return torch.equal(mine, everything[rank * PER_DEVICE_BATCH_SIZE : (rank + 1) * PER_DEVICE_BATCH_SIZE])


def main(out: Path) -> None:
    trainer = make_trainer(str(out / "run"), PER_DEVICE_BATCH_SIZE, ddp_backend="gloo")
    rank = trainer.args.process_index
    (out / f"continuity_{rank}.json").write_text(json.dumps(rows_continue_the_global_stream(trainer)))
    trainer.train()
    if rank == 0:
        losses = [log["loss"] for log in trainer.state.log_history if "loss" in log]
        (out / "losses.json").write_text(json.dumps({"world_size": trainer.args.world_size, "losses": losses}))
        torch.save(trainer.model.state_dict(), out / "weights.pt")
    # Leave together and tear gloo down explicitly: a rank that exits while the other still holds the group can
    # abort in gloo's destructor ("terminate called without an active exception", seen once in a clean-clone CI run).
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
