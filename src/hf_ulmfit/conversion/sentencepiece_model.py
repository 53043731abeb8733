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
"""Read a SentencePiece `.model` file (a `sentencepiece_model.proto` ModelProto) without the protobuf packages.

Only the fields a tokenizer needs are read (field numbers from sentencepiece's `sentencepiece_model.proto`):

    ModelProto      1 pieces (repeated SentencePiece), 2 trainer_spec, 3 normalizer_spec
    SentencePiece   1 piece (string), 2 score (float), 3 type (1 NORMAL, 2 UNKNOWN, 3 CONTROL, 4 USER_DEFINED,
                    5 UNUSED, 6 BYTE)
    TrainerSpec     3 model_type (1 UNIGRAM, 2 BPE, 3 WORD, 4 CHAR), 35 byte_fallback
    NormalizerSpec  2 precompiled_charsmap, 3 add_dummy_prefix (default true),
                    4 remove_extra_whitespaces (default true)

Parsing is pure data decoding: nothing in the file can run code.
"""

import struct
from dataclasses import dataclass
from pathlib import Path

MODEL_TYPES = {1: "unigram", 2: "bpe", 3: "word", 4: "char"}
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6


@dataclass
class SentencePieceModel:
    pieces: list[str]
    scores: list[float]
    types: list[int]
    model_type: str = "unigram"
    byte_fallback: bool = False
    precompiled_charsmap: bytes = b""
    add_dummy_prefix: bool = True
    remove_extra_whitespaces: bool = True

    @property
    def unk_id(self) -> int | None:
        return next((i for i, t in enumerate(self.types) if t == UNKNOWN), None)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 64 bits")


def _fields(data: bytes):
    """Yield (field number, wire type, value) of one message; length-delimited values come as bytes."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > len(data):
            raise ValueError("truncated message")
        yield number, wire, value


def _piece(data: bytes) -> tuple[str, float, int]:
    piece, score, kind = None, 0.0, NORMAL
    for number, wire, value in _fields(data):
        if number == 1 and wire == 2:
            piece = value.decode("utf-8")
        elif number == 2 and wire == 5:
            score = struct.unpack("<f", value)[0]
        elif number == 3 and wire == 0:
            kind = value
    if piece is None:
        raise ValueError("a piece without text")
    return piece, score, kind


def parse_model(data: bytes) -> SentencePieceModel:
    """Decode the bytes of a `.model` file; ValueError when they are not a SentencePiece model."""
    model = SentencePieceModel(pieces=[], scores=[], types=[])
    for number, wire, value in _fields(data):
        if number == 1 and wire == 2:
            piece, score, kind = _piece(value)
            model.pieces.append(piece)
            model.scores.append(score)
            model.types.append(kind)
        elif number == 2 and wire == 2:
            for sub, sub_wire, sub_value in _fields(value):
                if sub == 3 and sub_wire == 0:
                    model.model_type = MODEL_TYPES.get(sub_value, f"unknown ({sub_value})")
                elif sub == 35 and sub_wire == 0:
                    model.byte_fallback = bool(sub_value)
        elif number == 3 and wire == 2:
            for sub, sub_wire, sub_value in _fields(value):
                if sub == 2 and sub_wire == 2:
                    model.precompiled_charsmap = bytes(sub_value)
                elif sub in (3, 4) and sub_wire == 0:
                    setattr(model, {3: "add_dummy_prefix", 4: "remove_extra_whitespaces"}[sub], bool(sub_value))
    if not model.pieces:
        raise ValueError("no pieces")
    return model


def read_model(path: str | Path) -> SentencePieceModel:
    """Read a SentencePiece `.model` file; one clear error naming the file when it is not one."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No SentencePiece model at {path}.")
    try:
        return parse_model(path.read_bytes())
    except (ValueError, UnicodeDecodeError, struct.error) as err:
        raise ValueError(f"{path} is not a SentencePiece .model file ({err}).") from err
