"""The naive server the service is measured against (benchmarks/serve_load.py starts it; loopback only): what a
user writes first, a transformers pipeline called once per request, no batching. FastAPI runs the sync endpoint
on its thread pool, so concurrent requests run concurrent forwards.

    python benchmarks/naive_server.py DIR --port 8001 [--threads 1]

POST /predict {"text": ...} and GET /health, like `python -m hf_ulmfit.serve`.
"""

import argparse

import hf_ulmfit  # noqa: F401 - registers the ULMFiT classes with the Auto classes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch_timeout", type=float, help="ignored: the naive server does not batch")
    args = parser.parse_args()

    import torch
    import uvicorn
    from fastapi import FastAPI
    from transformers import pipeline

    torch.set_num_threads(args.threads)
    classify = pipeline("text-classification", model=args.folder, top_k=None, truncation=True)
    app = FastAPI()

    @app.post("/predict")
    def predict(body: dict):
        return {"predictions": [classify(body["text"])]}

    @app.get("/health")
    def health():
        return {"status": "ready"}

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
