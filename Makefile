# One command to set up and run the sample pipeline (`make sample`), one to set up and run the tests
# (`make test`). Both create .venv on first use.
#
# PyTorch: sentence-transformers (needed by BERTopic) depends on torch. A plain `pip install` of it
# pulls the CUDA build (several GB). We install torch $(TORCH_VERSION) first; on machines with a
# local CPU wheel pip takes that. Elsewhere, point TORCH_PIP_ARGS at PyTorch's CPU wheel index,
# e.g. `make setup TORCH_PIP_ARGS="--index-url <PyTorch CPU index URL>"`, or leave it empty to
# take PyPI's default build.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_VERSION ?= 2.13.0
TORCH_PIP_ARGS ?=
SAMPLE_OUT ?= sample-run
SAMPLE_KEY ?= sample-key/sample.key

.PHONY: setup sample test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install "torch==$(TORCH_VERSION)" $(TORCH_PIP_ARGS)
	$(BIN)/pip install -e ".[dev]"
	@touch $@

setup: $(VENV)/.installed

# The sample corpus is fictional, so its key may have a passphrase written here; never do this
# with real interviews (thememine asks for the passphrase, or reads $$THEMEMINE_KEY_PASSPHRASE).
sample: setup
	THEMEMINE_KEY_PASSPHRASE=sample-corpus-only $(BIN)/thememine run corpora/sample --out $(SAMPLE_OUT) \
		--key $(SAMPLE_KEY) --style names --codebook samarbejde_da --force
	@echo "Results are in $(SAMPLE_OUT)/, the key and the review in $(dir $(SAMPLE_KEY))"

test: setup
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check thememine tests $(wildcard benchmarks)
	$(BIN)/ruff format --check thememine tests $(wildcard benchmarks)
	$(BIN)/mypy thememine

clean:
	rm -rf $(VENV) $(SAMPLE_OUT) $(dir $(SAMPLE_KEY))
