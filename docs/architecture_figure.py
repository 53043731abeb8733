"""Draws docs/architecture.png: how a text flows through the rooms of hf_ulmfit.

    python docs/architecture_figure.py
"""

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

ROOMS = {  # room: colour
    "recipe/": "#f6d8ae",
    "training/": "#cfe3f7",
    "models/ulmfit/": "#d5ecd4",
    "conversion/": "#e8d5f0",
    "deploy/": "#f7d4d4",
    "interpretation/": "#fbf0b8",
    "(files)": "#eeeeee",
}
# name: (x, y, room, label)
BOXES = {
    "file": (1.0, 3.2, "(files)", "text files\nor a Hub dataset"),
    "sources": (3.2, 3.2, "recipe/", "text_sources\nload_texts"),
    "stage": (5.4, 3.2, "recipe/", "stages: pretrain_lm,\nfinetune_lm,\ntrain_classifier"),
    "tokenizer": (5.4, 1.6, "models/ulmfit/", "tokenization_ulmfit\nULMFiTTokenizerFast"),
    "trainer": (7.6, 3.2, "training/", "ULMFiTTrainer\nLM stream, schedules,\nunfreezing"),
    "model": (7.6, 1.6, "models/ulmfit/", "modeling_ulmfit\nULMFiTModel + heads"),
    "folder": (9.8, 2.4, "(files)", "saved folder\nsafetensors, config,\ntokenizer, *_ulmfit.py,\ncard, plots"),
    "fastai": (5.4, 0.0, "(files)", "fastai weights\n+ itos / .model"),
    "convert": (7.6, 0.0, "conversion/", "convert_fastai"),
    "pipeline": (12.0, 3.6, "(files)", "pipeline(...)\nstock transformers"),
    "serve": (12.0, 2.4, "deploy/", "inference:\nserve.py, ensemble"),
    "onnx": (12.0, 1.2, "deploy/", "onnx_export\nmodel.onnx"),
    "explain": (9.8, 0.0, "interpretation/", "explain.py: importance,\npages, report"),
}
ARROWS = [
    ("file", "sources"), ("sources", "stage"), ("stage", "tokenizer"), ("stage", "trainer"), ("trainer", "model"),
    ("tokenizer", "trainer"), ("trainer", "folder"), ("fastai", "convert"), ("convert", "folder"),
    ("folder", "pipeline"), ("folder", "serve"), ("folder", "onnx"), ("folder", "explain"),
]  # fmt: skip
WIDTH, HEIGHT = 1.9, 1.0


def edge(x: float, y: float, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the centre (x, y) of a box to `toward` leaves the box."""
    dx, dy = toward[0] - x, toward[1] - y
    scale = min(WIDTH / 2 / abs(dx) if dx else float("inf"), HEIGHT / 2 / abs(dy) if dy else float("inf"))
    return x + dx * scale * 1.08, y + dy * scale * 1.08


def main(path: Path) -> None:
    figure = Figure(figsize=(13, 5.6))
    axes = figure.subplots()
    for x, y, room, label in BOXES.values():
        axes.add_patch(FancyBboxPatch((x - WIDTH / 2, y - HEIGHT / 2), WIDTH, HEIGHT, boxstyle="round,pad=0.05",
                                      facecolor=ROOMS[room], edgecolor="#555555"))  # fmt: skip
        axes.text(x, y, label, ha="center", va="center", fontsize=8.5)
    for start, end in ARROWS:
        a, b = BOXES[start][:2], BOXES[end][:2]
        axes.add_patch(FancyArrowPatch(edge(*a, b), edge(*b, a), arrowstyle="-|>", mutation_scale=12,
                                       color="#333333", shrinkA=0, shrinkB=0))  # fmt: skip
    for i, (room, colour) in enumerate(ROOMS.items()):
        axes.add_patch(FancyBboxPatch((0.1 + 1.9 * i, 4.45), 0.3, 0.25, boxstyle="round,pad=0.02", facecolor=colour,
                                      edgecolor="#555555"))  # fmt: skip
        axes.text(0.5 + 1.9 * i, 4.57, room, va="center", fontsize=8.5)
    axes.set(xlim=(-0.1, 13.1), ylim=(-0.7, 4.9), aspect="equal")
    axes.axis("off")
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main(Path(__file__).with_name("architecture.png"))
