# The two commands of the README: `make demo` and `make test`.
# Everything else here is a step of those two.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV_BIN := .venv/bin
PPA := $(VENV_BIN)/ppa
LANDING ?= $(or $(PPA_LANDING_DIR),data/landing)
DEMO_SCALE ?= 1
# The generator's summary (beside the landing zone, not in it) carries the data's as-of date.
SUMMARY := $(LANDING).summary.json
USERS_FILE ?= $(or $(PPA_USERS_FILE),data/users.toml)
# The demo's dashboard users: name, role, site, password (for the synthetic data only).
DEMO_USERS := state.coordinator:state_coordinator:-:demo-state-coordinator \
	site.coordinator.s01:site_coordinator:S01:demo-site-coordinator \
	leadership:leadership:-:demo-leadership-view

.PHONY: demo test test-fast install parse generate run users serve lint clean bench

install: .venv/.synced parse

# uv comes from pip when the machine has none; the interpreter is the system's.
# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set, every process
# (each run, dbt call, code server and test worker) would otherwise compile Dagster and
# dbt from source again, about 8 s each.
.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

# The manifest is prepared once here; each run's dbt steps share one parse that starts
# from this one (orchestration/defs/dbt_in_process.py).
parse: .venv/.synced
	$(VENV_BIN)/python -m orchestration.defs.dbt_in_process

generate: install
	@if [ -d "$(LANDING)" ]; then echo "landing zone $(LANDING) exists: kept"; \
	else mkdir -p "$$(dirname "$(LANDING)")" && \
	  $(PPA) generate --out "$(LANDING)" --scale $(DEMO_SCALE) --seed 0 > "$(SUMMARY)"; fi

# A generated landing zone is run as of the day after its newest extract; any other, today.
run: install
	$(PPA) run $$(if [ -f "$(SUMMARY)" ]; then $(VENV_BIN)/python -c \
	  "import json; print('--as-of', json.load(open('$(SUMMARY)'))['as_of'])"; fi)

# One demo user per role, unless a users file exists (then it is yours: kept as it is).
users: install
	@if [ -f "$(USERS_FILE)" ]; then echo "users file $(USERS_FILE) exists: kept (ppa users list)"; \
	else for user in $(DEMO_USERS); do set -- $$(echo "$$user" | tr : ' '); \
	  echo "$$4" | PPA_USERS_FILE="$(USERS_FILE)" $(PPA) users add "$$1" --role "$$2" \
	    $$([ "$$3" = - ] || echo --site "$$3") || exit 1; done; \
	echo "Dashboard sign-in, demo users (synthetic data only):"; \
	for user in $(DEMO_USERS); do set -- $$(echo "$$user" | tr : ' '); \
	  printf '  %-22s %-18s password: %s\n' "$$1" "$$2" "$$4"; done; fi

serve: install
	$(PPA) serve

demo: generate run users serve

# The browser tests drive Debian's chromium (Playwright cannot download browsers here).
# Two xdist workers, each module's tests on one worker (its module fixtures built once);
# the demo run the pipeline and dashboard tests share is built once for both (tests/conftest.py).
# Three workers on the 2-core machine were no faster in two pairs of runs (docs/development.md).
# The 25 slowest tests are listed at the end, so a slower suite shows where.
PYTEST_WORKERS ?= 2
test: install
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
# The PostgreSQL tests start a private server from Debian's binaries (any version).
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  (apt-get update && apt-get install -y postgresql)
	$(VENV_BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadscope --durations=25

# The unit tier: every test not marked slow (no pipeline run, no browser, no server).
test-fast: install
	$(VENV_BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not slow"

lint: install
	$(VENV_BIN)/ruff check .

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache

# The benchmark (docs/benchmarks.md): scale 1 and 10, one JSON each in benchmarks/results/.
BENCH_SCALES ?= 1 10
BENCH_MONTHS ?= 24
bench: install
	mkdir -p benchmarks/results
	for scale in $(BENCH_SCALES); do \
	  $(PPA) bench --scale $$scale --months $(BENCH_MONTHS) \
	    --out benchmarks/results/$$(date -u +%Y-%m-%d)-scale$$scale.json >/dev/null || exit 1; \
	done
