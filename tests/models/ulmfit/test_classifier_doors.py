"""One classifier whichever door: built from the shipped LM through the class or the Auto class, from the installed
package or from the folder's own code in a process without hf_ulmfit, it has the same configuration and logits as
the one `train_classifier.py` builds."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForSequenceClassification

from hf_ulmfit import ULMFiTForSequenceClassification
from hf_ulmfit.models.ulmfit.configuration_ulmfit import CLASSIFIER_DROP_MULT, CLASSIFIER_DROPOUTS

LM = Path(__file__).resolve().parents[3] / "pretrained" / "awd-lstm-small-en"
X = torch.tensor([[2, 13, 943, 50, 1703, 9, 24], [2, 631, 44, 19, 1, 1, 1]])
MASK = (X != 1).long()
# Fields that name the saved class or the code, not the model.
NOT_THE_MODEL = ("architectures", "auto_map", "transformers_version", "_name_or_path")

REMOTE = textwrap.dedent(
    """
    import json, sys, torch
    class Block:  # nothing may import hf_ulmfit in this process
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "hf_ulmfit":
                raise ImportError("hf_ulmfit must not be imported here")
    sys.meta_path.insert(0, Block())
    from transformers import AutoModelForSequenceClassification
    from transformers.dynamic_module_utils import get_class_from_dynamic_module
    folder, x, mask, out = sys.argv[1:]
    the_class = get_class_from_dynamic_module("modeling_ulmfit.ULMFiTForSequenceClassification", folder)
    results = {}
    for door, load in (("class", the_class.from_pretrained), ("auto", AutoModelForSequenceClassification.from_pretrained)):
        torch.manual_seed(0)
        model = load(folder, num_labels=2, trust_remote_code=True).eval()
        with torch.no_grad():
            logits = model(torch.load(x), attention_mask=torch.load(mask)).logits
        results[door] = {"config": model.config.to_dict(), "logits": logits.tolist()}
    json.dump(results, open(out, "w"))
    """
)


def built_here(load) -> dict:
    torch.manual_seed(0)  # the new head's weights
    model = load(LM, num_labels=2).eval()
    with torch.no_grad():
        logits = model(X, attention_mask=MASK).logits
    return json.loads(json.dumps({"config": model.config.to_dict(), "logits": logits.tolist()}))  # as the remote


def model_fields(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in NOT_THE_MODEL}


@pytest.fixture(scope="module")
def doors(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("doors")
    torch.save(X, tmp / "x.pt")
    torch.save(MASK, tmp / "mask.pt")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp / "hf_home")}
    result = subprocess.run([sys.executable, "-c", REMOTE, str(LM), str(tmp / "x.pt"), str(tmp / "mask.pt"),
                             str(tmp / "out.json")], cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    remote = json.loads((tmp / "out.json").read_text())
    return {
        "class, installed": built_here(ULMFiTForSequenceClassification.from_pretrained),
        "auto, installed": built_here(AutoModelForSequenceClassification.from_pretrained),
        "class, remote code": remote["class"],
        "auto, remote code": remote["auto"],
    }


def test_every_door_gives_the_classifier_configuration(doors):
    for door, built in doors.items():
        config = built["config"]
        assert {k: config[k] for k in CLASSIFIER_DROPOUTS} == CLASSIFIER_DROPOUTS, door
        assert config["drop_mult"] == CLASSIFIER_DROP_MULT, door
        assert len(config["id2label"]) == 2, door


def test_every_door_gives_the_same_configuration_and_logits(doors):
    reference = doors["class, installed"]
    for door, built in doors.items():
        assert model_fields(built["config"]) == model_fields(reference["config"]), door
        torch.testing.assert_close(torch.tensor(built["logits"]), torch.tensor(reference["logits"]), msg=door)


def test_the_script_builds_the_same_classifier(doors):
    """train_classifier.py builds its classifier from the LM in memory (recipe.domain_adaptation.classifier_from_lm,
    with its default fields): the same configuration as every door, and the LM's encoder."""
    from hf_ulmfit import ULMFiTForCausalLM
    from hf_ulmfit.recipe.domain_adaptation import classifier_from_lm
    from hf_ulmfit.recipe.stages import ClassifierTrainingArguments, ModelArguments, classifier_fields

    fields = classifier_fields(ModelArguments(model_name_or_path=str(LM)),
                               ClassifierTrainingArguments(output_dir="unused"), ["LABEL_0", "LABEL_1"])
    lm = ULMFiTForCausalLM.from_pretrained(LM)
    script = classifier_from_lm(lm, fields)
    config = json.loads(json.dumps(script.config.to_dict()))
    # The script names the problem type it judged from the labels; a door leaves it to transformers' rule at the
    # first loss (integer labels: the same single-label cross-entropy).
    assert config.pop("problem_type") == "single_label_classification"
    door_config = {**doors["auto, installed"]["config"]}
    assert door_config.pop("problem_type") is None
    assert model_fields(config) == model_fields(door_config)
    door = AutoModelForSequenceClassification.from_pretrained(LM, num_labels=2)
    for name, tensor in door.ulmfit.state_dict().items():
        torch.testing.assert_close(script.ulmfit.state_dict()[name], tensor, msg=name)


def test_what_the_caller_chose_is_kept():
    from transformers import AutoConfig

    chosen = AutoModelForSequenceClassification.from_pretrained(LM, num_labels=3, embed_dropout=0.07, drop_mult=0.3)
    assert (chosen.config.embed_dropout, chosen.config.drop_mult, chosen.config.num_labels) == (0.07, 0.3, 3)
    assert chosen.config.input_dropout == CLASSIFIER_DROPOUTS["input_dropout"]
    config = AutoConfig.from_pretrained(LM, hidden_dropout=0.11)
    passed = ULMFiTForSequenceClassification.from_pretrained(LM, config=config)
    assert passed.config.hidden_dropout == 0.11 and passed.config.weight_dropout == CLASSIFIER_DROPOUTS["weight_dropout"]
