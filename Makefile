# Steward: `make run` serves the demo operator; `make test` runs every check CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUN_STAMP := $(VENV)/.runtime-stamp
PORT ?= 8000
UV_VERSION := 0.13.9
SOURCES := src tests bench examples
DEMO := examples/demo
LOCALE := src/steward/locale
DEMO_OWNER := owner@demo.example
DEMO_PASSWORD := demo kettle lantern 2026

.PHONY: install install-runtime system-deps run test lint format typecheck unit lock clean demo-db i18n

# Everything the suite needs (requirements.lock: runtime and dev tools, one resolution).
# Byte-code is compiled at install so that the CLI starts fast even where Python is told not
# to write it (PYTHONDONTWRITEBYTECODE, common in containers).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q src
	touch $@ $(RUN_STAMP)

# What `make run` needs: the runtime only (requirements-run.lock, pinned to the same versions).
$(RUN_STAMP): pyproject.toml requirements-run.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "installing Steward's runtime dependencies into $(VENV) ..."
	$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --compile-bytecode --python $(BIN)/python -r requirements-run.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q src
	touch $@

# Each language's compiled catalogue, rebuilt whenever its .po changes (a .po newer than its
# .mo is also compiled in memory on first use, so a stale .mo is never read; this saves the time).
MO := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))
$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po | $(RUN_STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@ -l $*

install: $(STAMP) $(MO)

install-runtime: $(RUN_STAMP) $(MO)

system-deps:
	scripts/ensure-system.sh

demo-db: install-runtime
	$(BIN)/python $(DEMO)/make_demo_db.py $(DEMO)/app.db

run: install-runtime demo-db
	STEWARD_DEV=1 STEWARD_DATABASE_URL=sqlite:///steward.db $(BIN)/steward register load $(DEMO)/register.yaml
	echo "$(DEMO_PASSWORD)" | STEWARD_DEV=1 STEWARD_DATABASE_URL=sqlite:///steward.db \
	  $(BIN)/steward admin create $(DEMO_OWNER) --role owner --password-stdin --exists-ok
	@echo "admin: http://127.0.0.1:$(PORT)/admin/ as $(DEMO_OWNER) / $(DEMO_PASSWORD) (demo only)"
	@echo "demo: the second factor is off for every role (STEWARD_TOTP_ROLES is empty); the sign-in page says so"
	STEWARD_DEV=1 STEWARD_TOTP_ROLES= STEWARD_DATABASE_URL=sqlite:///steward.db DEMO_APP_DATABASE_URL=sqlite:///$(DEMO)/app.db \
	  STEWARD_REGISTER_PATH=$(DEMO)/register.yaml STEWARD_BASE_URL=http://127.0.0.1:$(PORT) $(BIN)/steward serve --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

format: install
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

typecheck: install
	$(BIN)/mypy src/steward/register src/steward/law src/steward/datastores src/steward/discovery

unit: install
	$(BIN)/pytest tests/unit -q

test: install system-deps lint typecheck
	$(BIN)/pytest -q

# Translations: extract every marked string (babel.cfg) into messages.pot, merge it into each
# language's .po (new strings come in untranslated, never guessed), compile the .mo files.
# tests/unit/lib/test_i18n.py fails while a .po is behind the sources or a string is untranslated.
i18n: install
	$(BIN)/pybabel -q extract -F babel.cfg -k NC_:1c,2 --no-location --sort-output --project=Steward \
	  -o $(LOCALE)/messages.pot src/steward
	$(BIN)/pybabel -q update -N --ignore-obsolete -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages
	$(BIN)/pybabel compile --statistics -d $(LOCALE) -D messages

lock:
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --extra names --python-version 3.11 \
	  -o requirements.lock
	$(BIN)/uv pip compile -q pyproject.toml --extra names --python-version 3.11 -c requirements.lock \
	  -o requirements-run.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache steward.db $(DEMO)/app.db
