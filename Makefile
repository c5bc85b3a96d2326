# Set-up and checks. `make demo` and `make test` install whatever is missing:
# Tesseract 5 with English data (apt-get, where tesseract is absent), fonts for the sample
# generator, Chromium for the review-page test, the libGL/GLib that OpenCV loads, and the
# package with its test tools in .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test setup system-deps venv bench clean

demo: setup
	$(VENV)/bin/ocr-labels scan samples/ --as-of 2026-01-01; status=$$?; \
	  if [ $$status -gt 1 ]; then exit $$status; fi

test: setup
	$(PY) -m pytest

setup: system-deps venv

system-deps:
	@missing=""; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr tesseract-ocr-eng"; \
	if command -v tesseract >/dev/null 2>&1 && ! tesseract --list-langs 2>/dev/null | grep -qx eng; then missing="$$missing tesseract-ocr-eng"; fi; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ldconfig -p | grep -q 'libGL.so.1 ' || missing="$$missing libgl1"; \
	ldconfig -p | grep -q 'libgthread-2.0.so.0 ' || missing="$$missing libglib2.0-0"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing:$$missing. Install them with your package manager (Tesseract 5 with English data: 'brew install tesseract', 'dnf install tesseract tesseract-langpack-eng'), then run make again." >&2; \
	    exit 1; \
	  fi; \
	fi
	@tesseract --version 2>&1 | head -1

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

bench: setup
	$(PY) scripts/make_samples.py bench-out/synthetic --count 60 --seed 101 --difficulty hard
	$(PY) scripts/bench.py bench-out/synthetic
	$(PY) scripts/bench.py ../shared/realdata

clean:
	rm -rf $(VENV) build dist *.egg-info bench-out .pytest_cache
