"""hf_ulmfit: ULMFiT as Hugging Face transformers models."""

from .configuration_ulmfit import ULMFiTConfig

__all__ = ["ULMFiTConfig"]
