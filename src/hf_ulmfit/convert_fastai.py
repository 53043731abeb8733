"""`python -m hf_ulmfit.convert_fastai WEIGHTS --out DIR ...`: the fastai converter's command line, kept at this
name for scripts that call it; the converter lives in `hf_ulmfit.conversion.convert_fastai`."""

from .conversion.convert_fastai import convert, convert_state_dict, infer_config, main

__all__ = ["convert", "convert_state_dict", "infer_config", "main"]

if __name__ == "__main__":
    main()
