# Two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench clean bench-checks bench-writes bench-suggest eval-suggest

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# Embedded SQLite database and filesystem Celery broker under var/: nothing else needs to run.
# A Celery worker and beat run beside the server (bin/run-with-workers) and stop with it.
run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py loadseeds
	$(BIN)/python manage.py createlocalsuperuser
	BIN=$(BIN) bin/run-with-workers $(BIN)/python manage.py runserver 127.0.0.1:8000

# Whole suite against DATABASE_URL (SQLite when unset).
test: $(STAMP)
	$(BIN)/python -m pytest --create-db $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

# Recompile the full lock (requirements.txt: every transitive package pinned) from requirements.in.
.PHONY: lock
lock:
	test -x .venv-lock/bin/pip-compile || (python3 -m venv .venv-lock && .venv-lock/bin/pip install --quiet pip-tools)
	.venv-lock/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.txt requirements.in
	sed -i 's|^#    pip-compile .*|#    make lock|' requirements.txt

clean:
	rm -rf var .pytest_cache

# Every benchmark in docs/benchmarks.md, one after the other (all but bench-suggest need PostgreSQL and Redis).
bench: bench-checks bench-history bench-api bench-writes bench-push bench-suggest

# Source-check throughput of one worker process (docs/benchmarks.md). Needs Redis and PostgreSQL.
bench-checks: $(STAMP)
	$(BIN)/python bench/checks.py $(BENCH_ARGS)

# Webhook delivery benchmark (docs/benchmarks.md): ~1,000 feed events to 10 endpoints, one slow and one
# dead, through one real Celery worker on Redis and PostgreSQL (throwaway database tracker_push_bench).
.PHONY: bench-push
bench-push: $(STAMP)
	$(BIN)/python bench/push.py $(BENCH_ARGS)

# Write benchmark (docs/benchmarks.md): one claim write's latency, claims/s with 1, 2 and 4 writer
# processes (and with the old feed lock emulated), a 1,000-row import and an editor's save beside it.
bench-writes: $(STAMP)
	$(BIN)/python bench/writes.py $(BENCH_ARGS)

# Audit-history benchmark (docs/benchmarks.md): >= 1,000,000 synthetic history rows in a throwaway
# PostgreSQL database (BENCH_DATABASE_URL, default tracker_bench), then p50/p95 of the history pages.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_bench
.PHONY: bench-history
bench-history: $(STAMP)
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -c "DROP DATABASE IF EXISTS $(notdir $(BENCH_DATABASE_URL))"
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -c "CREATE DATABASE $(notdir $(BENCH_DATABASE_URL))"
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --no-input -v0
	# The pages are rendered with DEBUG off, as in production: they need the static files' manifest.
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --no-input -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=0 $(BIN)/python manage.py benchhistory $(BENCH_ARGS)

# Partner API benchmark (docs/benchmarks.md): synthetic 100,000-claim dataset in a throwaway PostgreSQL
# database (BENCHAPI_DATABASE_URL, default tracker_benchapi), then p50/p95 and queries per request. The
# cache (the API's throttle) is Redis, as in production (BENCHAPI_REDIS_URL, default database 12).
BENCHAPI_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_benchapi
BENCHAPI_REDIS_URL ?= redis://127.0.0.1:6379/12
BENCHAPI_ENV = DATABASE_URL=$(BENCHAPI_DATABASE_URL) REDIS_URL=$(BENCHAPI_REDIS_URL) DJANGO_DEBUG=0
.PHONY: bench-api
bench-api: $(STAMP)
	psql "$(dir $(BENCHAPI_DATABASE_URL))postgres" -c "DROP DATABASE IF EXISTS $(notdir $(BENCHAPI_DATABASE_URL))"
	psql "$(dir $(BENCHAPI_DATABASE_URL))postgres" -c "CREATE DATABASE $(notdir $(BENCHAPI_DATABASE_URL))"
	$(BENCHAPI_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(BENCHAPI_ENV) $(BIN)/python manage.py benchapi $(BENCH_ARGS)

# Suggested claims (docs/benchmarks.md): CPU time of one pass over a 15,000-character article with 500
# tracked actors and 60 topics. Pure Python: needs neither PostgreSQL nor Redis.
bench-suggest: $(STAMP)
	$(BIN)/python bench/suggest.py $(BENCH_ARGS)

# Quality of suggested claims: precision, recall and speaker accuracy on the seed article and the
# hand-labelled articles of seeds/eval/ (README there); fails below the targets of issue 16.
eval-suggest: $(STAMP)
	$(BIN)/python -m suggest.evaluation
