# Outreach — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
HOST ?= 127.0.0.1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-test system-deps browser translations compile-translations migrate seed run test test-fast bench clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[test]'
	touch $@

## install: the application and its dependencies into .venv
install: system-deps $(VENV)/.installed compile-translations

# gettext (msgfmt) and the fonts and libraries WeasyPrint needs for PDFs, from Debian when missing.
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; it downloads nothing).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Chromium from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

## translations: extract messages, update the kk/ru/en catalogs, compile them
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg --ignore-dirs ".*" -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 -k _lp:1c,2 -k lazy_pgettext:1c,2 -o translations/messages.pot --no-location --sort-output --project Outreach --omit-header . >/dev/null
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(MAKE) compile-translations

compile-translations: $(VENV)/.installed
	@$(VENV)/bin/pybabel compile -d translations --statistics 2>&1 | grep -v '^$$' | sed 's/^/  /' || true
	@for lang in kk ru en; do msgfmt --check -o /dev/null translations/$$lang/LC_MESSAGES/messages.po; done

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

## run: install, compile translations, migrate, seed demo data into an empty database, serve
run: seed
	$(FLASK) run --host $(HOST) --port $(PORT)

## test: install what the tests need and run the whole suite
test: install $(VENV)/.installed-test browser
	$(PY) -m pytest

bench: install
	$(PY) bench/report_bench.py

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo
