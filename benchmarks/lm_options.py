"""LM training throughput of the size options for the shipped pretrained LM (docs/pretrained.md): tokens/s of
full training steps (forward with AR/TAR and the five dropouts, backward, AdamW) on random ids, fp32 and bf16
autocast, on this machine's CPU or on a GPU.

    python benchmarks/lm_options.py                       # the table of docs/pretrained.md
    python benchmarks/lm_options.py 12000,256,704,3,64,72  # vocab,embedding,hidden,layers,batch,bptt
    python benchmarks/lm_options.py --device cuda --steps 30 12000,400,1152,3,64,72 12000,256,704,3,128,72

bf16 is only fast where the CPU has native bf16 (avx512_bf16 or AMX; the script prints whether it has). On CUDA
the script also says whether the weight-dropped LSTM ran cuDNN's fused kernel (`_cudnn_rnn` in a profiled step).
"""

import argparse
import json
import time
from pathlib import Path

import torch

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM
from hf_ulmfit.utils import BF16_FLAGS, cpu_flags

OPTIONS = ["12000,100,300,3,64,72", "16000,200,600,3,64,72", "12000,200,600,3,64,72", "12000,256,704,3,64,72",
           "12000,256,704,3,32,72", "16000,256,768,3,64,72", "16000,256,768,2,64,72", "8000,256,768,3,64,72",
           "16000,256,1024,3,64,72", "16000,400,1152,3,64,72"]  # fmt: skip


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def tokens_per_second(vocab, embedding, hidden, layers, batch, bptt, bf16: bool, steps: int = 6,
                      device: str = "cpu") -> tuple[float, bool | None]:
    """Median tokens/s over steps 3.. of `steps` training steps, and (on CUDA) whether the LSTM ran cuDNN."""
    torch.manual_seed(0)
    config = ULMFiTConfig(vocab_size=vocab, embedding_size=embedding, hidden_size=hidden, num_hidden_layers=layers,
                          drop_mult=0.1)  # fmt: skip
    model = ULMFiTForCausalLM(config).to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = (torch.randint(4, vocab, (batch, bptt), device=device) for _ in range(2))

    def step():
        with torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=bf16):
            loss = model(input_ids=x, shift_labels=y).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        _sync(device)
        times.append(time.perf_counter() - start)
    cudnn = None
    if device.startswith("cuda"):
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            step()
            _sync(device)
        cudnn = any("_cudnn_rnn" in event.key for event in prof.key_averages())
    return batch * bptt / sorted(times[2:])[len(times[2:]) // 2], cudnn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", default=OPTIONS, help="vocab,embedding,hidden,layers,batch,bptt")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--json", help="Also write the rows to this JSON file.")
    args = parser.parse_args(argv)
    if args.device.startswith("cuda"):
        print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}")
    else:
        flags = cpu_flags()
        print(f"threads {torch.get_num_threads()}, " + ", ".join(f"{flag}: {flag in flags}" for flag in BF16_FLAGS))
    print("| vocab | embedding | hidden | layers | batch | bptt | parameters | fp32 tok/s | bf16 tok/s | cuDNN LSTM |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for spec in args.specs:
        sizes = [int(v) for v in spec.split(",")]
        params = sum(p.numel() for p in ULMFiTForCausalLM(ULMFiTConfig(
            vocab_size=sizes[0], embedding_size=sizes[1], hidden_size=sizes[2], num_hidden_layers=sizes[3])).parameters())
        fp32, cudnn = tokens_per_second(*sizes, bf16=False, steps=args.steps, device=args.device)
        bf16, _ = tokens_per_second(*sizes, bf16=True, steps=args.steps, device=args.device)
        rows.append({"sizes": sizes, "parameters": params, "fp32_tokens_per_s": fp32, "bf16_tokens_per_s": bf16,
                     "cudnn_lstm": cudnn, "device": args.device})
        print(f"| {' | '.join(map(str, sizes))} | {params / 1e6:.1f}M | {fp32:,.0f} | {bf16:,.0f} | {cudnn} |",
              flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
