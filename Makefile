# stepfn developer tasks. Everything runs in .venv, created on first use; re-running a target
# reinstalls only when pyproject.toml changed (stamp files in .venv).
#
#   make example       run the ETL example end to end (no AWS needed)
#   make example-orders run the JSONata order fulfilment example (virtual time)
#   make test          run the test suite
#   make lint          ruff check + ruff format --check
#   make lint-template cfn-lint (and sam validate --lint) on template.yaml
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


# `sam build` of the serverless engine (docs/deploy.md): StepfnEngineLayer (template: ContentUri .,
# Metadata BuildMethod: makefile; SAM runs this target in a copy of the repository and sets
# ARTIFACTS_DIR) holds the interpreter package and its runtime dependencies in python/, for
# StepfnApiFunction / StepfnWorkerFunction / StepfnSweeperFunction. The wheels are Lambda's
# (python3.12 on arm64, Amazon Linux 2023), not the build machine's: pydantic-core, rpds-py, PyYAML
# ... have native code (pip takes a wheel tagged with any of LAYER_PLATFORMS; it does not infer
# older manylinux tags from newer ones). `make build-StepfnEngineLayer ARTIFACTS_DIR=/tmp/layer
# LAYER_PYTHON=3.11 LAYER_PLATFORMS="manylinux2014_x86_64 manylinux_2_28_x86_64"` builds a layer
# for another runtime (tests/integration/test_template_stack.py imports the handlers from one).
LAYER_PYTHON ?= 3.12
LAYER_PLATFORMS ?= manylinux2014_aarch64 manylinux_2_28_aarch64

.PHONY: build-StepfnEngineLayer
build-StepfnEngineLayer:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)"; exit 2; }
	@# from a clean copy of the package: setuptools builds in the tree, and a stale build/ would ship
	rm -rf "$(ARTIFACTS_DIR)/src" && mkdir -p "$(ARTIFACTS_DIR)/src"
	cp -R pyproject.toml README.md interpreter "$(ARTIFACTS_DIR)/src/"
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-warn-conflicts --target "$(ARTIFACTS_DIR)/python" \
		$(addprefix --platform ,$(LAYER_PLATFORMS)) --implementation cp --python-version $(LAYER_PYTHON) \
		--only-binary=:all: "$(ARTIFACTS_DIR)/src[serverless]"
	rm -rf "$(ARTIFACTS_DIR)/src" "$(ARTIFACTS_DIR)/python/bin"

# template.yaml: cfn-lint (it runs AWS's SAM translator too), and `sam validate --lint` when the
# SAM CLI is on PATH. tests/integration/test_template_stack.py checks the same and more (moto).
.PHONY: lint-template
lint-template: $(VENV)/.installed-dev
	$(VENV)/bin/cfn-lint template.yaml
	@if command -v sam >/dev/null; then SAM_CLI_TELEMETRY=0 sam validate --lint --template template.yaml; \
	else echo "sam not on PATH: sam validate --lint skipped"; fi
