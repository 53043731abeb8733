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
"""PNG figures of a training run: loss and learning-rate curves, the LR finder's sweep. Drawn on matplotlib's
`Figure` with the Agg canvas (no pyplot, no global backend switch: the user's matplotlib setup is left alone);
matplotlib is an optional dependency (the `test` extra installs it)."""

from pathlib import Path

from ..utils import atomic_path


def _figure(**kwargs):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(**kwargs)
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path: str | Path, **kwargs) -> Path:
    """Write `figure` as a PNG at `path` atomically (its folder made if missing): a plot is the last step of a
    long job, and an unwritable folder must not cost the job's results."""
    path = Path(path)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", **kwargs)  # the temporary name has no .png suffix to infer it from
    return path


def save_training_curves(log_history: list[dict], path: str | Path) -> Path | None:
    """Training and evaluation loss, and every layer group's learning rate, against the step, from a Trainer's
    `state.log_history`. Returns the path, or None when the history has nothing to plot."""
    train = [(log["step"], log["loss"]) for log in log_history if "loss" in log]
    evals = [(log["step"], log["eval_loss"]) for log in log_history if "eval_loss" in log]
    groups = sorted({key for log in log_history for key in log if key.startswith("learning_rate_group_")})
    if not train and not evals:
        return None
    figure = _figure(figsize=(11, 4))
    loss_ax, lr_ax = figure.subplots(1, 2)
    for points, label in ((train, "training loss"), (evals, "evaluation loss")):
        if points:
            loss_ax.plot(*zip(*points, strict=True), marker="." if len(points) < 30 else None, label=label)
    loss_ax.set(xlabel="step", ylabel="loss", title="Loss")
    loss_ax.legend()
    for key in groups:
        points = [(log["step"], log[key]) for log in log_history if key in log]
        lr_ax.plot(*zip(*points, strict=True), label=f"group {key.rsplit('_', 1)[-1]}")
    lr_ax.set(xlabel="step", ylabel="learning rate", title="Learning rate per layer group (0 = bottom)")
    if groups:
        lr_ax.set_yscale("log")
        lr_ax.legend(fontsize="small")
    figure.tight_layout()
    return _save(figure, path, dpi=100)


def save_lr_finder_plot(lrs: list[float], losses: list[float], steepest: float, valley: float, path: str | Path):
    """The LR finder's smoothed loss against the learning rate, with fastai's two suggestions marked."""
    figure = _figure(figsize=(6, 4))
    axes = figure.subplots()
    axes.plot(lrs, losses)
    for lr, label, color in ((steepest, "steepest", "tab:red"), (valley, "valley", "tab:orange")):
        axes.axvline(lr, color=color, linestyle="--", label=f"{label} {lr:.2e}")
    axes.set(xscale="log", xlabel="learning rate (top layer group)", ylabel="smoothed loss")
    axes.legend()
    _save(figure, path, bbox_inches="tight")


def save_confusion_matrix(matrix, labels: list[str], path: str | Path) -> Path:
    """The confusion matrix (rows: true label, columns: predicted), each cell's count written in it."""
    n = len(labels)
    figure = _figure(figsize=(1.2 + 0.6 * n, 1.0 + 0.6 * n) if n > 6 else (5, 4.5))
    axes = figure.subplots()
    axes.imshow(matrix, cmap="Blues")
    top = max(int(matrix.max()), 1)
    for i in range(n):
        for j in range(n):
            count = int(matrix[i][j])
            axes.text(j, i, str(count), ha="center", va="center", color="white" if count > top / 2 else "black")
    axes.set_xticks(range(n), labels, rotation=45 if n > 3 else 0, ha="right" if n > 3 else "center")
    axes.set_yticks(range(n), labels)
    axes.set(xlabel="predicted", ylabel="true", title="Confusion matrix")
    figure.tight_layout()
    return _save(figure, path, dpi=100)


__all__ = ["save_training_curves", "save_lr_finder_plot", "save_confusion_matrix"]
