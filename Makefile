# sagenotes-anki: `make deck` builds build/sagenotes.apkg from notes/; `make test` runs the tests.
# Both work on a fresh Debian machine that has python3 and make: the rules below create the
# virtual environment and install what is missing (Debian packages with apt-get, as root or
# through sudo).

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip
TOOL    := $(VENV)/bin/sagenotes-anki
NOTES   ?= notes
DECK    ?= build/sagenotes.apkg
PREVIEW ?= build/preview.html

# Debian packages the tests use: a real browser for the card screenshots, Korean fonts, and
# MathJax (served to the browser by the math test only: cards never load it themselves).
TEST_DEBS := chromium fonts-noto-cjk libjs-mathjax

# What a deck depends on: every note and settings file, the folders holding them (a folder's
# time changes when a note is added or deleted), the code and the packaging metadata. Hidden
# folders (.obsidian, .trash) are skipped, as the tool skips them. The lock file is written by
# the build itself, so it is deliberately not a prerequisite.
NOTE_FILES := $(NOTES) $(shell find $(NOTES) -mindepth 1 -name '.*' -prune -o \
	\( -type d -o -name '*.md' -o -name 'sagenotes.toml' \) -print 2>/dev/null)
CODE_FILES := $(shell find sagenotes_anki -name __pycache__ -prune -o -type f \
	\( -name '*.py' -o -path '*/templates/*' \) -print) pyproject.toml

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT  := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -y -q

# $(call apt_install,packages): install the Debian packages not installed yet; no-op when all are.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "warning: not Debian; install$$missing yourself"; exit 0; fi; \
	  echo "installing Debian packages:$$missing"; \
	  $(APT) update && $(APT) install --no-install-recommends $$missing; \
	fi
endef

.PHONY: deck test check lint preview bench clean distclean help

help:
	@echo "make deck     build $(DECK) from $(NOTES)/ (only when a note or the code changed)"
	@echo "make test     install the test dependencies and run pytest"
	@echo "make check    report problems in $(NOTES)/ without building"
	@echo "make lint     ruff + mypy --strict"
	@echo "make preview  write $(PREVIEW) with every card"
	@echo "make bench    run the benchmark (results in benchmarks/results/)"
	@echo "make clean    remove build output and caches (distclean: the .venv too)"

deck: $(DECK)

# `touch`: when nothing changed the tool leaves the package as it is (its mtime too), and
# make would otherwise run it again on every call.
$(DECK): $(VENV)/.installed $(NOTE_FILES) $(CODE_FILES)
	$(TOOL) build $(NOTES) -o $@
	@touch $@

# python3 -m venv needs ensurepip, which Debian ships separately (python3-venv): when the
# first attempt fails, install it and try again (the second attempt shows its errors).
$(PY):
	@$(PYTHON3) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  v=$$($(PYTHON3) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  $(MAKE) --no-print-directory apt-venv VENV_DEBS="python3-venv python$$v-venv" && \
	  $(PYTHON3) -m venv $(VENV); }
	$(PIP) install -q --upgrade pip

.PHONY: apt-venv
apt-venv:
	$(call apt_install,$(VENV_DEBS))

# An editable install leaves the package uncompiled; compiling it once spares every run the
# work where PYTHONDONTWRITEBYTECODE keeps Python from caching it.
$(VENV)/.installed: $(PY) pyproject.toml
	$(PIP) install -q -e .
	$(PY) -m compileall -q sagenotes_anki
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[test,dev]'
	@touch $@

$(VENV)/.installed-bench: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[bench]'
	@touch $@

test: $(VENV)/.installed-test
	$(call apt_install,$(TEST_DEBS))
	$(VENV)/bin/pytest

check: $(VENV)/.installed
	$(TOOL) check $(NOTES)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy --strict

preview: $(VENV)/.installed
	$(TOOL) preview $(NOTES) -o $(PREVIEW)

bench: $(VENV)/.installed-bench
	$(PY) benchmarks/run.py

clean:
	rm -rf build .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
