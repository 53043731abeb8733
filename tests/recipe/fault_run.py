"""A stage-1 run that kills itself: `python fault_run.py SIGNAL WHEN STEP -- PRETRAIN_LM_ARGS...`.

WHEN is `step` (the signal arrives at the end of optimizer step STEP) or `save` (in the middle of writing the
checkpoint of step STEP: after the weights and optimizer, before the trainer state). Run by test_faults.py as a
user's process would be killed (SIGTERM by a scheduler, SIGKILL by the OOM killer)."""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

from transformers import TrainerCallback  # noqa: E402

from hf_ulmfit.training.trainer import ULMFiTTrainer  # noqa: E402


def main() -> None:
    sig, when, step = getattr(signal, sys.argv[1]), sys.argv[2], int(sys.argv[3])
    argv = sys.argv[sys.argv.index("--") + 1 :]

    class KillAtStep(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == step:
                os.kill(os.getpid(), sig)

    if when == "step":
        init = ULMFiTTrainer.__init__

        def with_killer(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.add_callback(KillAtStep())

        ULMFiTTrainer.__init__ = with_killer
    else:
        save_rng = ULMFiTTrainer._save_rng_state

        def killed_mid_save(self, output_dir):
            save_rng(self, output_dir)
            if self.state.global_step == step:
                os.kill(os.getpid(), sig)

        ULMFiTTrainer._save_rng_state = killed_mid_save
    from hf_ulmfit.commands.pretrain_lm import main as pretrain_main

    pretrain_main(argv)


if __name__ == "__main__":
    main()
