"""Tables and plots of the replication (`python examples/replicate.py report`) from its results.jsonl rows.

Writes OUT/results.md (every figure with the command that produced it), OUT/results.jsonl (the raw rows),
OUT/imdb_labels.png (test accuracy against the number of labels) and copies of the language models' training
curves.
"""

import json
import shutil
import statistics
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PLOTTED = {"ulmfit": "ULMFiT (stages 1+2+3)", "no_stage2": "no stage 2 (WikiText-2 LM only)",
           "scratch": "from scratch (no pretraining)",
           "scratch_long": "from scratch, 3x the epochs", "ulmfit_long": "ULMFiT, 3x the epochs",
           "no_unfreezing": "ULMFiT without gradual unfreezing"}  # fmt: skip


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def summarize(values: list[float]) -> str:
    """Mean accuracy as a percentage, with the spread over seeds when there are several."""
    mean = 100 * statistics.mean(values)
    if len(values) == 1:
        return f"{mean:.1f}"
    return f"{mean:.1f} ± {100 * statistics.stdev(values):.1f} (n={len(values)})"


def grouped(rows: list[dict], step: str, keys: tuple[str, ...]) -> dict[tuple, list[dict]]:
    groups = defaultdict(list)
    for row in rows:
        if row["step"] == step:
            groups[tuple(row.get(k) for k in keys)].append(row)
    return groups


def lm_table(rows: list[dict]) -> list[str]:
    lines = ["| stage | corpus | direction | validation perplexity | test perplexity | wall time | command |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for row in (r for r in rows if r["step"] == "lm"):
        stage = "1" if row["corpus"] == "wt2" else "2"
        test = f"{row['test_perplexity']:.1f}" if "test_perplexity" in row else ""
        lines.append(f"| {stage} | {row['corpus']} | {row['direction']} | {row['valid_perplexity']:.1f} | {test} | "
                     f"{row['wall_s'] / 60:.1f} min | `{row['command']}` |")
    return lines


def clas_table(rows: list[dict]) -> list[str]:
    lines = ["| task | labels | variant | direction | test accuracy % (mean ± sd over seeds) | test error % | "
             "minutes per run |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    keys = ("task", "labels", "variant", "direction")
    for (task, labels, variant, direction), group in sorted(grouped(rows, "clas", keys).items()):
        accuracies = [r["accuracy"] for r in group]
        minutes = statistics.mean(r["wall_s"] for r in group) / 60
        lines.append(f"| {task} | {labels} | {variant} | {direction} | {summarize(accuracies)} | "
                     f"{100 * (1 - statistics.mean(accuracies)):.1f} | {minutes:.1f} |")
    for (task, labels), group in sorted(grouped(rows, "ensemble", ("task", "labels")).items()):
        accuracies = [r["accuracy"] for r in group]
        lines.append(f"| {task} | {labels} | ulmfit fwd+bwd ensemble | both | {summarize(accuracies)} | "
                     f"{100 * (1 - statistics.mean(accuracies)):.1f} | |")
    return lines


def all_rows_table(rows: list[dict]) -> list[str]:
    lines = ["| command | result | wall time | date | commit | threads |", "|---|---|---|---|---|---|"]
    for row in rows:
        if row["step"] == "lm":
            result = f"valid ppl {row['valid_perplexity']:.1f}"
        else:
            result = f"accuracy {100 * row['accuracy']:.2f}%"
            if row["step"] == "ensemble":
                result += f" (fwd {100 * row['accuracy_fwd']:.2f}, bwd {100 * row['accuracy_bwd']:.2f})"
        lines.append(f"| `{row['command']}` | {result} | {row['wall_s']:.0f} s | {row['date']} | {row['commit']} | "
                     f"{row['threads']} |")
    return lines


def plot_labels(rows: list[dict], path: Path) -> bool:
    groups = grouped([r for r in rows if r.get("task") == "imdb" and r.get("direction") == "fwd"], "clas",
                     ("variant", "labels"))
    fig, ax = plt.subplots(figsize=(6, 4))
    plotted = False
    for variant, name in PLOTTED.items():
        points = sorted((int(labels), [r["accuracy"] for r in group]) for (v, labels), group in groups.items()
                        if v == variant and labels != "all")  # fmt: skip
        if not points:
            continue
        xs = [x for x, _ in points]
        means = [100 * statistics.mean(a) for _, a in points]
        ax.plot(xs, means, marker="o", label=name)
        for x, accuracies in points:
            ax.scatter([x] * len(accuracies), [100 * a for a in accuracies], s=10, color=ax.lines[-1].get_color())
        plotted = True
    ax.set_xscale("log")
    ax.set_xlabel("labelled IMDb training reviews")
    ax.set_ylabel("test accuracy % (1,000 test reviews)")
    ax.set_title("IMDb: accuracy against the number of labels")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    if plotted:
        fig.savefig(path, dpi=100)
    plt.close(fig)
    return plotted


def write_report(results: Path, out: Path, run_dir: Path) -> None:
    rows = read_rows(results)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(results, out / "results.jsonl")
    for name in ("lm-wt2-fwd", "lm-imdb-fwd", "lm-wt2-bwd", "lm-imdb-bwd"):
        curves = run_dir / name / "training_curves.png"
        if curves.is_file():
            shutil.copyfile(curves, out / f"{name}-curves.png")
    plot = plot_labels(rows, out / "imdb_labels.png")
    text = [
        "# Replication results (generated by `python examples/replicate.py report`)", "",
        "Every figure below comes from one row of `results.jsonl`; the last table gives the command of each.", "",
        "## Language models", "", *lm_table(rows), "",
        "## Classifiers", "", *clas_table(rows), "",
        *(["![IMDb accuracy against labels](imdb_labels.png)", ""] if plot else []),
        "## Every row", "", *all_rows_table(rows), "",
    ]  # fmt: skip
    (out / "results.md").write_text("\n".join(text), encoding="utf-8")
    print(f"wrote {out / 'results.md'} ({len(rows)} rows)")
