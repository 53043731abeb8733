"""`ulmfit train-classifier` as a script (the same arguments; `--help` lists them): see `hf_ulmfit.commands.train_classifier`."""

from hf_ulmfit.cli import run_script
from hf_ulmfit.commands.train_classifier import main

if __name__ == "__main__":
    run_script(main)
