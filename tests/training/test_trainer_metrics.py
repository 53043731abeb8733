import numpy as np
import pytest
from ddp_common import classifier_documents, tiny_classifier
from transformers import EvalPrediction

from hf_ulmfit.training.metrics import classification_metrics, compute_lm_metrics
from hf_ulmfit.training.trainer import ULMFiTTrainer
from hf_ulmfit.training.training_args import ULMFiTTrainingArguments


def test_classification_metrics_fall_back_to_local_accuracy_and_f1_offline():
    compute = classification_metrics(("accuracy", "f1"), f1_average="macro")
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0]])  # predicts 0, 1, 1, 0, 1
    labels = np.array([0, 1, 0, 0, 0])
    # class 0: tp 2, predicted 2, true 4 -> 4/6; class 1: tp 1, predicted 3, true 1 -> 2/4.
    assert compute(EvalPrediction(logits, labels)) == pytest.approx({"accuracy": 0.6, "f1": (4 / 6 + 2 / 4) / 2})
    binary = classification_metrics(("f1",), f1_average="binary")
    assert binary(EvalPrediction(logits, labels)) == pytest.approx({"f1": 0.5})


def test_lm_accuracy_ignores_padding_targets():
    predictions = np.array([[5, 6, 7], [8, 9, 9]])
    labels = np.array([[5, 0, 7], [8, -100, -100]])
    assert compute_lm_metrics(EvalPrediction(predictions, labels)) == {"accuracy": 0.75}


def test_classifier_evaluation_reports_accuracy_and_f1(tmp_path):
    args = ULMFiTTrainingArguments(
        output_dir=str(tmp_path), per_device_eval_batch_size=4, report_to="none", use_cpu=True, disable_tqdm=True
    )
    trainer = ULMFiTTrainer(
        model=tiny_classifier(),
        args=args,
        eval_dataset=classifier_documents(12),
        compute_metrics=classification_metrics(),
    )
    metrics = trainer.evaluate()
    predictions = trainer.predict(classifier_documents(12))
    expected = (predictions.predictions.argmax(-1) == np.array(classifier_documents(12)["label"])).mean()
    assert metrics["eval_accuracy"] == pytest.approx(expected)  # sorted evaluation, dataset-order predictions
    assert 0 <= metrics["eval_f1"] <= 1
