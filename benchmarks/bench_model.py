"""Model speed: fastai 2.8's AWD-LSTM vs hf_ulmfit, same weights, same inputs, back to back in one process.

Run in the benchmark virtualenv, which holds fastai beside the package (`make bench-model` builds and runs it):
    .venv-bench/bin/python benchmarks/bench_model.py [--quick] [--only lm-train,lm-eval,clas,memory,generate]

Both sides use fastai's default AWD-LSTM sizes (embedding 400, hidden 1152, 3 layers, vocabulary 30,000): fastai
builds its model, `hf_ulmfit.convert_fastai` converts the state dict, so both hold the same random weights.
Inputs are IMDb test reviews tokenized with ULMFiTTokenizerFast (tokenization is not timed here; see
`bench_tokenizer.py`). Each figure is the median of several timed repeats after a warm-up, and every ratio is
ours / fastai from the same run. A `ceiling` line after the LM and classifier figures puts both sides' GFLOP/s
(FLOPs per token from the layer sizes) beside this machine's fp32 matmul and LSTM-kernel throughput: how far both are from
what this machine's kernels deliver. Figures:

- lm-train: LM training tokens/s (bptt 72, AR/TAR and weight drop on, Adam step), fp32, and ours under bf16 autocast
  with the losses of the same batches beside the fp32 ones;
- lm-eval: LM evaluation tokens/s (eval mode, state carried between batches);
- clas: classifier inference documents/s (max_len 1440, documents sorted by length, same batch size): fastai's
  `pad_input_chunk` batches vs ours with attention masks, prediction agreement, and ours in bf16 and int8
  (dynamic quantization of the LSTMs and Linears);
- memory: peak RSS and time classifying one long document, each length in a fresh subprocess (ours only);
- generate: ours, per-token time of `generate()` with the LSTM state as cache vs recomputing (use_cache=False).
"""

import argparse
import copy
import gzip
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from itertools import islice
from pathlib import Path

import torch
from torch import nn

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO / "src"))

VOCAB_SIZE = 30_000
BPTT = 72
FIGURES = ("lm-train", "lm-eval", "clas", "memory", "generate")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn, repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    return statistics.median(timed(fn) for _ in range(repeats))


def report(name: str, unit: str, ours: float, fastai: float | None, goal: float | None = None) -> None:
    line = f"{name:<44} ours {ours:>10,.1f} {unit}"
    if fastai is not None:
        ratio = ours / fastai
        line += f" | fastai {fastai:>10,.1f} {unit} | ratio {ratio:.2f}x"
        if goal is not None:
            line += f" (goal >= {goal}x: {'met' if ratio >= goal else 'NOT met'})"
    print(f"{line} [{load()}]", flush=True)


def read_ids(n: int) -> list[list[int]]:
    """The first n IMDb test reviews, tokenized with ULMFiTTokenizerFast on fastai's IMDb vocabulary."""
    from hf_ulmfit import ULMFiTTokenizerFast

    vocab = json.loads((SHARED / "fixtures/fastai/tokens_imdb/vocab.json").read_text(encoding="utf-8"))
    tokenizer = ULMFiTTokenizerFast.from_vocab(vocab)
    with gzip.open(SHARED / "data/imdb/test.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in islice(f, 25_000)]
    # Test reviews come grouped by label: take them alternately so both labels are represented.
    rows = [r for pair in zip(rows[: len(rows) // 2], rows[len(rows) // 2 :][::-1], strict=True) for r in pair][:n]
    return tokenizer([r["text"] for r in rows])["input_ids"]


# --- models -----------------------------------------------------------------------------------------------------


def fastai_lm(drop_mult: float = 1.0):
    from fastai.text.all import AWD_LSTM, awd_lstm_lm_config, get_language_model

    torch.manual_seed(0)
    return get_language_model(AWD_LSTM, VOCAB_SIZE, config=dict(awd_lstm_lm_config), drop_mult=drop_mult)


def fastai_clas():
    from fastai.text.all import AWD_LSTM, awd_lstm_clas_config, get_text_classifier

    torch.manual_seed(0)
    model = get_text_classifier(AWD_LSTM, VOCAB_SIZE, 2, seq_len=BPTT, config=dict(awd_lstm_clas_config), max_len=1440)
    with torch.no_grad():  # fastai's BatchNorm starts at identity: give it running stats, as a trained head has
        for name, buffer in model.named_buffers():
            if name.endswith("running_mean"):
                buffer.normal_(0, 0.1)
            elif name.endswith("running_var"):
                buffer.uniform_(0.5, 1.5)
    return model


def convert(fastai_model, **overrides):
    from hf_ulmfit import ULMFiTForCausalLM, ULMFiTForSequenceClassification
    from hf_ulmfit.convert_fastai import convert_state_dict, infer_config

    state = {k: v for k, v in fastai_model.state_dict().items() if v.dtype != torch.long}
    ours, kind = convert_state_dict(state)
    config = infer_config(ours, kind, **overrides)
    cls = ULMFiTForCausalLM if kind == "lm" else ULMFiTForSequenceClassification
    model = cls(config)
    missing, unexpected = model.load_state_dict(ours, strict=False)
    if unexpected or [k for k in missing if k != "decoder.weight" and "num_batches_tracked" not in k]:
        sys.exit(f"conversion mismatch: missing {missing}, unexpected {unexpected}")
    return model


def lm_stream(ids: list[list[int]], batch_size: int, n_batches: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """fastai's LM layout: the concatenated stream cut into batch_size rows, read BPTT tokens at a time."""
    stream = torch.tensor([t for doc in ids for t in doc])
    per_row = (len(stream) - 1) // batch_size
    need = n_batches * BPTT
    if per_row < need:
        sys.exit(f"not enough tokens for {n_batches} batches of {batch_size} x {BPTT}: use more documents")
    x = stream[: per_row * batch_size].view(batch_size, per_row)
    y = stream[1 : per_row * batch_size + 1].view(batch_size, per_row)
    return [(x[:, i : i + BPTT], y[:, i : i + BPTT]) for i in range(0, need, BPTT)]


# --- the machine's ceiling ---------------------------------------------------------------------------------------


def flops_per_token(config, decoder: bool = True) -> float:
    """FLOPs of one token through the forward pass: each LSTM layer's gates (4 x hidden x (input + hidden)
    multiply-adds) and, for the LM, the tied decoder (embedding x vocabulary). A training step costs about 3x."""
    sizes = [config.embedding_size] + [config.hidden_size] * (config.num_hidden_layers - 1) + [config.embedding_size]
    gates = sum(4 * out * (inp + out) for inp, out in zip(sizes, sizes[1:], strict=False))
    return 2.0 * (gates + (config.embedding_size * config.vocab_size if decoder else 0))


def matmul_gflops(config, repeats: int) -> float:
    """fp32 matmul throughput at the shape of the LM's largest product (a 32 x 72 batch through layer 2's gates)."""
    m, k, n = 32 * BPTT, 2 * config.hidden_size, 4 * config.hidden_size
    a, b = torch.randn(m, k), torch.randn(k, n)
    return 2 * m * k * n / median_time(lambda: a @ b, repeats) / 1e9


def lstm_gflops(config, batch_size: int, repeats: int) -> float:
    """Throughput of PyTorch's own (oneDNN) LSTM kernel on one (batch_size, bptt) chunk of layer 2, in eval mode:
    at small batches the recurrent product is a thin matmul, slower than `matmul_gflops`."""
    lstm = nn.LSTM(config.hidden_size, config.hidden_size, batch_first=True)
    x = torch.randn(batch_size, BPTT, config.hidden_size)
    with torch.no_grad():
        seconds = median_time(lambda: lstm(x), repeats)
    return 2 * 4 * config.hidden_size * 2 * config.hidden_size * batch_size * BPTT / seconds / 1e9


def report_ceiling(config, flops_per_token, ours_tok_s, fastai_tok_s, batch_size: int, repeats: int) -> None:
    """Both sides as a share of what this machine's matmul and LSTM kernels deliver."""
    peak, lstm = matmul_gflops(config, repeats), lstm_gflops(config, batch_size, repeats)
    ours, fastai = ours_tok_s * flops_per_token / 1e9, fastai_tok_s * flops_per_token / 1e9
    print(
        f"   ceiling: {flops_per_token / 1e6:.0f} MFLOP/token; this machine: fp32 matmul {peak:.0f} GFLOP/s, LSTM "
        f"kernel at batch {batch_size} {lstm:.0f} GFLOP/s; ours {ours:.0f} GFLOP/s ({ours / peak:.0%} / "
        f"{ours / lstm:.0%} of them), fastai {fastai:.0f} GFLOP/s ({fastai / peak:.0%} / {fastai / lstm:.0%})"
    )


# --- 1. LM training ---------------------------------------------------------------------------------------------


class FastaiStep:
    """fastai's training step as `Learner` + `RNNRegularizer` + `ModelResetter` run it: CE + AR + TAR, Adam."""

    def __init__(self, model, alpha=2.0, beta=1.0):
        self.model, self.alpha, self.beta = model.train(), alpha, beta
        model.reset()
        self.opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def __call__(self, x, y) -> float:
        decoded, raw, dropped = self.model(x)
        loss = nn.functional.cross_entropy(decoded.view(-1, decoded.shape[-1]), y.reshape(-1))
        loss = loss + self.alpha * dropped[-1].float().pow(2).mean()
        loss = loss + self.beta * (raw[-1][:, 1:] - raw[-1][:, :-1]).float().pow(2).mean()
        loss.backward()
        self.opt.step()
        self.opt.zero_grad()
        return loss.item()


class OursStep:
    """The same step with our model (AR/TAR are in its training loss), optionally under autocast."""

    def __init__(self, model, dtype=None):
        self.model, self.dtype, self.state = model.train(), dtype, None
        self.opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def __call__(self, x, y) -> float:
        with torch.autocast("cpu", dtype=self.dtype, enabled=self.dtype is not None):
            out = self.model(input_ids=x, shift_labels=y, state=self.state, use_cache=True)
        out.loss.backward()
        self.opt.step()
        self.opt.zero_grad()
        self.state = tuple((h.detach().float(), c.detach().float()) for h, c in out.state)
        return out.loss.item()


def run_steps(step, batches, seed) -> tuple[list[float], list[float]]:
    times, losses = [], []
    torch.manual_seed(seed)
    for x, y in batches:
        start = time.perf_counter()
        losses.append(step(x, y))
        times.append(time.perf_counter() - start)
    return times, losses


def bench_lm_train(ids, args):
    batches = lm_stream(ids, args.lm_bs, max(args.train_steps, args.bf16_steps) + 1)
    fastai_model = fastai_lm()
    ours = convert(fastai_model, drop_mult=1.0)
    ours_bf16 = copy.deepcopy(ours)
    tokens = args.lm_bs * BPTT
    # One step each in turn (the first of each side is a warm-up), so load changes hit both sides alike.
    fastai_step, ours_step = FastaiStep(fastai_model), OursStep(ours)
    fastai_times, ours_times = [], []
    for x, y in batches[: args.train_steps + 1]:
        fastai_times.append(timed(lambda x=x, y=y: fastai_step(x, y)))
        ours_times.append(timed(lambda x=x, y=y: ours_step(x, y)))
    fastai_times, ours_times = fastai_times[1:], ours_times[1:]
    ours_tok_s, fastai_tok_s = tokens / statistics.median(ours_times), tokens / statistics.median(fastai_times)
    report(f"1. LM training fp32 (bs {args.lm_bs} x {BPTT})", "tok/s", ours_tok_s, fastai_tok_s, 1.2)
    report_ceiling(ours.config, 3 * flops_per_token(ours.config), ours_tok_s, fastai_tok_s, args.lm_bs, args.repeats)
    print("   step seconds fastai: " + " ".join(f"{t:.1f}" for t in fastai_times))
    print("   step seconds ours:   " + " ".join(f"{t:.1f}" for t in ours_times))
    if not args.bf16_steps:
        return
    # bf16 autocast vs fp32 on the same batches from the same weights and seed: the loss curves side by side.
    fp32_model = convert(fastai_lm(), drop_mult=1.0)
    curve = batches[: args.bf16_steps + 1]
    _, fp32_losses = run_steps(OursStep(fp32_model), curve, seed=2)
    bf16_times, bf16_losses = run_steps(OursStep(ours_bf16, torch.bfloat16), curve, seed=2)
    report(
        "1. LM training, ours bf16 autocast vs fastai fp32",
        "tok/s",
        tokens / statistics.median(bf16_times[1:]),
        tokens / statistics.median(fastai_times),
        1.8,
    )
    print("   loss per step fp32: " + " ".join(f"{v:.3f}" for v in fp32_losses))
    print("   loss per step bf16: " + " ".join(f"{v:.3f}" for v in bf16_losses))


# --- 2. LM evaluation -------------------------------------------------------------------------------------------


def bench_lm_eval(ids, args):
    batches = lm_stream(ids, args.lm_bs, args.eval_steps)
    fastai_model = fastai_lm().eval()
    ours = convert(fastai_model, drop_mult=1.0).eval()

    def run_fastai():
        fastai_model.reset()
        for x, _ in batches:
            fastai_model(x)

    def run_ours():
        state = None
        for x, _ in batches:
            state = ours(input_ids=x, state=state, use_cache=True).state

    with torch.no_grad():
        fastai_model.reset()
        expected = fastai_model(batches[0][0])[0]
        got = ours(input_ids=batches[0][0]).logits
        print(f"   LM logits max |diff| ours vs fastai: {(expected - got).abs().max():.2e}")
        run_fastai(), run_ours()  # warm-up
        # Repeats alternate between the sides, so a change in the machine's load hits both alike.
        times = [(timed(run_fastai), timed(run_ours)) for _ in range(args.repeats)]
        fastai_s, ours_s = (statistics.median(side) for side in zip(*times, strict=True))
        print("   pass seconds fastai / ours: " + " ".join(f"{f:.2f}/{o:.2f}" for f, o in times))
    tokens = len(batches) * args.lm_bs * BPTT
    report(f"2. LM evaluation (bs {args.lm_bs} x {BPTT})", "tok/s", tokens / ours_s, tokens / fastai_s, 2.0)
    report_ceiling(
        ours.config, flops_per_token(ours.config), tokens / ours_s, tokens / fastai_s, args.lm_bs, args.repeats
    )


# --- 3. classifier inference ------------------------------------------------------------------------------------


def length_batches(ids, batch_size):
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def fastai_predict(model, ids, batch_size):
    from fastai.text.data import pad_input_chunk

    logits = torch.empty(len(ids), 2)
    for rows in length_batches(ids, batch_size):
        batch = pad_input_chunk([(torch.tensor(ids[i]), 0) for i in rows], pad_idx=1, pad_first=True, seq_len=BPTT)
        logits[rows] = model(torch.stack([b[0] for b in batch]))[0].float()
    return logits


def ours_predict(model, ids, batch_size):
    logits = torch.empty(len(ids), 2)
    for rows in length_batches(ids, batch_size):
        width = len(ids[rows[0]])
        input_ids = torch.ones(len(rows), width, dtype=torch.long)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for j, i in enumerate(rows):
            input_ids[j, : len(ids[i])] = torch.tensor(ids[i])
            mask[j, : len(ids[i])] = 1
        logits[rows] = model(input_ids=input_ids, attention_mask=mask).logits.float()
    return logits


def agreement(a: torch.Tensor, b: torch.Tensor) -> str:
    same = (a.argmax(1) == b.argmax(1)).float().mean().item()
    return f"{same:.2%} same predictions, max |logit diff| {(a - b).abs().max():.2e}"


def bench_clas(ids, args):
    ids = [doc for doc in ids][: args.docs]
    fastai_model = fastai_clas().eval()
    ours = convert(fastai_model).eval()
    bs = args.clas_bs
    print(f"   {len(ids)} documents, {sum(map(len, ids)):,} tokens, lengths {min(map(len, ids))}-{max(map(len, ids))}")
    with torch.no_grad():
        fastai_predict(fastai_model, ids[:bs], bs)  # warm-up
        ours_predict(ours, ids[:bs], bs)
        fastai_s, ours_s, logits = [], [], {}
        for _ in range(args.clas_repeats):
            fastai_s.append(timed(lambda: logits.__setitem__("fastai", fastai_predict(fastai_model, ids, bs))))
            ours_s.append(timed(lambda: logits.__setitem__("ours", ours_predict(ours, ids, bs))))
        fastai_logits, ours_logits = logits["fastai"], logits["ours"]
        n = len(ids)
        report(
            f"3. classifier fp32 (bs {bs})",
            "doc/s",
            n / statistics.median(ours_s),
            n / statistics.median(fastai_s),
            1.5,
        )
        tokens = sum(map(len, ids))
        gate_flops = flops_per_token(ours.config, decoder=False)
        ours_tok_s, fastai_tok_s = tokens / statistics.median(ours_s), tokens / statistics.median(fastai_s)
        report_ceiling(ours.config, gate_flops, ours_tok_s, fastai_tok_s, bs, args.repeats)
        print(f"   ours vs fastai (fastai's padded batches): {agreement(ours_logits, fastai_logits)}")
        differ = (ours_logits.argmax(1) != fastai_logits.argmax(1)).nonzero().flatten().tolist()
        check = sorted(set(differ) | set(range(0, n, max(1, n // args.alone))))
        alone_fastai = torch.cat([fastai_model(torch.tensor(ids[i])[None])[0] for i in check])
        alone_ours = torch.cat([ours(input_ids=torch.tensor(ids[i])[None]).logits for i in check])
        print(
            f"   ours batched vs fastai run per document ({len(check)} docs, all {len(differ)} that differ above "
            f"included): {agreement(ours_logits[check], alone_fastai)}"
        )
        print(f"   ours batched vs ours per document: {agreement(ours_logits[check], alone_ours)}")

        fastest = {}
        bf16 = copy.deepcopy(ours).to(torch.bfloat16)
        sub = ids[: args.bf16_docs]
        ours_predict(bf16, sub[:bs], bs)
        bf16_s = [timed(lambda: fastest.__setitem__("bf16", ours_predict(bf16, sub, bs))) for _ in range(1)]
        fastai_sub = len(sub) / (n / statistics.median(fastai_s))
        report(f"3. classifier ours bf16 ({len(sub)} docs)", "doc/s", len(sub) / bf16_s[0], len(sub) / fastai_sub, 4.0)
        print(f"   bf16 vs ours fp32: {agreement(fastest['bf16'], ours_logits[: len(sub)])}")

        warnings.filterwarnings("ignore", message=".*(quantiz|torchao).*")  # deprecation notices of torch.ao
        int8 = torch.ao.quantization.quantize_dynamic(copy.deepcopy(ours), {nn.LSTM, nn.Linear}, dtype=torch.qint8)
        ours_predict(int8, ids[:bs], bs)
        int8_s = []
        for _ in range(args.clas_repeats):
            start = time.perf_counter()
            fastest["int8"] = ours_predict(int8, ids, bs)
            int8_s.append(time.perf_counter() - start)
        report(
            "3. classifier ours int8 (dynamic)",
            "doc/s",
            n / statistics.median(int8_s),
            n / statistics.median(fastai_s),
            4.0,
        )
        print(f"   int8 vs ours fp32: {agreement(fastest['int8'], ours_logits)}")
        margin = (ours_logits[:, 0] - ours_logits[:, 1]).abs()
        print(
            f"   (random weights: median |logit margin| {margin.median():.3f}; a trained classifier has larger margins)"
        )


# --- 5. one long document ---------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM belongs to the process's own address space; ru_maxrss
    also keeps the peak of the parent this process was spawned from (kept across exec), which is the whole
    benchmark when it runs after the other figures."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def long_document_child(length: int) -> None:
    """Runs in a fresh process: classify one document of `length` random tokens; print time and peak RSS. CPU
    seconds are printed beside wall seconds: on a shared machine they still show whether time grows linearly."""
    from hf_ulmfit import ULMFiTConfig, ULMFiTForSequenceClassification

    torch.manual_seed(0)
    config = ULMFiTConfig(vocab_size=VOCAB_SIZE).for_classifier(num_labels=2)
    model = ULMFiTForSequenceClassification(config).eval()
    ids = torch.randint(10, VOCAB_SIZE, (1, length))
    with torch.no_grad():
        model(input_ids=ids[:, :BPTT])  # warm-up
        before = peak_rss_mb()
        cpu = time.process_time()
        seconds = timed(lambda: model(input_ids=ids))
        cpu = time.process_time() - cpu
    peak = peak_rss_mb()
    print(json.dumps({"tokens": length, "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak, "before_mb": before}))


def bench_memory(args):
    rows = []
    for length in args.long_lengths:
        out = subprocess.run(
            [sys.executable, __file__, "--long-child", str(length)], capture_output=True, text=True, check=True
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(
            f"5. one document of {length:>7,} tokens: {r['seconds']:7.1f} s ({length / r['seconds']:,.0f} tok/s, "
            f"{1e3 * r['seconds'] / length:.3f} ms/token; CPU {1e3 * r['cpu_seconds'] / length:.3f} ms/token), peak RSS {r['peak_mb']:,.0f} MB "
            f"(after warm-up {r['before_mb']:,.0f} MB) (goal <= 1536 MB: {'met' if r['peak_mb'] <= 1536 else 'NOT met'})"
            f" [{load()}]",
            flush=True,
        )


# --- 6. generate ------------------------------------------------------------------------------------------------


class TokenTimes:
    """A `generate()` streamer that records when each new token comes out."""

    def __init__(self):
        self.times, self.prompt_seen = [], False

    def put(self, value):
        if self.prompt_seen:
            self.times.append(time.perf_counter())
        self.prompt_seen = True

    def end(self):
        pass


def bench_generate(ids, args):
    model = convert(fastai_lm(), drop_mult=1.0).eval()
    stream = [t for doc in ids for t in doc]
    model.generate(torch.tensor(stream[:BPTT])[None], max_new_tokens=2, do_sample=False, pad_token_id=1)  # warm-up
    for prompt_len in (10, 1000):
        prompt = torch.tensor(stream[:prompt_len])[None]
        for use_cache in (True, False):
            new = args.gen_tokens if use_cache else args.gen_tokens_nocache
            streamer = TokenTimes()
            start = time.perf_counter()
            model.generate(
                prompt,
                max_new_tokens=new,
                min_new_tokens=new,
                do_sample=False,
                use_cache=use_cache,
                pad_token_id=1,
                streamer=streamer,
            )
            first = streamer.times[0] - start
            per_token = statistics.median(b - a for a, b in zip(streamer.times, streamer.times[1:], strict=False))
            print(
                f"6. generate prompt {prompt_len:>5}, use_cache={use_cache!s:<5}: {1e3 * per_token:8.1f} ms/token "
                f"(median over {new - 1} tokens after the first; prompt + first token {1e3 * first:.0f} ms) "
                f"[{load()}]",
                flush=True,
            )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps and documents (a few minutes on 2 cores)")
    ap.add_argument("--only", default=",".join(FIGURES), help=f"comma-separated subset of {','.join(FIGURES)}")
    ap.add_argument("--train-steps", type=int, help="timed LM training steps per side (after one warm-up)")
    ap.add_argument("--bf16-steps", type=int, help="LM training steps under bf16 autocast (0: skip)")
    ap.add_argument("--long-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.long_child:
        return long_document_child(args.long_child)
    quick = args.quick
    args.lm_bs, args.clas_bs = 32, 16
    if args.train_steps is None:
        args.train_steps = 2 if quick else 6
    if args.bf16_steps is None:
        args.bf16_steps = 2 if quick else 4
    args.eval_steps = 3 if quick else 10
    args.repeats = 2 if quick else 3
    args.docs = 160 if quick else 2000
    args.clas_repeats = 1 if quick else 3
    args.bf16_docs = 16 if quick else 160
    args.alone = 10 if quick else 100
    args.long_lengths = [2_000, 4_000, 8_000] if quick else [25_000, 50_000, 100_000]
    args.gen_tokens, args.gen_tokens_nocache = (12, 4) if quick else (40, 6)
    only = args.only.split(",")
    if unknown := set(only) - set(FIGURES):
        sys.exit(f"unknown figures {sorted(unknown)}; choose from {FIGURES}")

    import fastai
    import transformers

    print(
        f"python {platform.python_version()}, torch {torch.__version__}, fastai {fastai.__version__}, transformers "
        f"{transformers.__version__}; {os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}, "
        f"{'quick' if quick else 'full'} mode, {load()}",
        flush=True,
    )
    ids = read_ids(args.docs if "clas" in only else 600) if set(only) - {"memory"} else []
    if "lm-train" in only:
        bench_lm_train(ids, args)
    if "lm-eval" in only:
        bench_lm_eval(ids, args)
    if "clas" in only:
        bench_clas(ids, args)
    if "memory" in only:
        bench_memory(args)
    if "generate" in only:
        bench_generate(ids, args)


if __name__ == "__main__":
    main()
