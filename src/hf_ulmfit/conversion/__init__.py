"""fastai models into saved folders: the converter (`python -m hf_ulmfit.convert_fastai`), fastai vocabularies,
a pickle reader that runs no code, and a SentencePiece model reader."""

from .convert_fastai import convert

__all__ = ["convert"]
