"""hf_ulmfit: ULMFiT (AWD-LSTM transfer learning) as Hugging Face transformers models."""

from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSequenceClassification,
    AutoTokenizer,
)

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

# In-process Auto classes, and auto_map + copied source files in saved folders (for trust_remote_code).
AutoConfig.register(ULMFiTConfig.model_type, ULMFiTConfig, exist_ok=True)
AutoModel.register(ULMFiTConfig, ULMFiTModel, exist_ok=True)
AutoModelForCausalLM.register(ULMFiTConfig, ULMFiTForCausalLM, exist_ok=True)
AutoModelForSequenceClassification.register(ULMFiTConfig, ULMFiTForSequenceClassification, exist_ok=True)
ULMFiTConfig.register_for_auto_class()
ULMFiTModel.register_for_auto_class("AutoModel")
ULMFiTForCausalLM.register_for_auto_class("AutoModelForCausalLM")
ULMFiTForSequenceClassification.register_for_auto_class("AutoModelForSequenceClassification")
AutoTokenizer.register(ULMFiTConfig, fast_tokenizer_class=ULMFiTTokenizerFast, exist_ok=True)

__all__ = [
    "ULMFiTTokenizerFast",
    "ULMFiTConfig",
    "ULMFiTPreTrainedModel",
    "ULMFiTModel",
    "ULMFiTForCausalLM",
    "ULMFiTForSequenceClassification",
    "ULMFiTModelOutput",
    "ULMFiTCausalLMOutput",
]
