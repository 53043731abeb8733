"""Saved folders at work: ONNX export (`python -m hf_ulmfit.export`), batch inference and forward + backward
ensembles (`examples/serve.py`, `examples/ensemble.py`)."""

from .inference import ensemble_probabilities, predict_probabilities
from .onnx_export import export

__all__ = ["export", "predict_probabilities", "ensemble_probabilities"]
