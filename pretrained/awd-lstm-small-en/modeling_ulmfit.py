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
"""AWD-LSTM (ULMFiT) models: encoder, causal LM head, sequence-classification head.

Numerically this follows fastai 2.8's `AWD_LSTM`, `LinearDecoder`, `SentenceEncoder` and
`PoolingLinearClassifier`. Like `configuration_ulmfit.py`, this file is copied into saved folders for
`trust_remote_code=True`, so it imports only torch, transformers and its sibling configuration file.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call
from torch.utils import _pytree as pytree
from transformers import GenerationMixin, PreTrainedModel
from transformers import initialization as init
from transformers.modeling_layers import GradientCheckpointingLayer
from transformers.utils import ModelOutput

from .configuration_ulmfit import ULMFiTConfig

# `from_pretrained` keyword arguments that address the Hub, not the configuration.
_HUB_KWARGS = ("cache_dir", "force_download", "local_files_only", "token", "revision", "subfolder", "proxies")
# Configuration fields a user may set when loading a classifier.
_CONFIG_OVERRIDES = (*ULMFiTConfig.__annotations__, "num_labels", "id2label", "label2id", "problem_type")


class LSTMState(tuple):
    """The recurrent state, which is also the cache of `generate()`: one `(h, c)` pair per LSTM layer, each of shape
    `(num_directions, batch_size, layer_output_size // num_directions)`, as fastai keeps `AWD_LSTM.hidden`.

    A tuple, so `for h, c in state` and `state[layer]` work and a plain tuple of pairs is accepted wherever a state
    is; the methods apply one operation to every tensor."""

    @classmethod
    def zeros(cls, rnns: nn.ModuleList, batch_size: int, like: torch.Tensor) -> "LSTMState":
        """The initial (all-zero) state of `rnns` for `batch_size` sequences, with the dtype and device of `like`."""
        return cls(
            (like.new_zeros(rnn.num_layers * (2 if rnn.bidirectional else 1), batch_size, rnn.hidden_size),) * 2
            for rnn in rnns
        )

    @property
    def batch_size(self) -> int:
        return self[0][0].shape[1] if self else 0

    def select(self, rows: torch.Tensor | slice) -> "LSTMState":
        """The state of the sequences `rows` (an index tensor or a slice of the batch)."""
        return LSTMState((h[:, rows], c[:, rows]) for h, c in self)

    def detach(self) -> "LSTMState":
        """The same values without their history (truncated back-propagation through time)."""
        return LSTMState((h.detach(), c.detach()) for h, c in self)

    def to(self, dtype: torch.dtype) -> "LSTMState":
        return LSTMState((h.to(dtype), c.to(dtype)) for h, c in self)


# `torch.export` and `torch.compile` see through the state like through a plain tuple (a saved folder's copy of this
# file defines its own class, registered once per module).
if LSTMState not in pytree.SUPPORTED_NODES:
    pytree.register_pytree_node(
        LSTMState,
        lambda state: (list(state), None),
        lambda pairs, _: LSTMState(pairs),
        serialized_type_name=f"{__name__}.LSTMState",
        flatten_with_keys_fn=lambda state: ([(pytree.SequenceKey(i), pair) for i, pair in enumerate(state)], None),
    )


def _checking() -> bool:
    """Whether value checks may run: they read tensors on the host, which tracing and `torch.export` cannot."""
    return not (torch.jit.is_tracing() or torch.compiler.is_compiling())


@dataclass
class ULMFiTModelOutput(ModelOutput):
    r"""
    last_hidden_state (`torch.FloatTensor` of shape `(batch_size, sequence_length, embedding_size)`):
        Raw output of the last LSTM layer (zero at padded positions).
    state ([`LSTMState`]):
        The LSTM state after the last real token of each row; pass it back as `state` to continue the sequences.
    hidden_states (`tuple(torch.FloatTensor)`, returned with `output_hidden_states=True`):
        The input of the first LSTM (embeddings after embedding and input dropout), then each layer's raw output.
    dropped_hidden_states (`tuple(torch.FloatTensor)`, returned with `output_hidden_states=True`):
        Each layer's output as fed onwards: after hidden dropout for all layers but the last, whose dropout
        (output dropout) belongs to the head.
    """

    last_hidden_state: torch.FloatTensor | None = None
    state: LSTMState | None = None
    hidden_states: tuple[torch.FloatTensor, ...] | None = None
    dropped_hidden_states: tuple[torch.FloatTensor, ...] | None = None


@dataclass
class ULMFiTCausalLMOutput(ModelOutput):
    r"""
    loss (`torch.FloatTensor` of shape `(1,)`, returned when `labels` or `shift_labels` are given):
        Cross-entropy, plus AR and TAR in training mode.
    logits (`torch.FloatTensor` of shape `(batch_size, sequence_length, vocab_size)`):
        Next-token scores.
    state ([`LSTMState`], returned when `use_cache`):
        The LSTM state after the last token; `generate()` carries it as its cache.
    lm_loss (`torch.FloatTensor`, returned with a loss):
        The cross-entropy part of `loss`.
    ar_loss (`torch.FloatTensor`, returned with a loss in training mode):
        `ar_alpha` times the mean square of the last layer's dropped output (computed in float32).
    tar_loss (`torch.FloatTensor`, returned with a loss in training mode):
        `tar_beta` times the mean square of the difference of consecutive raw outputs (computed in float32).
    hidden_states (`tuple(torch.FloatTensor)`, returned with `output_hidden_states=True`):
        As in [`ULMFiTModelOutput`].
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    state: LSTMState | None = None
    lm_loss: torch.FloatTensor | None = None
    ar_loss: torch.FloatTensor | None = None
    tar_loss: torch.FloatTensor | None = None
    hidden_states: tuple[torch.FloatTensor, ...] | None = None


@dataclass
class ULMFiTSequenceClassifierOutput(ModelOutput):
    r"""
    loss (`torch.FloatTensor` of shape `(1,)`, returned when `labels` are given):
        Classification (or regression) loss.
    logits (`torch.FloatTensor` of shape `(batch_size, num_labels)`):
        Classification (or regression, when `num_labels == 1`) scores before softmax.
    pooler_output (`torch.FloatTensor` of shape `(batch_size, 3 * embedding_size)`):
        The pooled document features `[output at the last real token, max, mean]`, the head's input.
    hidden_states (`tuple(torch.FloatTensor)`, returned with `output_hidden_states=True`):
        As in [`ULMFiTModelOutput`], over the whole document.
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    pooler_output: torch.FloatTensor | None = None
    hidden_states: tuple[torch.FloatTensor, ...] | None = None


# ---- The AWD-LSTM's dropouts. They hold no parameters (the state dict is fastai's, renamed); each reads its
# probability from the config at every call, so a changed `config.drop_mult` applies at once (the classifier head's
# own `classifier_dropouts` excepted). ----


def locked_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Variational dropout: one mask per sequence and feature, shared by all time steps of `x` (B, T, F)."""
    if not training or p == 0.0:
        return x
    mask = x.new_empty(x.shape[0], 1, x.shape[2]).bernoulli_(1 - p).div_(1 - p)
    return x * mask


class _ScaledDropout(nn.Module):
    """A dropout whose probability is the config field `name` times `config.drop_mult`."""

    def __init__(self, config: ULMFiTConfig, name: str):
        super().__init__()
        self.config, self.name = config, name

    @property
    def p(self) -> float:
        return getattr(self.config, self.name) * self.config.drop_mult

    def extra_repr(self) -> str:
        return f"p={self.p:g} ({self.name} × drop_mult)"


class EmbeddingDropout(_ScaledDropout):
    """fastai's `EmbeddingDropout`: drops whole word vectors, one keep/drop decision per vocabulary row per call."""

    def forward(self, embeddings: nn.Embedding, input_ids: torch.Tensor) -> torch.Tensor:
        weight, p = embeddings.weight, self.p
        x = F.embedding(input_ids, weight, embeddings.padding_idx)
        if self.training and p > 0:
            row_mask = weight.new_empty(weight.shape[0], 1).bernoulli_(1 - p).div_(1 - p)
            x = x * F.embedding(input_ids, row_mask)
        return x


class RNNDropout(_ScaledDropout):
    """fastai's `RNNDropout` (locked or variational dropout): one mask per sequence and feature, shared by all time
    steps of `x` (batch, time, features)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return locked_dropout(x, self.p, self.training)


class WeightDropout(_ScaledDropout):
    """fastai's `WeightDropout` (DropConnect on each LSTM's hidden-to-hidden matrices), without swapping parameters:
    `weight_drop(rnn)` is `rnn` as a function of (input, state) that uses one dropped matrix for this call, passed in
    with `functional_call`, so gradients reach the real parameter and the `nn.LSTM` is never modified."""

    def forward(self, rnn: nn.LSTM):
        p = self.p
        if not self.training or p == 0:
            return rnn
        dropped = {name: F.dropout(w, p, True) for name, w in rnn.named_parameters() if name.startswith("weight_hh")}

        def call(inp, state):
            return functional_call(rnn, dropped, (inp, state))

        return call


# ---- Input checks: shapes on the host, values in one device-to-host copy per call. ----


def _check_shapes(input_ids: torch.Tensor | None, attention_mask: torch.Tensor | None, shape: torch.Size) -> None:
    if input_ids is not None and input_ids.dim() != 2:
        raise ValueError(f"input_ids must have shape (batch_size, sequence_length), got {tuple(input_ids.shape)}.")
    if shape[1] == 0:
        raise ValueError("The input is empty: every sequence needs at least one token (xxbos at least).")
    if attention_mask is not None and attention_mask.shape != shape:
        raise ValueError(f"attention_mask has shape {tuple(attention_mask.shape)} but the input has {tuple(shape)}.")


def _check_values(input_ids: torch.Tensor | None, attention_mask: torch.Tensor | None, vocab_size: int) -> bool:
    """Raise a clear error for ids outside the vocabulary, a mask that is not 0/1 or a row without a real token;
    return whether the mask is all ones. One host sync; the details of an error are computed only then."""
    flags = []
    if input_ids is not None:
        flags.append(((input_ids < 0) | (input_ids >= vocab_size)).any())
    if attention_mask is not None:
        flags += [
            ((attention_mask != 0) & (attention_mask != 1)).any(),
            (attention_mask.sum(1) == 0).any(),
            attention_mask.bool().all(),
        ]
    if not flags:  # embeddings without a mask: nothing to check
        return True
    values = torch.stack(flags).tolist()
    if input_ids is not None and values.pop(0):
        bad = (input_ids < 0) | (input_ids >= vocab_size)
        raise ValueError(
            f"input_ids holds ids outside the vocabulary [0, {vocab_size}): "
            f"{sorted(set(input_ids[bad].tolist()))[:10]}. Was the text tokenized with this model's tokenizer?"
        )
    if attention_mask is None:
        return True
    not_binary, empty_rows, all_ones = values
    if not_binary:
        raise ValueError("attention_mask must hold only 0 (padding) and 1 (real token).")
    if empty_rows:
        rows = torch.nonzero(attention_mask.sum(1) == 0).flatten().tolist()
        raise ValueError(f"Rows {rows} of the batch have no real token (attention_mask all zero): empty sequences.")
    return all_ones


# ---- Padding: every row's real tokens moved to the front, in order, so padding never feeds the LSTM. A padded
# position anywhere (left, right, or a hole such as generate() leaves after a right-padded prompt) is skipped. ----


def _compact_index(mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The gather index that moves each row's real tokens to the front (in order), its inverse and the lengths.
    A scatter rather than a sort, so that ONNX and `torch.export` graphs can hold it."""
    real = mask.long()
    lengths = real.sum(1)
    back = real.cumsum(1) - 1  # where each real token goes; padding goes after the row's real tokens
    destination = torch.where(mask, back, lengths[:, None] + (1 - real).cumsum(1) - 1)
    positions = torch.arange(mask.shape[1], device=mask.device).expand_as(destination)
    to_front = torch.zeros_like(destination).scatter(1, destination, positions)
    return to_front, back.clamp(min=0), lengths


def _gather_time(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    return x.gather(1, index[:, :, None].expand(-1, -1, x.shape[2]))


def _restore_time(x: torch.Tensor, back: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Undo `_compact_index`'s move to the front; padded positions become zero."""
    return _gather_time(x, back) * mask[:, :, None].to(x.dtype)


def _segments(lengths: list[int]) -> list[tuple[int, int, int, int]]:
    """For lengths sorted in decreasing order: (start, end, rows running, rows still running after end) for each
    stretch of time during which the same rows run."""
    ends = sorted(set(lengths))
    running = [sum(n >= end for n in lengths) for end in ends]
    return list(zip([0, *ends[:-1]], ends, running, [*running[1:], 0], strict=True))


class PackedBatch:
    """A padded batch seen by the LSTMs: rows' real tokens at the front, longest row first. `pack` and `unpack`
    move a (batch, time, features) tensor in and out of that layout; every layer's input and output pass through
    them, so the tensors a caller gets back are the ones the next layer was computed from."""

    def __init__(self, mask: torch.Tensor):
        self.mask = mask
        self.to_front, self.back, lengths = _compact_index(mask)
        self.order = torch.argsort(lengths, descending=True, stable=True)
        self.unsort = torch.argsort(self.order)
        self.segments = _segments(lengths[self.order].tolist())

    def pack(self, x: torch.Tensor) -> torch.Tensor:
        return _gather_time(x, self.to_front)[self.order]

    def unpack(self, x: torch.Tensor) -> torch.Tensor:
        return _restore_time(x[self.unsort], self.back, self.mask)


def align_documents(input_ids: torch.Tensor, mask: torch.Tensor, pad_token_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's real tokens moved to position 0 (padding after them) and the row lengths, without host syncs."""
    to_front, _, lengths = _compact_index(mask)
    positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None]
    return input_ids.gather(1, to_front).masked_fill(positions >= lengths[:, None], pad_token_id), lengths


# The saved folder's own modules, by Auto class (the file names of this module and its configuration sibling).
REMOTE_AUTO_MAP = {
    "AutoConfig": "configuration_ulmfit.ULMFiTConfig",
    "AutoModel": "modeling_ulmfit.ULMFiTModel",
    "AutoModelForCausalLM": "modeling_ulmfit.ULMFiTForCausalLM",
    "AutoModelForSequenceClassification": "modeling_ulmfit.ULMFiTForSequenceClassification",
}


class ULMFiTPreTrainedModel(PreTrainedModel):
    config: ULMFiTConfig
    config_class = ULMFiTConfig
    base_model_prefix = "ulmfit"
    main_input_name = "input_ids"
    _is_stateful = True
    _no_split_modules = []
    supports_gradient_checkpointing = True
    # The LSTM reads data-dependent segments of a padded batch: no single static graph for torch.compile.
    _can_compile_fullgraph = False
    # A recurrence reads the sequence in order: it cannot be split across devices (context parallelism).
    _supports_context_parallel = False
    # Losses are per-batch means (AR/TAR cannot be summed per token): Trainer must scale for accumulation itself.
    accepts_loss_kwargs = False

    def save_pretrained(self, save_directory, *args, **kwargs):
        """`PreTrainedModel.save_pretrained`, with every Auto class a user may start from in the folder's
        `auto_map` (transformers writes only the saved class's own), so that an LM folder also loads as
        `AutoModel` or `AutoModelForSequenceClassification` with `trust_remote_code=True`."""
        self.config.auto_map = {**REMOTE_AUTO_MAP, **(getattr(self.config, "auto_map", None) or {})}
        return super().save_pretrained(save_directory, *args, **kwargs)

    @torch.no_grad()
    def _init_weights(self, module: nn.Module):
        """fastai's initialisation: uniform embeddings, torch's default LSTM init, zero decoder bias."""
        r = self.config.initializer_range
        if isinstance(module, nn.Embedding):
            init.uniform_(module.weight, -r, r)
        elif isinstance(module, nn.LSTM):
            bound = module.hidden_size**-0.5
            for param in module.parameters():
                init.uniform_(param, -bound, bound)
        elif isinstance(module, nn.BatchNorm1d):
            init.ones_(module.weight)
            init.constant_(module.bias, 1e-3)
            init.zeros_(module.running_mean)
            init.ones_(module.running_var)
            # from_pretrained allocates buffers it does not load uninitialised: this one would be saved as garbage
            module.num_batches_tracked.zero_()
        elif isinstance(module, nn.Linear):
            if module.out_features == self.config.vocab_size:  # the LM decoder (its weight is usually tied)
                init.uniform_(module.weight, -r, r)
            else:
                init.kaiming_uniform_(module.weight, a=5**0.5)
            if module.bias is not None:
                init.zeros_(module.bias)


class AWDLSTMStep(GradientCheckpointingLayer):
    """One layer of the stack as it runs: weight drop on its LSTM, then the LSTM over the rows still running. It is
    the unit that activation checkpointing recomputes in the backward pass (dropout masks included: the RNG state is
    replayed). It holds no parameters: the LSTM stays in `ULMFiTModel.rnns` under fastai's state-dict names and
    comes in as an argument."""

    def __init__(self, config: ULMFiTConfig):
        super().__init__()
        self.weight_dropout = WeightDropout(config, "weight_dropout")

    def forward(self, rnn: nn.LSTM, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor,
                segments: list[tuple[int, int, int, int]] | None = None, step_mask: torch.Tensor | None = None):
        """The layer on `x` from state `(h, c)`; returns the output and the new `h` and `c`. `segments` (rows
        sorted by decreasing length) says where rows end: one dense call per stretch of time in which the same rows
        are still running (dense oneDNN LSTM calls are several times faster than packed sequences on CPU).
        `step_mask` (batch, time) instead runs one step per position, the state moving only at real tokens: the
        exact graph for `torch.export`, which cannot read row lengths."""
        if torch.is_autocast_enabled(x.device.type):
            # Autocast casts the input and weights but not the state; oneDNN's LSTM refuses mixed precision.
            dtype = torch.get_autocast_dtype(x.device.type)
            x, h, c = x.to(dtype), h.to(dtype), c.to(dtype)
        call = self.weight_dropout(rnn)  # one dropped matrix for this forward, shared by all segments
        if step_mask is not None:
            outputs = []
            for t in range(x.shape[1]):
                out, (h_next, c_next) = call(x[:, t : t + 1], (h, c))
                real = step_mask[:, t]
                h, c = (torch.where(real[None, :, None], new, old) for new, old in ((h_next, h), (c_next, c)))
                outputs.append(out * real[:, None, None].to(out.dtype))
            return torch.cat(outputs, 1), h, c
        if segments is None:
            out, (h, c) = call(x, (h, c))
            return out, h, c
        outputs, finished = [], []
        for start, end, active, next_active in segments:
            out, (h, c) = call(x[:active, start:end], (h[:, :active].contiguous(), c[:, :active].contiguous()))
            outputs.append(F.pad(out, (0, 0, 0, 0, 0, x.shape[0] - active)))
            finished.append((h[:, next_active:], c[:, next_active:]))
        out = F.pad(torch.cat(outputs, 1), (0, 0, 0, x.shape[1] - segments[-1][1]))
        h, c = (torch.cat(parts[::-1], 1) for parts in zip(*finished, strict=True))
        return out, h, c


class ULMFiTModel(ULMFiTPreTrainedModel):
    """The AWD-LSTM encoder: embedding (with embedding dropout), locked input dropout, stacked single-layer LSTMs
    with weight drop on the hidden-to-hidden matrices, locked dropout between layers. The fifth dropout, on the
    last layer's output, belongs to the head."""

    def __init__(self, config: ULMFiTConfig):
        super().__init__(config)
        self.embeddings = nn.Embedding(config.vocab_size, config.embedding_size, padding_idx=config.pad_token_id)
        self.embed_dropout = EmbeddingDropout(config, "embed_dropout")
        self.input_dropout = RNNDropout(config, "input_dropout")
        directions = 2 if config.bidirectional else 1
        self.rnns = nn.ModuleList()
        for layer in range(config.num_hidden_layers):
            n_in = config.embedding_size if layer == 0 else config.hidden_size
            n_out = config.embedding_size if layer == config.num_hidden_layers - 1 else config.hidden_size
            self.rnns.append(
                nn.LSTM(n_in, n_out // directions, batch_first=True, bidirectional=config.bidirectional)
            )
        self.steps = nn.ModuleList(AWDLSTMStep(config) for _ in self.rnns)
        self.hidden_dropout = RNNDropout(config, "hidden_dropout")
        self.post_init()

    def get_input_embeddings(self):
        return self.embeddings

    def set_input_embeddings(self, value):
        self.embeddings = value

    def zero_state(self, batch_size: int) -> LSTMState:
        """The initial (all-zero) state for `batch_size` sequences."""
        return LSTMState.zeros(self.rnns, batch_size, self.embeddings.weight)

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Word vectors of `input_ids` after embedding dropout (no input checks)."""
        return self.embed_dropout(self.embeddings, input_ids)

    def run_layers(self, x: torch.Tensor, state: LSTMState, segments=None, packed: PackedBatch | None = None,
                   step_mask: torch.Tensor | None = None):
        """Input dropout, the LSTM stack and the dropouts between layers, on embeddings `x` (no input checks).
        Returns the raw outputs (input first), the outputs as fed onwards, and the new state. `segments` says where
        rows of an aligned, longest-first batch end; `packed` instead takes a padded batch in and out of that
        layout around each layer (and holds its segments), with `state` in the batch's own row order; `step_mask`
        reads a padded batch as it is, one step per position (`AWDLSTMStep`)."""
        x = self.input_dropout(x)
        if packed is not None:
            state, segments = state.select(packed.order), packed.segments
        raw_outputs, dropped_outputs, new_state = [x], [], []
        for layer, (rnn, step) in enumerate(zip(self.rnns, self.steps, strict=True)):
            x, h, c = step(rnn, packed.pack(x) if packed is not None else x, *state[layer], segments, step_mask)
            new_state.append((h, c))
            if packed is not None:
                x = packed.unpack(x)
            raw_outputs.append(x)
            if layer < len(self.rnns) - 1:
                x = self.hidden_dropout(x)
            dropped_outputs.append(x)
        new_state = LSTMState(new_state)
        return raw_outputs, dropped_outputs, new_state.select(packed.unsort) if packed is not None else new_state

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        state: LSTMState | None = None,
        inputs_embeds: torch.FloatTensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        check_inputs: bool = True,
        **kwargs,
    ) -> ULMFiTModelOutput | tuple:
        r"""
        input_ids (`torch.LongTensor` of shape `(batch_size, sequence_length)`):
            Token ids.
        attention_mask (`torch.Tensor` of shape `(batch_size, sequence_length)`, *optional*):
            1 for real tokens, 0 for padding, anywhere in the row (left, right, or holes). Padding never touches the
            state: the LSTMs read each row's real tokens in order, each row's returned state is the one after its
            last real token, and the outputs at padded positions are zero. With a `state`, the mask may also cover
            the tokens read before (transformers' convention for cached calls): its last `sequence_length` columns
            are used. A graph made by `torch.export` with a mask steps through the positions one at a time (it
            cannot read row lengths): exact, with the sequence length fixed when the graph is made.
        state ([`LSTMState`] or a tuple of `(h, c)` pairs, *optional*):
            The state to start from (as returned by a previous call); zeros when omitted.
        inputs_embeds (`torch.FloatTensor` of shape `(batch_size, sequence_length, embedding_size)`, *optional*):
            Embeddings to use instead of `input_ids` (embedding dropout is then skipped, as in fastai).
        check_inputs (`bool`, *optional*, defaults to `True`):
            Check the values of `input_ids` and `attention_mask` (shapes are always checked). `generate()` skips
            it for the tokens it produces itself.
        """
        output_hidden_states = (
            output_hidden_states if output_hidden_states is not None else self.config.output_hidden_states
        )
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("Pass exactly one of input_ids and inputs_embeds.")
        if inputs_embeds is not None and inputs_embeds.dim() != 3:
            raise ValueError(f"inputs_embeds must be (batch, length >= 1, features), got {tuple(inputs_embeds.shape)}.")
        shape = (input_ids if input_ids is not None else inputs_embeds).shape[:2]
        if state is not None and attention_mask is not None and attention_mask.dim() == 2:
            attention_mask = attention_mask[:, -shape[1] :]  # a cached call's mask also covers the past tokens
        _check_shapes(input_ids, attention_mask, shape)
        checking = _checking()
        all_real = attention_mask is None
        if checking and (check_inputs or attention_mask is not None):
            all_real = _check_values(input_ids if check_inputs else None, attention_mask, self.config.vocab_size)
        x = self.embed(input_ids) if input_ids is not None else inputs_embeds
        batch_size = x.shape[0]
        if state is None:
            state = self.zero_state(batch_size)
        elif checking and (len(state) != len(self.rnns) or state[0][0].shape[1] != batch_size):
            raise ValueError(
                f"state must hold one (h, c) pair per layer ({len(self.rnns)}) for batch size {batch_size}; got "
                f"{len(state)} pairs for batch size {state[0][0].shape[1] if len(state) else 'n/a'}."
            )
        # With padding, the LSTMs read each row's real tokens only, longest row first (see `AWDLSTMStep`); an
        # exported graph cannot read the lengths that takes, and steps through the positions instead.
        packed = PackedBatch(attention_mask.bool()) if checking and not all_real else None
        step_mask = attention_mask.bool() if not checking and not all_real else None
        raw_outputs, dropped_outputs, new_state = self.run_layers(x, LSTMState(state), packed=packed,
                                                                  step_mask=step_mask)
        output = ULMFiTModelOutput(
            last_hidden_state=raw_outputs[-1],
            state=new_state,
            hidden_states=tuple(raw_outputs) if output_hidden_states else None,
            dropped_hidden_states=tuple(dropped_outputs) if output_hidden_states else None,
        )
        return output if return_dict else output.to_tuple()


class ULMFiTForCausalLM(ULMFiTPreTrainedModel, GenerationMixin):
    """AWD-LSTM language model: encoder, locked output dropout, linear decoder tied to the embedding."""

    _tied_weights_keys = {"decoder.weight": "ulmfit.embeddings.weight"}

    def __init__(self, config: ULMFiTConfig):
        super().__init__(config)
        if config.bidirectional:
            raise ValueError("A bidirectional ULMFiT encoder sees the future; it cannot be a causal language model.")
        self.ulmfit = ULMFiTModel(config)
        self.output_dropout = RNNDropout(config, "output_dropout")
        self.decoder = nn.Linear(config.embedding_size, config.vocab_size, bias=config.output_bias)
        self.post_init()

    def get_output_embeddings(self):
        return self.decoder

    def set_output_embeddings(self, new_embeddings):
        self.decoder = new_embeddings

    def layer_groups(self) -> list[list[nn.Module]]:
        """fastai's LM split, bottom to top: one group per LSTM layer, then embedding + (tied) decoder on top."""
        return [[rnn] for rnn in self.ulmfit.rnns] + [[self.ulmfit.embeddings, self.decoder]]

    @classmethod
    def _supports_default_dynamic_cache(cls) -> bool:
        # The cache is the LSTM state (`state`), not a key/value cache.
        return False

    def _reorder_cache(self, state: LSTMState, beam_idx: torch.LongTensor) -> LSTMState:
        """Beam search: follow the surviving beams."""
        return LSTMState(state).select(beam_idx)

    def prepare_inputs_for_generation(self, input_ids, attention_mask=None, state=None, inputs_embeds=None,
                                      is_first_iteration=False, **kwargs):
        model_inputs = super().prepare_inputs_for_generation(
            input_ids, attention_mask=attention_mask, state=state, inputs_embeds=inputs_embeds,
            is_first_iteration=is_first_iteration, **kwargs
        )
        if state is not None and not is_first_iteration:
            # Only the tokens generate() just produced are fed: they are in the vocabulary and generate() extends
            # the mask with ones for them, so neither needs a check (no host sync per step).
            model_inputs.pop("attention_mask", None)
            model_inputs["check_inputs"] = False
        return model_inputs

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        state: LSTMState | None = None,
        inputs_embeds: torch.FloatTensor | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        logits_to_keep: int = 0,
        check_inputs: bool = True,
        **kwargs,
    ) -> ULMFiTCausalLMOutput | tuple:
        r"""
        labels (`torch.LongTensor` of shape `(batch_size, sequence_length)`, *optional*):
            transformers' causal-LM convention: `labels` are the input ids, shifted inside; -100 is ignored. For
            stream data (targets already shifted, every token a target once) pass `shift_labels` instead.
        use_cache (`bool`, *optional*):
            Return the final LSTM `state` (defaults to `config.use_cache`).
        logits_to_keep (`int`, *optional*):
            Compute logits for the last `logits_to_keep` positions only (0: all), as generation's prefill needs.
        check_inputs (`bool`, *optional*, defaults to `True`):
            As in [`ULMFiTModel.forward`].
        """
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        use_cache = use_cache if use_cache is not None else self.config.use_cache
        outputs = self.ulmfit(
            input_ids,
            attention_mask=attention_mask,
            state=state,
            inputs_embeds=inputs_embeds,
            output_hidden_states=output_hidden_states,
            return_dict=True,
            check_inputs=check_inputs,
        )
        raw = outputs.last_hidden_state
        dropped = self.output_dropout(raw)
        kept = dropped[:, -logits_to_keep:] if logits_to_keep else dropped
        logits = self.decoder(kept)

        loss = lm_loss = ar_loss = tar_loss = None
        shift_labels = kwargs.pop("shift_labels", None)
        if shift_labels is not None:
            shift_labels = shift_labels.contiguous()
        if labels is not None or shift_labels is not None:
            if logits_to_keep:
                raise ValueError("A loss needs the logits of every position: do not pass logits_to_keep with labels.")
            target = shift_labels if shift_labels is not None else labels
            if target.shape != logits.shape[:2]:
                raise ValueError(f"labels have shape {tuple(target.shape)}, expected {tuple(logits.shape[:2])}.")
            vocab = self.config.vocab_size
            if check_inputs and _checking() and ((target != -100) & ((target < 0) | (target >= vocab))).any():
                raise ValueError(f"labels must be token ids in [0, {vocab}) or -100.")
            lm_loss = self.loss_function(
                logits=logits, labels=labels, vocab_size=self.config.vocab_size, shift_labels=shift_labels, **kwargs
            )
            loss = lm_loss
            if self.training:
                # AR/TAR in float32 even under autocast: squares of activations overflow or lose precision in half.
                ar_loss = self.config.ar_alpha * dropped.float().pow(2).mean()
                tar_loss = self.config.tar_beta * (raw[:, 1:].float() - raw[:, :-1].float()).pow(2).mean()
                loss = lm_loss + ar_loss + tar_loss

        output = ULMFiTCausalLMOutput(
            loss=loss,
            logits=logits,
            state=outputs.state if use_cache else None,
            lm_loss=lm_loss,
            ar_loss=ar_loss,
            tar_loss=tar_loss,
            hidden_states=outputs.hidden_states,
        )
        return output if return_dict else output.to_tuple()


class PooledDropout(_ScaledDropout):
    """The AWD-LSTM's output dropout where a classifier head reads it: plain dropout on the pooled features."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout(x, self.p, self.training)


class ULMFiTClassificationHead(nn.Module):
    """fastai's `PoolingLinearClassifier` layers: blocks of BatchNorm1d, Dropout, Linear (no bias), ReLU between.
    The first block's dropout is the AWD-LSTM's output dropout (read from the config at every call, like the
    encoder's); the others are `config.classifier_dropouts`, fixed when the head is built."""

    def __init__(self, config: ULMFiTConfig):
        super().__init__()
        sizes = [3 * config.embedding_size, *config.classifier_hidden_sizes, config.num_labels]
        dropouts = [PooledDropout(config, "output_dropout"), *map(nn.Dropout, config.classifier_dropouts)]
        self.layers = nn.Sequential()
        for i, (n_in, n_out, dropout) in enumerate(zip(sizes[:-1], sizes[1:], dropouts, strict=True)):
            block = [nn.BatchNorm1d(n_in), dropout, nn.Linear(n_in, n_out, bias=False)]
            if i < len(sizes) - 2:
                block.append(nn.ReLU())
            self.layers.append(nn.Sequential(*block))

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.layers(pooled)


def pooling_start(lengths: torch.Tensor, bptt: int, max_len: int) -> torch.Tensor:
    """First pooled position of each document: fastai 2's `SentenceEncoder` keeps the outputs of the chunks
    starting at i (a multiple of `bptt`) with length - i <= max_len."""
    return torch.div(lengths - max_len + bptt - 1, bptt, rounding_mode="floor").clamp(min=0) * bptt


class ConcatPool:
    """Running masked concat pooling [last real token, max, mean] over chunks of one batch of documents aligned at
    position 0, longest first."""

    def __init__(self, lengths: torch.Tensor, bptt: int, max_len: int, features: int, like: torch.Tensor):
        batch_size = lengths.shape[0]
        self.lengths, self.keep_from = lengths, pooling_start(lengths, bptt, max_len)
        self.max = like.new_full((batch_size, features), float("-inf"))
        self.sum = like.new_zeros(batch_size, features)
        self.count = like.new_zeros(batch_size, 1)
        self.last = like.new_zeros(batch_size, features)

    def update(self, out: torch.Tensor, start: int) -> None:
        """Pool `out` (b, t, F), the outputs at positions `start`..`start + t` of the first b documents."""
        rows = out.shape[0]
        positions = torch.arange(start, start + out.shape[1], device=out.device)[None]
        lengths = self.lengths[:rows, None]
        keep = (positions >= self.keep_from[:rows, None]) & (positions < lengths)
        is_last = positions == lengths - 1
        keep3 = keep[:, :, None]
        update = {
            "max": torch.maximum(self.max[:rows], out.masked_fill(~keep3, float("-inf")).amax(1)),
            "sum": self.sum[:rows] + out.masked_fill(~keep3, 0.0).sum(1),
            "count": self.count[:rows] + keep.sum(1, keepdim=True),
            "last": self.last[:rows] + out.masked_fill(~is_last[:, :, None], 0.0).sum(1),
        }
        for name, head in update.items():
            setattr(self, name, torch.cat([head, getattr(self, name)[rows:]]))

    def result(self) -> torch.Tensor:
        return torch.cat([self.last, self.max, self.sum / self.count], dim=1)


def classifier_config(config: ULMFiTConfig, saved: ULMFiTConfig, overrides: dict) -> ULMFiTConfig:
    """The configuration a classifier loaded from a checkpoint with configuration `saved` gets: from a language
    model, a classifier's (`for_classifier`) with the caller's choices kept (`overrides`, and the fields where
    `config` differs from `saved`); from a classifier, `config` with `overrides` set."""
    if "ULMFiTForCausalLM" not in (saved.architectures or []):
        for key, value in overrides.items():
            setattr(config, key, value)
        return config
    saved_values = saved.to_dict()
    changed = {k: v for k, v in config.to_dict().items() if k in _CONFIG_OVERRIDES and v != saved_values.get(k)}
    return config.for_classifier(**{**changed, **overrides})


class ULMFiTForSequenceClassification(ULMFiTPreTrainedModel):
    """ULMFiT classifier: the encoder reads each document in chunks of `bptt` tokens with the state carried
    (BPT3C), the outputs of the chunks that start within the last `max_len` tokens are concat-pooled, then a small head.

    The result for a document never depends on its batch or padding side (fastai issue 3379 drops tokens of
    shorter documents in padded batches; here every row is aligned on its own first token)."""

    def __init__(self, config: ULMFiTConfig):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.ulmfit = ULMFiTModel(config)
        self.classifier = ULMFiTClassificationHead(config)
        self.post_init()

    def layer_groups(self) -> list[list[nn.Module]]:
        """fastai's classifier split, bottom to top: embedding, each LSTM layer, the head."""
        return [[self.ulmfit.embeddings]] + [[rnn] for rnn in self.ulmfit.rnns] + [[self.classifier]]

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *model_args, config=None, **kwargs):
        """Also loads a language-model checkpoint: the encoder weights are kept, the head is new, and the
        configuration becomes a classifier's (`ULMFiTConfig.for_classifier`: fastai's classifier dropouts and
        `drop_mult`), through this class and the Auto classes alike, with or without a `config`. What the caller
        chose is kept: configuration fields given here as keyword arguments, and fields of a passed `config` that
        differ from the checkpoint's own (the Auto classes pass one, holding their keyword arguments)."""
        hub_kwargs = {k: kwargs[k] for k in _HUB_KWARGS if k in kwargs}
        overrides = {k: kwargs.pop(k) for k in list(kwargs) if k in _CONFIG_OVERRIDES}
        if config is None or pretrained_model_name_or_path is not None:
            saved = cls.config_class.from_pretrained(pretrained_model_name_or_path, **hub_kwargs)
        else:  # weights from a state dict: the passed config is all there is
            saved = config
        config = classifier_config(config if config is not None else saved, saved, overrides)
        return super().from_pretrained(pretrained_model_name_or_path, *model_args, config=config, **kwargs)

    def _encode(self, input_ids: torch.Tensor, lengths: torch.Tensor, embeds: torch.Tensor | None = None
                ) -> torch.Tensor:
        """BPT3C over documents aligned at position 0; returns the pooled features (B, 3 * embedding_size).
        `embeds` (B, T, E), when given, replaces the embedding of `input_ids` (which then only carry the shape)."""
        config, bptt = self.config, self.config.bptt
        # Longest documents first: the rows still being read are then always a prefix of the batch, so finished
        # documents drop out at chunk boundaries and cost nothing more.
        order = torch.argsort(lengths, descending=True, stable=True)
        input_ids, lengths = input_ids[order], lengths[order]
        embeds = embeds[order] if embeds is not None else None
        encoder = self.ulmfit
        pool = ConcatPool(lengths, bptt, config.max_len, config.embedding_size, encoder.embeddings.weight)
        host_lengths, host_keep_from = torch.stack([lengths, pool.keep_from]).tolist()
        state = encoder.zero_state(len(host_lengths))
        for i in range(0, host_lengths[0], bptt):
            active = sum(n > i for n in host_lengths)
            state = state.select(slice(0, active))
            # Rows that end inside this chunk stop there (`AWDLSTMStep`'s segments): no LSTM work on padding.
            width = min(host_lengths[0] - i, bptt)
            ends = [min(n - i, width) for n in host_lengths[:active]]
            segments = _segments(ends) if ends[-1] < width else None
            chunk = input_ids[:active, i : i + width]
            # The ids were checked once in forward; each chunk goes straight to the layers (fresh dropout masks).
            x = encoder.embed(chunk) if embeds is None else embeds[:active, i : i + width]
            raw, _, state = encoder.run_layers(x, state, segments)
            if self.training:  # truncated BPTT: gradients stop at chunk boundaries, as in fastai
                state = state.detach()
            if any(k < i + width for k in host_keep_from[:active]):  # some row pools part of this chunk
                pool.update(raw[-1], i)
        return pool.result()[torch.argsort(order)]

    def _encode_layer_by_layer(self, input_ids: torch.Tensor, mask: torch.Tensor,
                               embeds: torch.Tensor | None = None) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """`_encode` for `output_hidden_states`, one layer at a time: each layer reads all its chunks (the same
        chunks, fresh dropout masks per chunk, truncated BPTT in training) before the next starts, and its output
        is put back in the input's own layout before the next layer and the pooling read it, so the hidden states
        returned are the tensors the output is computed from. Returns the pooled features and the hidden states."""
        encoder, config, bptt = self.ulmfit, self.config, self.config.bptt
        packed = PackedBatch(mask)  # rows aligned at position 0, longest first
        lengths = mask.sum(1)[packed.order]
        host_lengths = lengths.tolist()
        rows, width = input_ids.shape
        spans = [(i, min(host_lengths[0] - i, bptt), sum(n > i for n in host_lengths))
                 for i in range(0, host_lengths[0], bptt)]

        def by_chunk(function, x: torch.Tensor) -> torch.Tensor:
            """`function` on each chunk of the rows still running, put together (zeros elsewhere)."""
            pieces = [F.pad(function(x[:active, i : i + w]), (0, 0, 0, 0, 0, rows - active)) for i, w, active in spans]
            return F.pad(torch.cat(pieces, 1), (0, 0, 0, width - host_lengths[0]))

        if embeds is None:
            ids = input_ids.gather(1, packed.to_front)[packed.order]
            x = by_chunk(lambda chunk: encoder.input_dropout(encoder.embed(chunk[..., 0])), ids[..., None])
        else:
            x = by_chunk(encoder.input_dropout, packed.pack(embeds))
        hidden = [packed.unpack(x)]
        for layer, (rnn, step) in enumerate(zip(encoder.rnns, encoder.steps, strict=True)):
            x = packed.pack(hidden[-1])
            if layer:
                x = by_chunk(encoder.hidden_dropout, x)
            h, c = encoder.zero_state(rows)[layer]
            outputs = []
            for i, w, active in spans:
                ends = [min(n - i, w) for n in host_lengths[:active]]
                out, h, c = step(rnn, x[:active, i : i + w], h[:, :active], c[:, :active],
                                 _segments(ends) if ends[-1] < w else None)
                if self.training:  # truncated BPTT, as in `_encode`
                    h, c = h.detach(), c.detach()
                outputs.append(F.pad(out, (0, 0, 0, 0, 0, rows - active)))
            hidden.append(packed.unpack(F.pad(torch.cat(outputs, 1), (0, 0, 0, width - host_lengths[0]))))
        pool = ConcatPool(lengths, bptt, config.max_len, config.embedding_size, hidden[-1])
        pool.update(packed.pack(hidden[-1]), 0)
        return pool.result()[packed.unsort], hidden

    def _encode_in_one_pass(self, input_ids: torch.Tensor, lengths: torch.Tensor, embeds=None,
                            keep_hidden: bool = False) -> tuple[torch.Tensor, list[torch.Tensor] | None]:
        """`_encode` in eval mode (where the carried state makes chunks invisible), read in one pass without host
        syncs or data-dependent loops: the graph that ONNX export and `torch.export` trace. With `keep_hidden`, also
        each layer's outputs (aligned at position 0)."""
        encoder, config = self.ulmfit, self.config
        x = encoder.embed(input_ids) if embeds is None else embeds
        raw = encoder.run_layers(x, encoder.zero_state(input_ids.shape[0]))[0]
        pool = ConcatPool(lengths, config.bptt, config.max_len, config.embedding_size, raw[-1])
        pool.update(raw[-1], 0)
        return pool.result(), raw if keep_hidden else None

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        inputs_embeds: torch.FloatTensor | None = None,
        **kwargs,
    ) -> ULMFiTSequenceClassifierOutput | tuple:
        r"""
        input_ids (`torch.LongTensor` of shape `(batch_size, sequence_length)`):
            Token ids of whole documents (any length: they are read `bptt` tokens at a time).
        attention_mask (`torch.Tensor` of shape `(batch_size, sequence_length)`, *optional*):
            1 for real tokens, 0 for padding, anywhere in the row.
        labels (`torch.Tensor`, *optional*):
            Class indices of shape `(batch_size,)` (single-label), multi-hot floats of shape
            `(batch_size, num_labels)` (multi-label), or floats of shape `(batch_size,)`/`(batch_size, num_labels)`
            (regression), following `config.problem_type` as transformers defines it.
        output_hidden_states (`bool`, *optional*):
            Also return each layer's outputs over the whole document, as in [`ULMFiTModel`]. The encoder then reads
            one layer at a time (all its chunks, then the next layer), so that the returned tensors are the ones the
            output is computed from: the same model and results, with dropout masks drawn in another order.
        inputs_embeds (`torch.FloatTensor` of shape `(batch_size, sequence_length, embedding_size)`, *optional*):
            Word vectors to read instead of embedding `input_ids` (embedding dropout is then skipped), e.g. for
            gradients with respect to them; in eval mode the gradients cross the chunk boundaries.
        """
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        output_hidden_states = (
            output_hidden_states if output_hidden_states is not None else self.config.output_hidden_states
        )
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("ULMFiTForSequenceClassification needs exactly one of input_ids and inputs_embeds.")
        if inputs_embeds is not None:
            if inputs_embeds.dim() != 3:
                raise ValueError(f"inputs_embeds must be (batch, length, features), got {tuple(inputs_embeds.shape)}.")
            # Placeholder ids carry the shape through the same code path; the embeddings replace them.
            input_ids = inputs_embeds.new_full(inputs_embeds.shape[:2], self.config.pad_token_id, dtype=torch.long)
        if input_ids.dim() == 2 and input_ids.shape[0] == 0:
            raise ValueError("input_ids holds no documents (a batch of size 0): classify at least one text.")
        _check_shapes(input_ids, attention_mask, input_ids.shape[:2])
        checking = _checking()
        all_real = attention_mask is None
        if checking:  # a traced or exported graph cannot raise; the checks run when it is compared
            all_real = _check_values(input_ids, attention_mask, self.config.vocab_size)
        mask = None if all_real else attention_mask.bool()
        hidden = None
        if output_hidden_states and checking:
            full = torch.ones_like(input_ids, dtype=torch.bool) if mask is None else mask
            pooled, hidden = self._encode_layer_by_layer(input_ids, full, inputs_embeds)
        else:
            if mask is None:
                lengths = torch.full((input_ids.shape[0],), input_ids.shape[1], device=input_ids.device)
            else:
                if inputs_embeds is not None:
                    inputs_embeds = _gather_time(inputs_embeds, _compact_index(mask)[0])
                input_ids, lengths = align_documents(input_ids, mask, self.config.pad_token_id)
            if checking:
                pooled = self._encode(input_ids, lengths, inputs_embeds)
            else:  # export: one branch-free pass, equal in eval mode to reading the chunks
                pooled, hidden = self._encode_in_one_pass(input_ids, lengths, inputs_embeds, output_hidden_states)
                if hidden is not None and mask is not None:  # back to the positions of the input
                    hidden = [_restore_time(h, _compact_index(mask)[1], mask) for h in hidden]
        logits = self.classifier(pooled)

        loss = self._loss(logits, labels) if labels is not None else None
        output = ULMFiTSequenceClassifierOutput(
            loss=loss, logits=logits, pooler_output=pooled, hidden_states=tuple(hidden) if hidden else None
        )
        return output if return_dict else output.to_tuple()

    def _loss(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        config, batch_size = self.config, logits.shape[0]
        labels = labels.to(logits.device)
        if config.problem_type is None:
            if self.num_labels == 1:
                config.problem_type = "regression"
            elif labels.dtype in (torch.long, torch.int):
                config.problem_type = "single_label_classification"
            else:
                config.problem_type = "multi_label_classification"
        if config.problem_type == "single_label_classification":
            if labels.shape != (batch_size,) or labels.is_floating_point():
                raise ValueError(
                    f"single_label_classification needs integer labels of shape ({batch_size},), got "
                    f"{labels.dtype} of shape {tuple(labels.shape)}."
                )
            outside = (labels < 0) | (labels >= self.num_labels)
            if outside.any():
                raise ValueError(
                    f"labels must lie in [0, {self.num_labels}) for this {self.num_labels}-label model; got "
                    f"{sorted(set(labels[outside].tolist()))}."
                )
            return F.cross_entropy(logits.float(), labels)
        if config.problem_type == "multi_label_classification":
            if labels.shape != logits.shape:
                raise ValueError(
                    f"multi_label_classification needs labels of shape {tuple(logits.shape)} (one 0/1 column per "
                    f"label), got {tuple(labels.shape)}."
                )
            return F.binary_cross_entropy_with_logits(logits.float(), labels.float())
        if labels.numel() != logits.numel():
            raise ValueError(f"regression needs {logits.numel()} label values, got shape {tuple(labels.shape)}.")
        return F.mse_loss(logits.float(), labels.float().view_as(logits))


__all__ = [
    "LSTMState",
    "ULMFiTPreTrainedModel",
    "ULMFiTModel",
    "ULMFiTForCausalLM",
    "ULMFiTForSequenceClassification",
    "ULMFiTModelOutput",
    "ULMFiTCausalLMOutput",
    "ULMFiTSequenceClassifierOutput",
]
