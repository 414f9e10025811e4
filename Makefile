# Parcours: two commands for everyone, `make run` and `make test` (see README.md).
# Works on a fresh clone on Debian 12 with Python 3.11; installs what it needs from PyPI and Debian.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PARCOURS := $(BIN)/parcours
HOST ?= 127.0.0.1
PORT ?= 8000
# A local run shows Django's error pages; `make run DEBUG=0` to see what users see.
DEBUG ?= 1
LANGUAGES := fr ar en pt
PIP := $(BIN)/python -m pip --disable-pip-version-check

# Installs Debian packages $(1) as root, or through `sudo -n`; fails with a message otherwise.
define apt_install
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	else \
		echo "Cannot install the Debian package(s) $(1): not root and no password-less sudo."; false; \
	fi
endef

.PHONY: help run test lint frontend messages chromium

help:
	@echo "make run     install, migrate, load the demo, serve on http://$(HOST):$(PORT)/ (PORT=8010 to change)"
	@echo "make test    install test tools, lint, check migrations, run the tests (SQLite, then DATABASE_URL)"
	@echo "make frontend  rebuild the vendored Bootstrap, htmx, Leaflet, Vega and form bundle from frontend/ (needs npm)"
	@echo "make messages  extract and compile translations ($(LANGUAGES))"

# The virtual environment. Debian's Python needs python3.11-venv for `-m venv` to bring pip.
$(BIN)/pip:
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (Debian 12: apt-get install python3)."; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		echo "python -m venv failed: installing Debian's python3-venv"; \
		$(call apt_install,python3-venv python3.11-venv) && $(PYTHON) -m venv $(VENV); }

# Reinstall only when pyproject.toml changed (the stamps live in the venv, so a new venv reinstalls).
$(VENV)/.installed-run: pyproject.toml | $(BIN)/pip
	@echo "Installing Parcours into $(VENV) (pip install -e .)"
	@$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/pip
	@echo "Installing Parcours and its test tools into $(VENV) (pip install -e '.[test]')"
	@$(PIP) install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	@DEBUG=$(DEBUG) $(PARCOURS) migrate --no-input --verbosity 0
	@DEBUG=$(DEBUG) $(PARCOURS) demo --if-empty
	@$(BIN)/python -c 'from parcours.demo import data; \
		print("\nDemo logins (e-mail / password, role):"); \
		[print(f"  {x.email:28} {x.password:20} {x.role}") for x in data.LOGINS]; \
		device = getattr(data, "DEVICE_LOGIN", None); \
		device and print(f"  ODK Collect: server http://$(HOST):$(PORT)/collect/demo, {device[0]} / {device[1]}"); \
		print("\nOpen http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the task worker)\n")'
	DEBUG=$(DEBUG) $(PARCOURS) serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium (never a downloaded browser); without it they are skipped.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		$(call apt_install,chromium) || echo "WARNING: /usr/bin/chromium missing: browser tests will be skipped."; \
	fi
	@# pdftotext reads the PDF reports and slips back in the tests.
	@if ! command -v pdftotext >/dev/null 2>&1; then \
		echo "Installing Debian's poppler-utils (pdftotext) for the PDF tests"; \
		$(call apt_install,poppler-utils) || echo "WARNING: pdftotext missing: PDF text tests will be skipped."; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DATABASE_URL=sqlite://:memory: DJANGO_SETTINGS_MODULE=parcours.settings.test $(PARCOURS) makemigrations --check --dry-run
	$(BIN)/python frontend/check_build.py
	@# The form bundle (ODK Web Forms) is rebuilt and compared when npm is here; without Node it is not checked.
	@if command -v npm >/dev/null 2>&1; then cd frontend && { [ -d node_modules/@getodk/web-forms ] || \
		npm ci --ignore-scripts --no-audit --no-fund; } && npm run --silent check:webforms; \
	else echo "npm not found: the form bundle is not rebuilt to be checked."; fi

# SQLite always (DATABASE_URL unset for that run), then PostgreSQL when DATABASE_URL is set.
test: $(VENV)/.installed-test chromium lint
	env -u DATABASE_URL $(BIN)/pytest
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "Running the tests again on $${DATABASE_URL%%://*} (DATABASE_URL)"; \
		$(BIN)/pytest; \
	else echo "DATABASE_URL not set: PostgreSQL run skipped."; fi

frontend:
	@command -v npm >/dev/null || { echo "make frontend needs Node.js and npm (Debian: apt-get install npm)."; exit 1; }
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund && npm run build

# Extract every translatable string of the package into parcours/locale, then compile the catalogues.
messages: $(VENV)/.installed-run
	@command -v msgfmt >/dev/null || { $(call apt_install,gettext); }
	cd parcours && PARCOURS_VAR_DIR=$(CURDIR)/var $(abspath $(PARCOURS)) makemessages \
		$(foreach lang,$(LANGUAGES),-l $(lang)) --ignore 'static/*' --ignore '*/migrations/*'
	cd parcours && PARCOURS_VAR_DIR=$(CURDIR)/var $(abspath $(PARCOURS)) compilemessages --ignore 'static/*'
