"""`python -m hf_ulmfit.export DIR ...`: the ONNX export's command line, kept at this name for scripts that call
it; the export lives in `hf_ulmfit.deploy.onnx_export`."""

from .deploy.onnx_export import export, load_saved_model, main

__all__ = ["export", "load_saved_model", "main"]

if __name__ == "__main__":
    main()
