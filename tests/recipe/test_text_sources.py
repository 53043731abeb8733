"""Loading stage data from local files: builders, empty texts, labels."""

import gzip
import json

import pytest
from datasets import ClassLabel, Dataset, Features, Value

from hf_ulmfit.recipe.text_sources import builder_for, encode_labels, label_names, load_texts


def test_builders_by_file_ending(tmp_path):
    assert builder_for(tmp_path / "a.txt.gz") == ("text", {})
    assert builder_for(tmp_path / "a.jsonl") == ("json", {})
    assert builder_for(tmp_path / "a.tsv") == ("csv", {"delimiter": "\t"})
    with pytest.raises(ValueError, match="Cannot read .*a.parquet"):
        builder_for(tmp_path / "a.parquet")


def test_load_texts_concatenates_and_drops_empty_texts(tmp_path):
    (tmp_path / "a.txt").write_text("first line\n\n   \nsecond line\n")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as f:
        f.write(json.dumps({"text": "third", "label": "x"}) + "\n" + json.dumps({"text": "", "label": "y"}) + "\n")
    data = load_texts([str(tmp_path / "a.txt"), str(tmp_path / "b.jsonl.gz")], "text")
    assert data["text"] == ["first line", "second line", "third"]
    with pytest.raises(ValueError, match="has no column 'label'"):
        load_texts([str(tmp_path / "a.txt")], "text", keep_columns=["label"])


def test_labels_from_values_or_class_label():
    plain = Dataset.from_dict({"text": ["a", "b", "c"], "label": ["pos", "neg", "pos"]})
    assert label_names(plain, "label") == ["neg", "pos"]
    encoded = encode_labels(plain, "label", {"neg": 0, "pos": 1}, "training")
    assert encoded["labels"] == [1, 0, 1] and "label" not in encoded.column_names
    typed = Dataset.from_dict({"text": ["a", "b"], "label": [1, 0]},
                              features=Features({"text": Value("string"), "label": ClassLabel(names=["bad", "good"])}))
    assert label_names(typed, "label") == ["bad", "good"]
    assert encode_labels(typed, "label", {"bad": 0, "good": 1}, "training")["labels"] == [1, 0]
    with pytest.raises(ValueError, match=r"evaluation data has labels the model was not trained with: \['pos'\]"):
        encode_labels(plain, "label", {"neg": 0}, "evaluation")
