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
"""Model cards for saved and pushed ULMFiT models, filled from the templates in `model_cards/`.

The card's YAML header is huggingface_hub's `ModelCardData` (library_name, pipeline_tag, tags, datasets,
base_model, and a model-index with the metrics), so the Hub indexes the model like any transformers model.
"""

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from .utils import atomic_path, is_classifier

TAGS = ["ulmfit", "awd-lstm", "hf_ulmfit", "text"]
# Recipe fields of `ULMFiTTrainingArguments` worth recording, in the order the card lists them.
RECIPE_FIELDS = (
    "learning_rate", "lr_decay_factor", "lr_schedule", "stlr_cut_frac", "stlr_ratio", "one_cycle_pct_start",
    "one_cycle_div", "one_cycle_div_final", "one_cycle_moms", "unfreeze_stages", "unfreeze_unit",
    "unfreeze_lr_factors", "num_train_epochs", "max_steps", "per_device_train_batch_size", "weight_decay",
    "adam_beta1", "adam_beta2", "adam_epsilon", "max_grad_norm", "variable_bptt", "bf16", "fp16", "seed",
)


def template_path(kind: str) -> Path:
    """The template of `kind` ("lm" or "classifier"): inside the installed package, else in the source tree."""
    name = f"{kind}.md"
    for folder in (Path(__file__).with_name("model_cards"), Path(__file__).resolve().parents[2] / "model_cards"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"No model card template {name!r}: the hf_ulmfit installation is incomplete.")


def recipe_from_args(args) -> dict[str, object]:
    """The ULMFiT recipe as recorded in a card, from `ULMFiTTrainingArguments` (or any object with those fields)."""
    recipe = {}
    for name in RECIPE_FIELDS:
        value = getattr(args, name, None)
        if value is None or (name == "max_steps" and value <= 0):
            continue
        if name.startswith("stlr_") and getattr(args, "lr_schedule", None) != "stlr":
            continue
        if name.startswith("one_cycle_") and getattr(args, "lr_schedule", None) != "one_cycle":
            continue
        recipe[name] = value
    return recipe


def build_model_card(
    model,
    *,
    repo_id: str | None = None,
    model_name: str | None = None,
    base_model: str | None = None,
    datasets: Sequence[str] = (),
    metrics: Mapping[str, float] | None = None,
    recipe: Mapping[str, object] | None = None,
    source: str | None = None,
    converted_from: str | None = None,
    language: str | None = "en",
    license: str | None = None,
    dataset_name: str | None = None,
    extra_tags: Sequence[str] = (),
    domain_adaptation: Mapping[str, object] | None = None,
) -> ModelCard:
    """A filled card for a ULMFiT `model` (LM or classifier). `metrics` become the card's table and its
    model-index (`dataset_name` names the evaluation data there); `recipe` is what `recipe_from_args` gives;
    `domain_adaptation` what `recipe.domain_adaptation.adapt_to_domain` reports (the unknown-token share)."""
    config = model.config
    classifier = is_classifier(model)
    task = ("text-classification", "Text Classification") if classifier else ("text-generation", "Text Generation")
    metrics = {k: round(float(v), 4) for k, v in (metrics or {}).items()}
    eval_results = [
        EvalResult(
            task_type=task[0], task_name=task[1], dataset_type=datasets[0] if datasets else "custom",
            dataset_name=dataset_name or (datasets[0] if datasets else "evaluation data"),
            metric_type=name.removeprefix("eval_"), metric_value=value,
        )
        for name, value in metrics.items()
        if name.removeprefix("eval_") in ("accuracy", "f1", "perplexity", "loss", "mse", "mae", "pearson")
    ]
    name = model_name or (repo_id.split("/")[-1] if repo_id else f"ulmfit-{'classifier' if classifier else 'lm'}")
    card_data = ModelCardData(
        language=language,
        license=license,
        library_name="transformers",
        pipeline_tag=task[0],
        tags=list(dict.fromkeys([*TAGS, *(["backward"] if config.backwards else []), *extra_tags])),
        datasets=list(datasets) or None,
        base_model=base_model,
        model_name=name,
        eval_results=eval_results or None,
    )
    dropouts = " / ".join(f"{p:g}" for p in config.dropouts(scaled=False).values())
    return ModelCard.from_template(
        card_data,
        template_path=str(template_path("classifier" if classifier else "lm")),
        model_name=name,
        repo_id=repo_id or "path/to/this/folder",
        base_model=base_model,
        direction="backward" if config.backwards else "forward",
        vocab_size=config.vocab_size,
        embedding_size=config.embedding_size,
        hidden_size=config.hidden_size,
        num_hidden_layers=config.num_hidden_layers,
        dropouts=dropouts,
        drop_mult=config.drop_mult,
        bptt=config.bptt,
        max_len=config.max_len,
        classifier_hidden_sizes=config.classifier_hidden_sizes,
        labels=[config.id2label[i] for i in sorted(config.id2label)] if classifier else [],
        problem_type=config.problem_type or "single_label_classification",
        num_parameters=f"{model.num_parameters():,}",
        datasets=list(datasets),
        recipe=dict(recipe or {}),
        metrics=metrics,
        source=source,
        converted_from=converted_from,
        domain_adaptation=dict(domain_adaptation or {}),
    )


def write_model_card(folder: str | os.PathLike, model, **info) -> Path:
    """Write `build_model_card(model, **info)` as `folder/README.md`, atomically."""
    path = Path(folder) / "README.md"
    text = str(build_model_card(model, **info))
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
