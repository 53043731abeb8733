# Copyright 2026 The hf_ulmfit Authors. All rights reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""ULMFiT (AWD-LSTM): configuration, models and tokenizer.

`configuration_ulmfit.py`, `modeling_ulmfit.py` and `tokenization_ulmfit.py` are copied into every saved folder, so
they import only torch, transformers, tokenizers, huggingface_hub, the standard library and each other
(`tests/models/ulmfit/test_remote_code_imports.py` checks it). This `__init__.py` is not copied.
"""

from .configuration_ulmfit import ULMFiTConfig
from .modeling_ulmfit import (
    LSTMState,
    ULMFiTCausalLMOutput,
    ULMFiTForCausalLM,
    ULMFiTForSequenceClassification,
    ULMFiTModel,
    ULMFiTModelOutput,
    ULMFiTPreTrainedModel,
    ULMFiTSequenceClassifierOutput,
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
    "ULMFiTSequenceClassifierOutput",
    "LSTMState",
    "ULMFiTTokenizerFast",
]
