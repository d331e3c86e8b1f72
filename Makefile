# Outreach — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
HOST ?= 127.0.0.1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-test system-deps browser test-tools bootstrap-css translations compile-translations migrate seed run test test-fast bench clean icons

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

# The accessibility checks' tools: axe-core and the Nu HTML checker (vnu.jar) from npm into node_modules/,
# and Java for vnu.jar from Debian when missing. npm runs no install script (vnu-jar's would fetch a Java).
node_modules/.installed: package.json
	@command -v npm >/dev/null || { echo "Installing Node.js and npm from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	npm install --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

test-tools: node_modules/.installed
	@if ! command -v java >/dev/null; then \
	  echo "Installing Java (for the Nu HTML checker) from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; \
	fi

## bootstrap-css: rebuild the Bootstrap subset (outreach/static/vendor/bootstrap.min.css) from assets/bootstrap-subset.scss
bootstrap-css: node_modules/.installed
	npx sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps \
	  --silence-deprecation=import,global-builtin,color-functions assets/bootstrap-subset.scss build/bootstrap.css
	{ printf '/*! Bootstrap v5.3.8 subset (assets/bootstrap-subset.scss) | MIT License | https://getbootstrap.com/ */\n'; \
	  sed -e 's/^\xef\xbb\xbf//' -e 's/^@charset "UTF-8";//' -e 's#/\*!.*\*/##' build/bootstrap.css; } > outreach/static/vendor/bootstrap.min.css

## translations: extract messages, update the kk/ru/en catalogs, compile them
translations: $(VENV)/.installed
	$(PY) scripts/check_templates.py  # a template Babel cannot parse would lose all its strings
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

WORKERS ?= 2
THREADS ?= 4

## run: install, compile translations, migrate, seed demo data into an empty database, serve with gunicorn
## (make run DEV=1: Flask's development server, which reloads templates and code as you change them)
run: seed
ifdef DEV
	FLASK_DEBUG=1 $(FLASK) run --host $(HOST) --port $(PORT)
else
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --workers $(WORKERS) --threads $(THREADS) --bind $(HOST):$(PORT) wsgi:app
endif

## test: install what the tests need, check the layers of the house (import-linter), run the whole suite
test: install $(VENV)/.installed-test browser test-tools
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest

## icons: redraw the app icons (outreach/static/icons/*.png, committed) with Pillow
icons: $(VENV)/.installed
	$(PY) scripts/make_icons.py

## bench: the impact report at national scale (SQLite; DATABASE_URL=... for PostgreSQL) and the key pages
bench: install
	$(PY) bench/report_bench.py
	$(PY) bench/write_bench.py
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) instance node_modules translations/*/LC_MESSAGES/*.mo
