# The two commands a newcomer runs (see README.md): `make site` and `make test`.
# Each creates .venv if missing and installs what it needs; nothing is assumed installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test serve clean messages page-weight bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalls only when pyproject.toml changes (the install is editable, so code edits need none).
$(VENV)/.installed-site: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-site

site: $(VENV)/.installed-site
	$(BIN)/outreach build --site .

# Preview the example site with drafts at http://127.0.0.1:8000/, rebuilt and reloaded on every save.
serve: $(VENV)/.installed-site
	$(BIN)/outreach serve --site .

# Includes the browser tests (tests/test_browser.py), which need Debian's chromium (apt-get install chromium).
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n auto

# The gzip weight (HTML+CSS+JS) of each page type of the example site and its axe violation count.
page-weight: $(VENV)/.installed-test
	$(BIN)/python scripts/page_weight.py

# Refresh the translation templates and catalogues (every language: vi, en) after changing messages
# or templates, then compile them to check them and count what is left to translate. The build reads
# the .po files itself (compiled in memory by Babel); the .mo files made here are not committed.
# A new language: $(BIN)/pybabel init -i templates/locale/theme.pot -d templates/locale -D theme -l CODE
# (and the same for generator/locale, domain outreach), then `make messages`.
messages: $(VENV)/.installed-site
	$(BIN)/pybabel extract -F babel-theme.cfg -o templates/locale/theme.pot .
	$(BIN)/pybabel update -i templates/locale/theme.pot -d templates/locale -D theme
	$(BIN)/pybabel extract -F babel-tool.cfg -k N_ -k Msg -k gettext -k translate -o generator/locale/outreach.pot .
	$(BIN)/pybabel update -i generator/locale/outreach.pot -d generator/locale -D outreach
	$(BIN)/pybabel compile --statistics -d templates/locale -D theme
	$(BIN)/pybabel compile --statistics -d generator/locale -D outreach

clean:
	rm -rf output .cache .pytest_cache test-artifacts

# Outreach against Pelican, Hugo and Eleventy (installed by the script into a temporary folder);
# not part of `make test`. BENCH_ARGS="--sizes 1000 --runs 1" for a quicker run.
bench: $(VENV)/.installed-site
	$(BIN)/python bench/run.py $(BENCH_ARGS)
