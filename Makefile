# Steward: `make run` serves the demo operator; `make test` runs every check CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9
SOURCES := src tests bench examples
DEMO := examples/demo
DEMO_OWNER := owner@demo.example
DEMO_PASSWORD := demo kettle lantern 2026

.PHONY: install system-deps run test lint format typecheck unit lock clean demo-db

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

install: $(STAMP)

system-deps:
	scripts/ensure-system.sh

demo-db: install
	$(BIN)/python $(DEMO)/make_demo_db.py $(DEMO)/app.db

run: install demo-db
	STEWARD_DEV=1 STEWARD_DATABASE_URL=sqlite:///steward.db $(BIN)/steward register load $(DEMO)/register.yaml
	echo "$(DEMO_PASSWORD)" | STEWARD_DEV=1 STEWARD_DATABASE_URL=sqlite:///steward.db \
	  $(BIN)/steward admin create $(DEMO_OWNER) --role owner --password-stdin --exists-ok
	@echo "admin: http://127.0.0.1:8000/admin/ as $(DEMO_OWNER) / $(DEMO_PASSWORD) (demo only)"
	@echo "demo: the second factor is off for every role (STEWARD_TOTP_ROLES is empty); the sign-in page says so"
	STEWARD_DEV=1 STEWARD_TOTP_ROLES= STEWARD_DATABASE_URL=sqlite:///steward.db DEMO_APP_DATABASE_URL=sqlite:///$(DEMO)/app.db \
	  STEWARD_REGISTER_PATH=$(DEMO)/register.yaml $(BIN)/steward serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

format: install
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

typecheck: install
	$(BIN)/mypy src/steward/register src/steward/law src/steward/datastores

unit: install
	$(BIN)/pytest tests/unit -q

test: install system-deps lint typecheck
	$(BIN)/pytest -q

lock:
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache steward.db $(DEMO)/app.db
