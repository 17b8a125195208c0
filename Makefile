# The README's commands. `make run` and `make test` work on a fresh clone: they make the
# virtualenv and install what they need first.
PORT ?= 8000
HOST ?= 127.0.0.1
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PG_BIN ?= /usr/lib/postgresql/15/bin
# axe-core, for the accessibility audit in the browser tests (from the npm registry).
AXE := .npm/node_modules/axe-core/axe.min.js
export AXE_PATH := $(CURDIR)/$(AXE)

.PHONY: run serve backup bench bench-faults mutants mutants-decorated messages test test-sqlite test-postgres lint migrations-check install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q ".[dev]"
	touch $(STAMP)

$(AXE):
	npm install --silent --no-save --no-audit --no-fund --prefix .npm axe-core@4.14.1

install: $(STAMP) $(AXE)

# A local board on the embedded SQLite file, with the source page loaded into an empty database.
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py loadsource
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

# The board as it runs in production: granian (see README for the measurement), DEBUG off,
# static files hashed and compressed by whitenoise. A first run writes a random SECRET_KEY
# to .env (ignored by git) unless one is set in the environment. umask 077: .env and a new
# db.sqlite3 are the owner's alone (the key signs sessions).
serve: $(STAMP)
	@umask 077; if [ -z "$${SECRET_KEY:-}" ] && ! grep -qs '^SECRET_KEY=' .env; then \
		echo "SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env; \
		echo "Wrote a new SECRET_KEY to .env"; \
	fi; if [ -f .env ]; then chmod 600 .env; fi
	umask 077; $(PY) manage.py migrate --noinput
	$(PY) manage.py loadsource
	$(PY) manage.py collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) $(PY) -m postbbs.serve

# An online backup of the database (SQLite backup API or pg_dump) and the uploaded images
# into backups/. Restore: .venv/bin/python manage.py restore backups/postbbs-<stamp>.<ext>
backup: $(STAMP)
	umask 077; $(PY) manage.py backup --output backups

# Speed at scale: seeds N posts (default 1,000,000) into SQLite and into a throwaway PostgreSQL,
# times the pages in-process and under load, prints a table per database (bench/results-*.md).
# Then it imports a generated XE site and a Gnuboard one, of 100,000 articles each, from a
# throwaway MariaDB (bench/xe_import.py): --import-articles 2000 for a quick run, --skip-import
# to leave it out.
# Pass options with BENCH_ARGS, e.g. make bench BENCH_ARGS="--posts 100000 --duration 5".
bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "make bench needs wrk: apt-get install wrk" >&2; exit 1; }
ifeq ($(findstring --skip-import,$(BENCH_ARGS)),)
	@PATH="$$PATH:/usr/sbin" command -v mariadbd >/dev/null \
		|| { echo "make bench needs MariaDB for its import benchmark: apt-get install" \
			"mariadb-server (or BENCH_ARGS=--skip-import)" >&2; exit 1; }
endif
	$(PY) bench/run.py --db sqlite $(BENCH_ARGS)
	PG_BIN=$(PG_BIN) bash .ci/with-postgres $(PY) bench/run.py --db postgres $(BENCH_ARGS)

# Load with faults: 64 clients for 60 s, three times (no fault, kill -9 a worker, restart
# PostgreSQL), then every stored comment and view count checked (bench/results-faults.md).
bench-faults: $(STAMP)
	PG_BIN=$(PG_BIN) $(PY) bench/faults.py $(FAULT_ARGS)

# Mutation testing (mutmut, settings in pyproject.toml): each mutant of the chosen modules runs
# only the fast tests that reach the mutated function, on SQLite. Results are kept in mutants/
# (a rerun checks only what changed); docs/mutants*.md record the verdict on each survivor.
# Pick modules with MUTATE, e.g. make mutants MUTATE=board/forms.py
# Default: every module of the app, models/ and admin/ included, which takes hours on 2 cores.
MUTATE ?= $(filter-out board/__init__.py board/admin/__init__.py,\
	$(wildcard board/*.py board/models/*.py board/admin/*.py))
# Globs too: make mutants MUTATE="board/admin/*.py"
override MUTATE := $(wildcard $(MUTATE))
# mutmut names a mutant module.x_function… or module.xǁClassǁmethod…, and a package's
# __init__.py by the package (board.models.xǁPaging…): ".x" keeps board.models' own mutants
# apart from those of board.models.posts.
MUTANT_MODULES := $(foreach m,$(MUTATE),$(patsubst %.__init__,%,$(subst /,.,$(basename $(m)))))
MUTANT_RE := ^ *($(subst $(eval) ,|,$(subst .,\.,$(MUTANT_MODULES))))\.x
mutants: $(STAMP)
	env -u DATABASE_URL $(VENV)/bin/mutmut run $(foreach m,$(MUTANT_MODULES),"$(m).x*") >/dev/null || true
	@$(VENV)/bin/mutmut results --all true | grep -E '$(MUTANT_RE)' > mutants/results.txt || true
	@echo "Mutants of $(MUTATE):"
	@awk -F': ' '{n[$$2]++} END {for (s in n) printf "  %-12s %d\n", s, n[s]}' mutants/results.txt
	@echo "Survivors (mutmut show <name> for the diff):"
	@grep -E ': (survived|no tests)$$' mutants/results.txt || echo "  none"
	@$(MAKE) --no-print-directory mutants-decorated DECORATED="$(MUTATE)"

# The decorated functions (views, transactions, admin actions) of the chosen modules: mutmut 3.8
# makes no mutants for a decorated function, so cosmic-ray mutates these, in a copy of the
# checkout (cosmic-ray/decorated.py, docs/mutants-decorated.md). About 45 min for all modules.
# RESUME=--resume goes on with an interrupted run.
DECORATED ?= $(MUTATE)
mutants-decorated: $(STAMP)
	env -u DATABASE_URL nice -n 19 $(PY) cosmic-ray/decorated.py $(RESUME) $(DECORATED)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The English catalogue and the Korean one for Django's own strings (locale/ko, see README),
# compiled (the .mo files are committed, so `make run` needs no gettext).
messages: $(STAMP)
	DEBUG=true $(PY) manage.py compilemessages -l en -l ko --ignore=.venv -v0

migrations-check: $(STAMP)
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(STAMP) $(AXE)
	env -u DATABASE_URL $(VENV)/bin/pytest

# The same suite on a throwaway PostgreSQL cluster that .ci/with-postgres starts and stops.
test-postgres: $(STAMP) $(AXE)
	PG_BIN=$(PG_BIN) bash .ci/with-postgres $(VENV)/bin/pytest

# Everything CI checks. PostgreSQL runs where its server binaries are present; with CI=true
# their absence is a failure, not a skip.
test: lint migrations-check messages test-sqlite
	@if [ -x "$(PG_BIN)/postgres" ]; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL server binaries not found in $(PG_BIN): CI needs them" >&2; exit 1; \
	else \
		echo "Note: PostgreSQL not found in $(PG_BIN); the suite ran on SQLite only."; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
