"""ULMFiT (AWD-LSTM): configuration, models and tokenizer.

`configuration_ulmfit.py`, `modeling_ulmfit.py` and `tokenization_ulmfit.py` are copied into every saved folder, so
they import only torch, transformers, tokenizers, huggingface_hub, the standard library and each other
(`tests/models/test_remote_code_imports.py` checks it). This `__init__.py` is not copied.
"""

from .configuration_ulmfit import ULMFiTConfig
from .modeling_ulmfit import (
    ULMFiTCausalLMOutput,
    ULMFiTForCausalLM,
    ULMFiTForSequenceClassification,
    ULMFiTModel,
    ULMFiTModelOutput,
    ULMFiTPreTrainedModel,
)
from .tokenization_ulmfit import ULMFiTTokenizerFast

__all__ = [
    "ULMFiTConfig",
    "ULMFiTPreTrainedModel",
    "ULMFiTModel",
    "ULMFiTForCausalLM",
    "ULMFiTForSequenceClassification",
    "ULMFiTModelOutput",
    "ULMFiTCausalLMOutput",
    "ULMFiTTokenizerFast",
]
