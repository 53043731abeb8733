"""Run under `torchrun --nproc_per_node 2` by test_trainer_ddp.py: LM fine-tuning with gradual unfreezing on the
token stream, from in-memory documents and from a token store (checkpointed, then resumed from a checkpoint
mid-epoch); each process writes whether its rows continue the global stream, rank 0 the losses and weights."""

import json
import sys
from pathlib import Path

import torch
from ddp_common import lm_documents, lm_store, tiny_lm

from hf_ulmfit.training.lm_stream import LMStreamDataset
from hf_ulmfit.training.token_store import TokenStore
from hf_ulmfit.training.trainer import ULMFiTTrainer
from hf_ulmfit.training.training_args import ULMFiTTrainingArguments

PER_DEVICE_BATCH_SIZE = 2


def make_trainer(output_dir: str, per_device_batch_size: int, train_dataset=None, **overrides) -> ULMFiTTrainer:
    values = dict(
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
    )
    args = ULMFiTTrainingArguments(**{**values, **overrides})
    # Without dropout, a data-parallel run and a single process with the same global batch compute the same thing.
    train_dataset = lm_documents(48) if train_dataset is None else train_dataset
    return ULMFiTTrainer(model=tiny_lm(drop_mult=0.0), args=args, train_dataset=train_dataset)


def losses(trainer: ULMFiTTrainer) -> dict[int, float]:
    return {log["step"]: log["loss"] for log in trainer.state.log_history if "loss" in log}


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
    continuity = rows_continue_the_global_stream(trainer)
    trainer.train()
    if rank == 0:
        (out / "losses.json").write_text(json.dumps({"world_size": trainer.args.world_size,
                                                     "losses": list(losses(trainer).values())}))
        torch.save(trainer.model.state_dict(), out / "weights.pt")

    # The same run on a token store (each rank reads its rows from the memory map), checkpointed every 3 steps;
    # then a new run resumed from checkpoint 3, mid-epoch and mid-unfreezing.
    if rank == 0:
        lm_store(out / "store", 48)
    torch.distributed.barrier()
    store = TokenStore(out / "store")
    checkpointed = dict(ddp_backend="gloo", save_strategy="steps", save_steps=3)
    on_store = make_trainer(str(out / "store_run"), PER_DEVICE_BATCH_SIZE, store, **checkpointed)
    continuity = continuity and rows_continue_the_global_stream(on_store)
    on_store.train()
    resumed = make_trainer(str(out / "store_run"), PER_DEVICE_BATCH_SIZE, store, **checkpointed)
    resumed.train(resume_from_checkpoint=str(out / "store_run" / "checkpoint-3"))
    (out / f"continuity_{rank}.json").write_text(json.dumps(continuity))
    if rank == 0:
        (out / "store_losses.json").write_text(json.dumps({"full": losses(on_store), "resumed": losses(resumed)}))
    # Leave together and tear gloo down explicitly: a rank that exits while the other still holds the group can
    # abort in gloo's destructor ("terminate called without an active exception", seen once in a clean-clone CI run).
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
