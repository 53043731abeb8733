"""Training-curve PNGs from a Trainer's log history."""

from hf_ulmfit.training.plots import save_lr_finder_plot, save_training_curves


def test_training_curves_png(tmp_path):
    history = [
        {"step": 10, "loss": 2.0, "learning_rate": 1e-3, "learning_rate_group_0": 1e-4, "learning_rate_group_1": 1e-3},
        {"step": 20, "loss": 1.5, "learning_rate": 2e-3, "learning_rate_group_0": 2e-4, "learning_rate_group_1": 2e-3},
        {"step": 20, "eval_loss": 1.7},
    ]
    path = save_training_curves(history, tmp_path / "curves.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert save_training_curves([{"step": 1, "train_runtime": 3.0}], tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()


def test_plots_leave_the_matplotlib_backend_and_pyplot_alone(tmp_path):
    import sys

    import matplotlib

    backend = matplotlib.get_backend()
    pyplot_loaded = "matplotlib.pyplot" in sys.modules
    save_training_curves([{"step": 1, "loss": 1.0}], tmp_path / "curves.png")
    save_lr_finder_plot([1e-4, 1e-3, 1e-2], [2.0, 1.0, 3.0], 1e-3, 1e-3, tmp_path / "lr.png")
    assert matplotlib.get_backend() == backend and ("matplotlib.pyplot" in sys.modules) == pyplot_loaded
    assert (tmp_path / "lr.png").read_bytes()[:4] == b"\x89PNG"
