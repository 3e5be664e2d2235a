# twin — every command a developer or CI runs lives here.
# `make demo` and `make test` each set up everything they need first and are safe to rerun.

PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
SUDO    := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# Debian packages: PostGIS for the installed PostgreSQL (pulls in the server if missing);
# Chromium for the browser tests (never a downloaded browser) and CJK fonts to render Chinese;
# libfaketime for running the suite under shifted clocks; iproute2's ss for a test of a
# served server's output.
APT_PACKAGES := postgresql-15-postgis-3 chromium fonts-noto-cjk faketime iproute2
# For `make bench-load` only (ogr2ogr, GDAL's own import, timed beside twin load): twin
# itself never needs it.
BENCH_APT_PACKAGES := gdal-bin
SIZE    ?= city
SEED    ?= 1
# pytest workers (pytest-xdist): the machine's two cores; tests/conftest.py keeps a file's
# tests on one worker and every browser test on one.
JOBS    ?= 2

.PHONY: demo serve test test-clocks setup system venv lint format bench bench-load bench-dash bench-hotspots examples lock
.PHONY: db-start db-stop db-status clean

demo: setup                 ## set up, load the small demo city (once) and serve it
	$(BIN)/twin demo

serve: setup                ## serve whatever the store holds
	$(BIN)/twin serve

test: setup                 ## set up and run every test (real PostGIS), on $(JOBS) workers
	$(BIN)/pytest -n $(JOBS) --dist loadgroup

test-clocks: setup          ## the whole suite again under a shifted clock: local midnight, a year on, another TZ at once
	TWIN_TEST_JOBS=$(JOBS) $(BIN)/python -m tests.clocks $(CLOCKS)

setup: system venv

system:                     ## Debian packages (installs only what is missing)
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if ! $(PYTHON) -c "import venv, ensurepip" 2>/dev/null; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

lock:                       ## re-pin what CI installs (after changing dependencies)
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install -q -e '.[dev]'
	.lockvenv/bin/pip freeze --all --exclude-editable | grep -v '^twin\|^pip==' > requirements.lock
	rm -rf .lockvenv

lint: venv                  ## ruff (lint + format check) and mypy
	$(BIN)/ruff check twin tests
	$(BIN)/ruff format --check twin tests
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format twin tests
	$(BIN)/ruff check --fix twin tests

bench: setup                ## benchmark at SIZE (default city: 5,000 grids, 1M incidents)
	$(BIN)/twin bench --size $(SIZE) --seed $(SEED)

bench-load:                ## load rates: a 1M-point CSV (ROWS=10000000 for 10M) beside ogr2ogr, and a 5,000-polygon GeoPackage
	$(MAKE) system EXTRA_APT="$(BENCH_APT_PACKAGES)"
	$(MAKE) venv
	$(BIN)/twin bench --loads --size city --seed $(SEED) $(if $(ROWS),--rows $(ROWS))

bench-dash: setup          ## dashboard payloads and timings in Chromium at SIZE (city; metro too)
	$(BIN)/twin bench --dashboard --size $(SIZE) --seed $(SEED)

bench-hotspots: setup      ## Gi* + FDR beside esda, hotspot views beside a SQL recount, at SIZE
	$(BIN)/twin bench --hotspots --size $(SIZE) --seed $(SEED)

examples: venv              ## rewrite the example files in layers/examples/
	$(BIN)/python -m twin.synth.examples

db-start: setup
	$(BIN)/twin db start
db-stop: venv
	$(BIN)/twin db stop
db-status: venv
	$(BIN)/twin db status

clean:                      ## stop the embedded cluster and remove the virtualenv and data
	-$(BIN)/twin db stop
	rm -rf $(VENV) .twin .pytest_cache .mypy_cache .ruff_cache
