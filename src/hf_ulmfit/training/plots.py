"""PNG plots of a training run (needs matplotlib, which the `test` extra installs)."""

from pathlib import Path


def save_training_curves(log_history: list[dict], path: str | Path) -> Path | None:
    """Training and evaluation loss, and every layer group's learning rate, against the step, from a Trainer's
    `state.log_history`. Returns the path, or None when the history has nothing to plot."""
    train = [(log["step"], log["loss"]) for log in log_history if "loss" in log]
    evals = [(log["step"], log["eval_loss"]) for log in log_history if "eval_loss" in log]
    groups = sorted({key for log in log_history for key in log if key.startswith("learning_rate_group_")})
    if not train and not evals:
        return None
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    fig, (loss_ax, lr_ax) = plt.subplots(1, 2, figsize=(11, 4))
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
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
