# stepfn developer tasks. Everything runs in .venv, created on first use; re-running a target
# reinstalls only when pyproject.toml changed (stamp files in .venv).
#
#   make example       run the ETL example end to end (no AWS needed)
#   make example-orders run the JSONata order fulfilment example (virtual time)
#   make test          run the test suite
#   make lint          ruff check + ruff format --check
#   make conformance   the AWS-recorded conformance cases (needs ../shared/conformance)
#   make bench         the benchmark workloads (needs ../shared/bench)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STEPFN := $(VENV)/bin/stepfn
CONFORMANCE ?= ../shared/conformance

ETL_HANDLERS := \
	--handler EtlExtractFunction=etl:extract \
	--handler EtlTransformFunction=etl:transform \
	--handler EtlLoadFunction=etl:load \
	--handler EtlNotifyFunction=etl:notify_failure

ORDER_HANDLERS := \
	--handler OrderPriceLineFunction=orders:price_line \
	--handler OrderReserveStockFunction=orders:reserve_stock \
	--handler OrderReleaseStockFunction=orders:release_stock \
	--handler OrderChargePaymentFunction=orders:charge_payment \
	--handler OrderCreateShipmentFunction=orders:create_shipment \
	--handler OrderNotifyFunction=orders:notify_customer

.PHONY: venv example example-orders test lint conformance bench

venv: $(VENV)/.installed

$(PY):
	$(PYTHON) -m venv $(VENV)

# The runtime install, for `make example`.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

# The runtime plus the dev tools (pytest, ruff, moto, mypy); it also satisfies the runtime stamp.
$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

example: $(VENV)/.installed
	$(STEPFN) run statemachine/etl_pipeline.asl.json \
		--input-file statemachine/etl_pipeline.input.json \
		--sub-file statemachine/local-substitutions.json \
		$(ETL_HANDLERS)

example-orders: $(VENV)/.installed
	$(STEPFN) run statemachine/order_fulfilment.asl.json \
		--input-file statemachine/order_fulfilment.input.json \
		--sub-file statemachine/local-substitutions.json --virtual-time \
		$(ORDER_HANDLERS)

test: $(VENV)/.installed-dev
	$(PY) -m pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

conformance: $(VENV)/.installed-dev
	@test -d $(CONFORMANCE) || { echo "$(CONFORMANCE) not found: the conformance cases live beside the repository"; exit 2; }
	PYTHONPATH=. $(PY) $(CONFORMANCE)/runner.py $(CONFORMANCE)/cases \
		--group self_contained --group lambda --check-history \
		--python tests.conformance_adapter:run

bench: $(VENV)/.installed
	$(PY) benchmarks/run_benchmarks.py

