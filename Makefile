# One entry point. `make demo` runs the main job, `make test` the tests; both build .venv from the lock.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test test-slow lint bench bench-model bench-quality clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python examples/demo.py

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

test-slow: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks

# Tokenizer benchmark against fastai, which lives in its own virtualenv (never a package dependency).
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed:
	test -x $(BENCH_VENV)/bin/python || $(PY) -m venv $(BENCH_VENV) || python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q torch==2.13.0 fastcore fastprogress fastdownload fasttransform \
		plum-dispatch matplotlib pandas requests pyyaml pillow scikit-learn scipy "spacy<4" packaging safetensors \
		"transformers==5.23.0" "tokenizers==0.23.3"
	$(BENCH_VENV)/bin/python -m pip install -q --no-deps fastai==2.8.12
	touch $@

bench: $(BENCH_VENV)/.installed
	HF_HUB_OFFLINE=1 $(BENCH_VENV)/bin/python benchmarks/bench_tokenizer.py

# Model speed against fastai in the same venv; the script imports hf_ulmfit from src/ (it needs accelerate there).
# BENCH_ARGS=--quick for a short run.
bench-model: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -c "import accelerate" 2>/dev/null || $(BENCH_VENV)/bin/python -m pip install -q accelerate
	HF_HUB_OFFLINE=1 $(BENCH_VENV)/bin/python benchmarks/bench_model.py $(BENCH_ARGS)

# Classifier quality against fastai (same LM weights, token ids and recipe); our side needs datasets there too.
bench-quality: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -c "import datasets, accelerate, evaluate" 2>/dev/null || \
		$(BENCH_VENV)/bin/python -m pip install -q -c constraints.txt datasets accelerate evaluate
	HF_HUB_OFFLINE=1 $(BENCH_VENV)/bin/python benchmarks/fastai_quality.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info
