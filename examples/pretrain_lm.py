"""`ulmfit pretrain` as a script (the same arguments; `--help` lists them): see `hf_ulmfit.commands.pretrain_lm`."""

from hf_ulmfit.cli import run_script
from hf_ulmfit.commands.pretrain_lm import main

if __name__ == "__main__":
    run_script(main)
