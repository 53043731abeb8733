"""The service's scoring behind LitServe's own dynamic batching (`max_batch_size`, `batch_timeout`): the serving
library the hand-written micro-batcher was compared with (benchmarks/serve_load.py starts it; loopback only).

    python benchmarks/litserve_server.py DIR --port 8002 [--threads 1] [--max_batch_size 64] [--batch_timeout 0.005]

POST /predict {"text": ...} and GET /health, like `python -m hf_ulmfit.serve`.
"""

import argparse

import litserve as ls

from hf_ulmfit.scoring import classify_texts, model_forward
from hf_ulmfit.utils import load_classifier


class ULMFiTAPI(ls.LitAPI):
    def __init__(self, folder: str, threads: int, **batching):
        super().__init__(**batching)
        self.folder, self.threads = folder, threads

    def setup(self, device):
        import torch

        torch.set_num_threads(self.threads)
        self.model, self.tokenizer = load_classifier(self.folder)
        self.forward = model_forward(self.model)

    def decode_request(self, request):
        return request["text"]

    def predict(self, texts):
        return classify_texts(self.forward, self.tokenizer, texts, self.model.config)

    def encode_response(self, output):
        return {"predictions": [output]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max_batch_size", type=int, default=64)
    parser.add_argument("--batch_timeout", type=float, default=0.005, help="seconds")
    args = parser.parse_args()
    api = ULMFiTAPI(args.folder, args.threads, max_batch_size=args.max_batch_size, batch_timeout=args.batch_timeout)
    ls.LitServer(api, accelerator="cpu", devices=1).run(host="127.0.0.1", port=args.port, log_level="warning",
                                                       generate_client_file=False)  # fmt: skip


if __name__ == "__main__":
    main()
