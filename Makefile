# The front door: `make run` starts the desk, `make test` runs the whole suite, `make test-fast`
# what needs no Celery worker, browser or fault injection.
# Both create the virtual environment and install what they need on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint check-log bench clean chromium messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt requirements-semantic.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py run_desk --host $(HOST) --port $(PORT)

test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Two processes, each on a database of its own (test_<name>_gw0, _gw1); worksteal keeps the
# long tests (schemathesis, the SQLite re-run of the analytics tests) from ending one process
# alone. No --reuse-db: transactional tests flush the rows data migrations made (the Agents group,
# KPI indicators), and a reused database would start the next run without them.
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -m 'not worker and not browser and not faults' -n 2 --dist worksteal \
		$(PYTEST_ARGS)

# The browser tests drive Debian's chromium; Playwright never downloads a browser of its own.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# Translations: extract every app's strings (then translate locale/zh_Hans) and compile the
# .mo files, which are committed so `make run` needs no gettext (apt-get install gettext).
messages: $(VENV)/.dev
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench

# The benchmark suite (docs/performance.md): about 40 minutes; `make bench ARGS=--quick` for a
# few minutes at small sizes. Starts and stops its own gunicorn, Celery workers and databases.
bench: $(VENV)/.dev
	$(BIN)/python bench/run.py $(ARGS)

# Lint: ruff's rules and format, every `# noqa` with its codes and a reason after them, and
# mypy (pyproject.toml, docs/types.md; its cache in .mypy_cache makes a second run take seconds).
# CI runs it before the tests.
NOQA_WITHOUT_REASON := \#[[:space:]]*(ruff:[[:space:]]*)?noqa(:[[:space:]]*[A-Z]+[0-9]+([[:space:]]*,[[:space:]]*[A-Z]+[0-9]+)*)?[[:space:]]*$$
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if git grep --untracked -nE '$(NOQA_WITHOUT_REASON)' -- '*.py'; then \
		echo "lint: give each # noqa above its rule codes and the reason after them"; exit 1; fi
	$(BIN)/mypy

check-log: $(VENV)/.runtime
	$(BIN)/python manage.py check_event_log

clean:
	rm -rf var test-artifacts .pytest_cache
