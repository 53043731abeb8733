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
"""The FastAPI application: `POST /predict`, `GET /health`, `GET /metadata` (and FastAPI's `/openapi.json` and
`/docs`). Every error is one JSON object `{"error": message}` with its status; the server stays up."""

import asyncio
import json
import os
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException

from ..scoring import (
    DEFAULT_MAX_BATCH_TOKENS,
    DEFAULT_THRESHOLD,
    TextTooLong,
    classify_ids,
    encode,
    labels_of,
    nonblank,
    place,
    problem_type,
    results,
)
from ..utils import file_sha256, load_classifier
from .backends import agreement, build_forward, probe_texts
from .batcher import MicroBatcher

SETTINGS_VARIABLE = "HF_ULMFIT_SERVE_SETTINGS"  # how `--workers` hands the settings to each worker process


@dataclass
class ServeSettings:
    folder: str
    backend: str = "fp32"
    max_texts: int = 64  # per request; more is 413
    max_wait_ms: float = 5.0  # the longest a text waits for others to join its batch
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS
    max_batch_size: int = 64
    threshold: float = DEFAULT_THRESHOLD
    max_body_bytes: int = 4_000_000  # a request body larger than this is 413 before it is parsed


def request_model(max_texts: int) -> type[BaseModel]:
    """The body of POST /predict: either `texts` (1 to `max_texts` strings) or `text` (one string), as its
    OpenAPI schema says too (a fuzzer's schema-valid request is accepted). `truncate=false` refuses a text longer
    than the model's `max_length` tokens (413) instead of cutting it."""

    class PredictRequest(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={
            "oneOf": [{"required": ["texts"]}, {"required": ["text"]}]})  # fmt: skip
        texts: list[str] = Field(None, json_schema_extra={"minItems": 1, "maxItems": max_texts},
                                 examples=[["A great film.", "Dull and far too long."]])  # fmt: skip
        text: str = Field(None, examples=["A great film."])
        truncate: bool = True

        @model_validator(mode="after")
        def one_source(self):
            if (self.texts is None) == (self.text is None):
                raise ValueError("give exactly one of 'texts' (a list of strings) or 'text' (a string)")
            if self.texts is not None and not self.texts:
                raise ValueError("'texts' is empty: give at least one text")
            return self

    return PredictRequest


class Prediction(BaseModel):
    label: str | None = Field(description="the best label (null for regression, a blank text, or a multi-label "
                                          "text with no label at or above the threshold)")  # fmt: skip
    labels: list[str] = Field(description="every label the text has, best first")
    scores: dict[str, float] = Field(description="softmax probability, sigmoid probability or raw regression value")


class PredictResponse(BaseModel):
    model: str
    revision: str
    predictions: list[Prediction]


class ErrorResponse(BaseModel):
    error: str


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def validation_message(err: RequestValidationError) -> tuple[int, str]:
    """400 for a body that is not JSON, 422 for JSON of the wrong shape; the first problem, said plainly."""
    first = err.errors()[0]
    if first.get("type") == "json_invalid":
        return 400, f"The body is not valid JSON ({first.get('ctx', {}).get('error', first.get('msg'))})."
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    return 422, f"{where}: {first.get('msg', '').removeprefix('Value error, ')}"


class Service:
    """The loaded model, its backend and batcher, and what /metadata says about them."""

    def __init__(self, settings: ServeSettings):
        self.settings = settings
        self.model, self.tokenizer = load_classifier(settings.folder)
        self.config = self.model.config
        self.forward = build_forward(settings.backend, self.model, settings.folder)
        reference = build_forward("fp32", self.model, settings.folder)
        self.agreement = None if settings.backend == "fp32" else agreement(
            self.forward, reference, self.tokenizer, self.config, probe_texts(self.tokenizer))
        weights = sorted(Path(settings.folder).glob("*.safetensors"))
        self.revision = file_sha256(weights[0])[:12] if weights else "unknown"
        self.name = Path(settings.folder).resolve().name
        self.batcher: MicroBatcher | None = None
        self.ready = False

    def run(self, ids: list[list[int]]):
        s = self.settings
        return classify_ids(self.forward, self.tokenizer, ids, self.config, s.max_batch_tokens, s.max_batch_size)

    def metadata(self) -> dict:
        return {
            "model": self.name, "revision": self.revision, "labels": labels_of(self.config),
            "problem_type": problem_type(self.config),
            "tokenizer_direction": "backward" if getattr(self.tokenizer, "backwards", False) else "forward",
            "max_length": self.tokenizer.model_max_length, "backend": self.settings.backend,
            "agreement_with_fp32": self.agreement, "batches": self.batcher.batches if self.batcher else 0,
            **{k: v for k, v in asdict(self.settings).items() if k not in ("folder", "backend")},
        }  # fmt: skip

    async def predict(self, texts: list[str], truncate: bool) -> list[dict]:
        kept, every = nonblank(texts), encode(self.tokenizer, texts, "cut" if truncate else "refuse")
        ids = [every[i] for i in kept]
        row_scores = await self.batcher.submit(ids) if ids else None
        kept_results = results(row_scores, self.config, self.settings.threshold) if ids else []
        return place(kept_results, kept, len(texts))

    async def warm_up(self) -> None:
        await self.predict(["warm up", "a longer text to warm up the batched forward once"], truncate=True)
        self.ready = True


def create_app(settings: ServeSettings, service: Service | None = None) -> FastAPI:
    """The application over `settings.folder` (loaded here unless `service` is given); refused at once, with the
    reason, for a folder that holds no trained classifier or a backend that cannot run here."""
    service = service or Service(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        service.batcher = MicroBatcher(service.run, settings.max_wait_ms / 1000, settings.max_batch_tokens,
                                       settings.max_batch_size)  # fmt: skip
        batching = asyncio.create_task(service.batcher.serve_forever())
        warming = asyncio.create_task(service.warm_up())
        yield  # uvicorn has finished the requests in flight before it gets here on SIGTERM
        warming.cancel()
        batching.cancel()
        service.batcher.close()

    app = FastAPI(title=f"ULMFiT classifier {service.name}", version=service.revision, lifespan=lifespan,
                  responses={422: {"model": ErrorResponse}, 400: {"model": ErrorResponse}})  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, err: RequestValidationError):
        return error(*validation_message(err))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, err: HTTPException):
        return JSONResponse({"error": str(err.detail)}, status_code=err.status_code, headers=err.headers)  # Allow

    @app.exception_handler(Exception)
    async def server_error(_: Request, err: Exception):
        return error(500, f"Internal error: {type(err).__name__}: {err}")

    @app.middleware("http")
    async def checked_body(request: Request, call_next):
        """Bodies are JSON, bounded and UTF-8 (JSON's encoding) before FastAPI parses them."""
        if request.method == "POST":
            kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
            if kind != "application/json":
                return error(415, f"The body must be JSON (Content-Type: application/json), not {kind!r}.")
            size = request.headers.get("content-length")
            if size is not None and size.isdigit() and int(size) > settings.max_body_bytes:
                return error(413, f"The body has {size} bytes, more than the limit of {settings.max_body_bytes}.")
            body = await request.body()
            if len(body) > settings.max_body_bytes:
                return error(413, f"The body has {len(body)} bytes, more than the limit of {settings.max_body_bytes}.")
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as err:
                return error(400, f"The body is not valid UTF-8 ({err.reason} at byte {err.start}).")
        return await call_next(request)

    predict_request = request_model(settings.max_texts)

    @app.post("/predict", response_model=PredictResponse,
              responses={413: {"model": ErrorResponse}, 415: {"model": ErrorResponse},
                         503: {"model": ErrorResponse}})  # fmt: skip
    async def predict(request: predict_request):
        """The label and the score of every label for each text, by the model's problem type."""
        if not service.ready:
            return error(503, "The model is warming up; retry when GET /health answers ready.")
        texts = request.texts if request.texts is not None else [request.text]
        if len(texts) > settings.max_texts:
            return error(413, f"{len(texts)} texts in one request, more than the limit of {settings.max_texts}.")
        try:
            predictions = await service.predict(texts, request.truncate)
        except TextTooLong as err:
            return error(413, str(err))
        return {"model": service.name, "revision": service.revision, "predictions": predictions}

    @app.get("/health", responses={503: {"model": ErrorResponse}})
    async def health():
        """Ready (200) once the model is loaded and has answered its warm-up; 503 before."""
        if not service.ready:
            return JSONResponse({"status": "warming up"}, status_code=503)
        return {"status": "ready"}

    @app.get("/metadata")
    async def metadata():
        """Labels, problem type, tokenizer direction, max length, backend and the service's limits."""
        return service.metadata()

    return app


def describe(settings: ServeSettings) -> tuple[str, str, dict | None]:
    """Load the service once and say what it serves: its name, revision and backend agreement (run in a child
    process before `--workers` start, so that the supervisor keeps no copy of the model)."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    service = Service(settings)
    return service.name, service.revision, service.agreement


def app_from_environment() -> FastAPI:
    """The application of a `--workers` process, from the settings the parent put in the environment."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    return create_app(ServeSettings(**json.loads(os.environ[SETTINGS_VARIABLE])))
