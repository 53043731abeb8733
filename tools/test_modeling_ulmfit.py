"""Outside check (run by tools/transformers_common_tests.sh, never collected by the package's own suite): transformers' common model and generation tests on the three ULMFiT classes.

ULMFIT_SOURCE=package (default): classes imported from hf_ulmfit.
ULMFIT_SOURCE=remote: a tiny folder saved by a subprocess with hf_ulmfit, loaded here through the Auto classes with
trust_remote_code in a process that never imports hf_ulmfit."""
import os
import subprocess
import sys
import tempfile
import unittest

import torch
from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification

from transformers.models.auto import modeling_auto

from .generation.test_utils import GenerationTesterMixin
from .test_configuration_common import ConfigTester
from .test_modeling_common import ModelTesterMixin, ids_tensor, random_attention_mask

SOURCE = os.environ.get("ULMFIT_SOURCE", "package")
PADDED = os.environ.get("ULMFIT_PADDED", "1")
TINY = dict(vocab_size=99, embedding_size=16, hidden_size=16, num_hidden_layers=2, bptt=5, max_len=10,
            pad_token_id=1, bos_token_id=2, eos_token_id=3)

if SOURCE == "package":
    from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTForSequenceClassification, ULMFiTModel
else:
    FOLDER = tempfile.mkdtemp()
    subprocess.run([sys.executable, "-c", (
        "import sys; from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM as M; "
        f"M(ULMFiTConfig(**{TINY!r})).save_pretrained(sys.argv[1])"), FOLDER], check=True)
    assert "hf_ulmfit" not in sys.modules
    ULMFiTConfig = type(AutoConfig.from_pretrained(FOLDER, trust_remote_code=True))
    _cfg = AutoConfig.from_pretrained(FOLDER, trust_remote_code=True)
    ULMFiTModel = type(AutoModel.from_config(_cfg, trust_remote_code=True))
    ULMFiTForCausalLM = type(AutoModelForCausalLM.from_config(_cfg, trust_remote_code=True))
    ULMFiTForSequenceClassification = type(AutoModelForSequenceClassification.from_config(_cfg, trust_remote_code=True))
    assert "hf_ulmfit" not in sys.modules


# What transformers' auto mappings would hold for a model it ships (the mixins pick labels and base models by them).
modeling_auto.MODEL_MAPPING_NAMES["ulmfit"] = "ULMFiTModel"
modeling_auto.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES["ulmfit"] = "ULMFiTForCausalLM"
modeling_auto.MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES["ulmfit"] = "ULMFiTForSequenceClassification"


class ULMFiTModelTester:
    def __init__(self, parent, batch_size=4, seq_length=7, vocab_size=99, num_labels=3, is_training=True):
        self.parent, self.batch_size, self.seq_length = parent, batch_size, seq_length
        self.vocab_size, self.num_labels, self.is_training = vocab_size, num_labels, is_training
        self.num_hidden_layers = TINY["num_hidden_layers"]
        self.hidden_size = TINY["embedding_size"]

    def get_config(self):
        return ULMFiTConfig(**TINY, num_labels=self.num_labels)

    def prepare_config_and_inputs(self):
        input_ids = ids_tensor([self.batch_size, self.seq_length], self.vocab_size)
        attention_mask = torch.ones_like(input_ids)
        if PADDED == "1":
            attention_mask[0, -2:] = 0  # right padding
            attention_mask[1, :3] = 0  # left padding
        elif PADDED == "random":  # transformers' random_attention_mask: holes anywhere, the last token real
            attention_mask = random_attention_mask([self.batch_size, self.seq_length])
        return self.get_config(), input_ids, attention_mask

    def prepare_config_and_inputs_for_common(self):
        config, input_ids, attention_mask = self.prepare_config_and_inputs()
        return config, {"input_ids": input_ids, "attention_mask": attention_mask}


class ULMFiTModelTest(ModelTesterMixin, GenerationTesterMixin, unittest.TestCase):
    all_model_classes = (ULMFiTModel, ULMFiTForCausalLM, ULMFiTForSequenceClassification)
    has_attentions = False
    test_missing_keys = False

    def setUp(self):
        self.model_tester = ULMFiTModelTester(self)
        self.config_tester = ConfigTester(self, config_class=ULMFiTConfig, common_properties=["hidden_size", "num_hidden_layers"], **TINY)

    def test_config(self):
        self.config_tester.run_common_tests()

    def _check_past_key_values_for_generate(self, batch_size, past_key_values, seq_length, config):
        # The cache is the LSTM state: one (h, c) pair per layer, (1, batch, width), as for Mamba's own cache class.
        self.assertEqual(len(past_key_values), config.num_hidden_layers)
        for h, c in past_key_values:
            self.assertEqual(h.shape[:2], (1, batch_size))
            self.assertEqual(c.shape, h.shape)
