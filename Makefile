# Locum: the commands people type. The first run sets up .venv by itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCUM  := $(BIN)/locum
LOCALE ?=
PORT   ?= 8000
SITE   ?= output

.PHONY: publish extract update check translate review review-server stats compile build preview serve test tools bench clean help

help:
	@echo "make publish   extract, update, compile and build the site into output/ (sets up .venv on first run)"
	@echo "make serve     serve output/ on http://127.0.0.1:$(PORT)/ (SITE=.cache/preview: the preview)"
	@echo "make preview   build every page, unreviewed text marked, into .cache/preview/ (never output/)"
	@echo "make check     safety and quality checks of every catalog (exit 1 on errors)"
	@echo "make translate LOCALE=es [PROVIDER=memory]   prefill untranslated entries as fuzzy"
	@echo "make review LOCALE=es   segments waiting for a reviewer"
	@echo "make review-server   the review web app on http://127.0.0.1:$(REVIEW_PORT)/ (locum review serve)"
	@echo "make stats     progress per locale and article"
	@echo "make test      lint (ruff), import contracts (lint-imports), then the test suite"
	@echo "make tools     install the test judges that come from npm (Nu HTML checker, axe-core)"
	@echo "make bench     time every stage on a synthetic 1,000-article corpus, and the translation memory"
	@echo "make clean     remove output/, caches and compiled catalogs"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

publish: $(STAMP)
	$(LOCUM) publish

check: $(STAMP)
	$(LOCUM) check $(if $(LOCALE),--locale $(LOCALE))

PROVIDER ?= memory
translate: $(STAMP)
	@test -n "$(LOCALE)" || { echo "usage: make translate LOCALE=es [PROVIDER=memory]"; exit 2; }
	$(LOCUM) translate --locale $(LOCALE) --provider $(PROVIDER)

review: $(STAMP)
	@test -n "$(LOCALE)" || { echo "usage: make review LOCALE=es"; exit 2; }
	$(LOCUM) review pending --locale $(LOCALE)

# Reviewers sign off in a browser; set their passwords first: .venv/bin/locum review passwd EMAIL.
# The shipped locum.toml declares the SAMPLE server key of tests/data/keys/: it is installed into the store
# when the store has none (make your own with `locum review server-key` and declare it before real use).
REVIEW_PORT  ?= 8400
REVIEW_STORE ?= .review
review-server: $(STAMP)
	@test -f $(REVIEW_STORE)/server_key || { install -d -m 700 $(REVIEW_STORE) && \
	  install -m 600 tests/data/keys/review-server $(REVIEW_STORE)/server_key && \
	  echo "review-server: installed the SAMPLE server key of tests/data/keys/ (its private key is public)"; }
	$(LOCUM) review serve --port $(REVIEW_PORT) --store $(REVIEW_STORE)

stats: $(STAMP)
	$(LOCUM) stats

compile: $(STAMP)
	$(LOCUM) compile

build: $(STAMP)
	$(LOCUM) build

# A preview goes to .cache/preview/ and never touches output/; serve it with: make serve SITE=.cache/preview
preview: $(STAMP)
	$(LOCUM) build --preview

serve: $(STAMP)
	@test -d $(SITE) || $(LOCUM) $(if $(filter output,$(SITE)),publish,build --preview)
	@echo "Serving $(SITE)/ on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(SITE) $(PORT)

extract: $(STAMP)
	$(LOCUM) extract

update: $(STAMP)
	$(LOCUM) update $(if $(LOCALE),--locale $(LOCALE))

test: $(STAMP)
	$(BIN)/ruff check --quiet workflow tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

# External judges used by the tests: the Nu HTML checker (npm vnu-jar, run with java) and
# axe-core (npm, run inside Chromium by the tests).
tools: .tools/node_modules/vnu-jar/build/dist/vnu.jar .tools/node_modules/axe-core/axe.min.js

.tools/node_modules/vnu-jar/build/dist/vnu.jar:
	npm install --silent --no-audit --no-fund --prefix .tools vnu-jar

.tools/node_modules/axe-core/axe.min.js:
	npm install --silent --no-audit --no-fund --prefix .tools axe-core

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/memory_bench.py
	$(BIN)/python bench/review_bench.py
	$(BIN)/python bench/exchange_bench.py

clean:
	rm -rf output .output-staging-* .output-old-* .cache .pytest_cache .hypothesis bench/out
	find locales \( -name '*.mo' -o -name '*.audit.json' \) -delete
