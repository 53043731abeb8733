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
"""ULMFiT (AWD-LSTM) configuration.

This file is copied verbatim into every saved model folder so that the folder loads with
`trust_remote_code=True` in a process that never imports `hf_ulmfit`: it may only import
`transformers`, `huggingface_hub` and the standard library.
"""

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig

# fastai 2.8 `awd_lstm_lm_config` / `awd_lstm_clas_config` dropouts, before `drop_mult`.
LM_DROPOUTS = {
    "embed_dropout": 0.02,
    "input_dropout": 0.25,
    "weight_dropout": 0.2,
    "hidden_dropout": 0.15,
    "output_dropout": 0.1,
}
CLASSIFIER_DROPOUTS = {
    "embed_dropout": 0.05,
    "input_dropout": 0.4,
    "weight_dropout": 0.5,
    "hidden_dropout": 0.3,
    "output_dropout": 0.4,
}
# fastai's `text_classifier_learner(drop_mult=0.5)`: a classifier does not inherit its LM's multiplier.
CLASSIFIER_DROP_MULT = 0.5


@strict
class ULMFiTConfig(PreTrainedConfig):
    r"""
    Configuration of an AWD-LSTM (Merity et al. 2017) as used by ULMFiT (Howard & Ruder 2018). Defaults are
    fastai 2.8's `AWD_LSTM` with its language-model dropouts; [`ULMFiTConfig.for_classifier`] switches to
    fastai's classifier dropouts.

    vocab_size (`int`, *optional*, defaults to 60000):
        Number of tokens in the vocabulary (fastai's `max_vocab`; real vocabularies are usually smaller).
    embedding_size (`int`, *optional*, defaults to 400):
        Size of the word embeddings, and the output size of the last LSTM layer (so the LM head can tie).
    hidden_size (`int`, *optional*, defaults to 1152):
        Output size of every LSTM layer but the last (fastai's `n_hid`; the WikiText-103 v1 model uses 1150).
    num_hidden_layers (`int`, *optional*, defaults to 3):
        Number of stacked single-layer LSTMs.
    pad_token_id (`int`, *optional*, defaults to 1):
        Id of `xxpad`; its embedding row is kept at zero as in `nn.Embedding(padding_idx=...)`.
    bos_token_id (`int`, *optional*, defaults to 2):
        Id of `xxbos`, which starts every document.
    eos_token_id (`int`, *optional*, defaults to 3):
        Id of `xxeos`.
    embed_dropout (`float`, *optional*, defaults to 0.02):
        Embedding dropout: probability of dropping a whole word vector (one mask per forward), before `drop_mult`.
    input_dropout (`float`, *optional*, defaults to 0.25):
        Locked (variational) dropout on the embeddings fed to the first LSTM, before `drop_mult`.
    weight_dropout (`float`, *optional*, defaults to 0.2):
        DropConnect on each LSTM's hidden-to-hidden matrix (one mask per forward), before `drop_mult`.
    hidden_dropout (`float`, *optional*, defaults to 0.15):
        Locked dropout between LSTM layers, before `drop_mult`.
    output_dropout (`float`, *optional*, defaults to 0.1):
        Locked dropout before the LM decoder, or dropout before the first classifier block, before `drop_mult`.
    drop_mult (`float`, *optional*, defaults to 0.5):
        Multiplier applied to the five dropouts above (fastai's `drop_mult`), not to `classifier_dropouts`.
    tie_word_embeddings (`bool`, *optional*, defaults to `True`):
        Whether the LM decoder shares its weight with the embedding.
    output_bias (`bool`, *optional*, defaults to `True`):
        Whether the LM decoder has a bias.
    bidirectional (`bool`, *optional*, defaults to `False`):
        Bidirectional LSTMs (each direction gets half of every layer's output size). Such a model cannot be used
        as a causal LM.
    backwards (`bool`, *optional*, defaults to `False`):
        Whether the model reads text right to left (the backward model of a ULMFiT ensemble); tokenizers and
        pipelines reverse the token order for such models.
    bptt (`int`, *optional*, defaults to 72):
        Chunk length of back-propagation through time: the classifier reads documents in chunks of this many
        tokens with the state carried (BPT3C), and truncates gradients at chunk boundaries in training.
    max_len (`int`, *optional*, defaults to 1440):
        The classifier pools only over the outputs of the chunks that start within the last `max_len` tokens of a
        document (fastai 2's rule: chunk start i is kept when length - i <= max_len).
    classifier_hidden_sizes (`list[int]`, *optional*, defaults to `[50]`):
        Sizes of the hidden blocks of the classifier head (fastai's `lin_ftrs`).
    classifier_dropouts (`list[float]`, *optional*, defaults to `[0.1]`):
        Dropout before each hidden block's successor (fastai's `ps`); not scaled by `drop_mult`.
    ar_alpha (`float`, *optional*, defaults to 2.0):
        Activation regularization: `ar_alpha` times the mean square of the last layer's dropped output.
    tar_beta (`float`, *optional*, defaults to 1.0):
        Temporal activation regularization: `tar_beta` times the mean square of the difference of consecutive raw
        outputs of the last layer.
    initializer_range (`float`, *optional*, defaults to 0.1):
        Embedding (and untied decoder) weights are initialised uniformly in `[-initializer_range, initializer_range]`.
    use_cache (`bool`, *optional*, defaults to `True`):
        Whether the causal LM returns its final LSTM state, which `generate()` carries as its cache.

    Example:

    ```python
    >>> from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM
    >>> config = ULMFiTConfig(vocab_size=1000, embedding_size=64, hidden_size=96)
    >>> model = ULMFiTForCausalLM(config)
    ```"""

    model_type = "ulmfit"
    # Outputs `Trainer.predict` leaves out: the classifier's pooled features (its predictions are the logits).
    keys_to_ignore_at_inference = ["pooler_output"]

    vocab_size: int = 60000
    embedding_size: int = 400
    hidden_size: int = 1152
    num_hidden_layers: int = 3
    pad_token_id: int | None = 1
    bos_token_id: int | None = 2
    eos_token_id: int | list[int] | None = 3
    embed_dropout: float = LM_DROPOUTS["embed_dropout"]
    input_dropout: float = LM_DROPOUTS["input_dropout"]
    weight_dropout: float = LM_DROPOUTS["weight_dropout"]
    hidden_dropout: float = LM_DROPOUTS["hidden_dropout"]
    output_dropout: float = LM_DROPOUTS["output_dropout"]
    drop_mult: float = 0.5
    tie_word_embeddings: bool = True
    output_bias: bool = True
    bidirectional: bool = False
    backwards: bool = False
    bptt: int = 72
    max_len: int = 1440
    classifier_hidden_sizes: list[int] | None = None
    classifier_dropouts: list[float] | None = None
    ar_alpha: float = 2.0
    tar_beta: float = 1.0
    initializer_range: float = 0.1
    use_cache: bool = True

    def __post_init__(self, **kwargs):
        if self.classifier_hidden_sizes is None:
            self.classifier_hidden_sizes = [50]
        if self.classifier_dropouts is None:
            self.classifier_dropouts = [0.1] * len(self.classifier_hidden_sizes)
        super().__post_init__(**kwargs)

    def validate_architecture(self):
        """Part of `@strict` validation: sizes and probabilities that cannot build a model."""
        if self.max_len < self.bptt:
            raise ValueError(
                f"max_len ({self.max_len}) must be at least bptt ({self.bptt}): the classifier pools over the chunks "
                "that start within the last max_len tokens, and with max_len < bptt that can be none."
            )
        for name in ("vocab_size", "embedding_size", "hidden_size", "num_hidden_layers", "bptt", "max_len"):
            if getattr(self, name) < 1:
                raise ValueError(f"ULMFiTConfig.{name} must be a positive integer, got {getattr(self, name)}.")
        if self.bidirectional and (self.hidden_size % 2 or self.embedding_size % 2):
            raise ValueError(
                "A bidirectional ULMFiT model splits each layer's output between two directions, so hidden_size and "
                f"embedding_size must be even; got {self.hidden_size} and {self.embedding_size}."
            )
        for name, p in self.dropouts(scaled=True).items():
            if not 0.0 <= p < 1.0:
                raise ValueError(f"ULMFiTConfig.{name} * drop_mult must lie in [0, 1), got {p}.")
        if len(self.classifier_dropouts) != len(self.classifier_hidden_sizes):
            raise ValueError(
                f"classifier_dropouts ({self.classifier_dropouts}) needs one probability per entry of "
                f"classifier_hidden_sizes ({self.classifier_hidden_sizes})."
            )

    def dropouts(self, scaled: bool = True) -> dict[str, float]:
        """The five AWD-LSTM dropout probabilities, multiplied by `drop_mult` when `scaled`."""
        mult = self.drop_mult if scaled else 1.0
        return {name: getattr(self, name) * mult for name in LM_DROPOUTS}

    def for_classifier(self, **overrides) -> "ULMFiTConfig":
        """A copy with fastai's classifier dropouts (0.05/0.4/0.5/0.3/0.4, `drop_mult` 0.5), then `overrides`
        applied."""
        values = {**self.to_dict(), **CLASSIFIER_DROPOUTS, "drop_mult": CLASSIFIER_DROP_MULT, **overrides}
        stale = ["architectures", "model_type", "transformers_version"]
        if "num_labels" in overrides and "id2label" not in overrides:
            stale += ["id2label", "label2id"]
        for key in stale:
            values.pop(key, None)
        return type(self)(**values)


__all__ = ["ULMFiTConfig", "LM_DROPOUTS", "CLASSIFIER_DROPOUTS", "CLASSIFIER_DROP_MULT"]
