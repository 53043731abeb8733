"""LM training throughput of the size options for the shipped pretrained LM (docs/pretrained.md): tokens/s of
full training steps (forward with AR/TAR and the five dropouts, backward, AdamW) on random ids, fp32 and bf16
autocast, on this machine's CPU.

    python benchmarks/lm_options.py                       # the table of docs/pretrained.md
    python benchmarks/lm_options.py 12000,256,704,3,64,72  # vocab,embedding,hidden,layers,batch,bptt

bf16 is only fast where the CPU has native bf16 (avx512_bf16 or AMX; the script prints whether it has).
"""

import sys
import time

import torch

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM
from hf_ulmfit.utils import BF16_FLAGS, cpu_flags

OPTIONS = ["12000,100,300,3,64,72", "16000,200,600,3,64,72", "12000,200,600,3,64,72", "12000,256,704,3,64,72",
           "12000,256,704,3,32,72", "16000,256,768,3,64,72", "16000,256,768,2,64,72", "8000,256,768,3,64,72",
           "16000,256,1024,3,64,72", "16000,400,1152,3,64,72"]  # fmt: skip


def tokens_per_second(vocab, embedding, hidden, layers, batch, bptt, bf16: bool, steps: int = 6) -> float:
    """Median over steps 3.. of `steps` training steps."""
    torch.manual_seed(0)
    config = ULMFiTConfig(vocab_size=vocab, embedding_size=embedding, hidden_size=hidden, num_hidden_layers=layers,
                          drop_mult=0.1)  # fmt: skip
    model = ULMFiTForCausalLM(config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = torch.randint(4, vocab, (batch, bptt)), torch.randint(4, vocab, (batch, bptt))
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(input_ids=x, shift_labels=y).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - start)
    return batch * bptt / sorted(times[2:])[len(times[2:]) // 2]


def main() -> None:
    flags = cpu_flags()
    print(f"threads {torch.get_num_threads()}, " + ", ".join(f"{flag}: {flag in flags}" for flag in BF16_FLAGS))
    print("| vocab | embedding | hidden | layers | batch | bptt | parameters | fp32 tok/s | bf16 tok/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for spec in sys.argv[1:] or OPTIONS:
        sizes = [int(v) for v in spec.split(",")]
        params = sum(p.numel() for p in ULMFiTForCausalLM(ULMFiTConfig(
            vocab_size=sizes[0], embedding_size=sizes[1], hidden_size=sizes[2], num_hidden_layers=sizes[3])).parameters())
        fp32, bf16 = tokens_per_second(*sizes, bf16=False), tokens_per_second(*sizes, bf16=True)
        print(f"| {' | '.join(map(str, sizes))} | {params / 1e6:.1f}M | {fp32:,.0f} | {bf16:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
