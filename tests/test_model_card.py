"""Model cards filled from model_cards/ templates."""

from huggingface_hub import ModelCard

from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification, ULMFiTTrainingArguments
from hf_ulmfit.model_card import build_model_card, recipe_from_args, write_model_card

SIZES = dict(vocab_size=30, embedding_size=8, hidden_size=10)


def test_classifier_card_metadata_and_text(tmp_path):
    config = ULMFiTConfig(**SIZES, num_labels=2, id2label={0: "neg", 1: "pos"}).for_classifier()
    model = ULMFiTForSequenceClassification(config)
    args = ULMFiTTrainingArguments(output_dir=str(tmp_path), learning_rate=0.02, unfreeze_stages=[1, 1, 1, 2],
                                   report_to="none")
    path = write_model_card(tmp_path, model, repo_id="me/imdb-clas", base_model="me/imdb-lm", datasets=["imdb"],
                            metrics={"eval_accuracy": 0.91234, "eval_f1": 0.9, "eval_runtime": 3.0},
                            recipe=recipe_from_args(args))
    card = ModelCard.load(path)
    data = card.data.to_dict()
    assert data["library_name"] == "transformers" and data["pipeline_tag"] == "text-classification"
    assert {"ulmfit", "awd-lstm"} <= set(data["tags"])
    assert data["datasets"] == ["imdb"] and data["base_model"] == "me/imdb-lm"
    metrics = {m["type"]: m["value"] for m in data["model-index"][0]["results"][0]["metrics"]}
    assert metrics == {"accuracy": 0.9123, "f1": 0.9}  # runtime is no model-index metric
    text = card.text
    assert "`neg`, `pos`" in text and "trust_remote_code=True" in text and "me/imdb-clas" in text
    assert "| lr_decay_factor | 2.6 |" in text and "| unfreeze_stages | [1, 1, 1, 2] |" in text
    assert "| lr_schedule | stlr |" in text and "| stlr_ratio | 32.0 |" in text and "one_cycle_div" not in text
    assert not list(tmp_path.glob(".README.*"))


def test_lm_card_marks_direction():
    model = ULMFiTForCausalLM(ULMFiTConfig(**SIZES, backwards=True))
    card = build_model_card(model, datasets=["wikitext-2"], metrics={"eval_perplexity": 123.456})
    assert card.data.pipeline_tag == "text-generation" and "backward" in card.data.tags
    assert "right to left" in card.text and 'pipeline("text-generation"' in card.text
    assert card.data.eval_results[0].metric_value == 123.456
