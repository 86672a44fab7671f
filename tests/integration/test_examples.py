"""The example workflows in statemachine/, end to end, through the Python API and the CLI.

The runs use the virtual clock (retry back-off takes no real time, and the history timestamps
still show the delays Step Functions would have waited), except the MaxConcurrency test, which
needs the real clock's concurrent task threads. Nothing sleeps.
"""

import itertools
import json
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import etl
import orders
import pytest
import training

from interpreter import load_definition, run

ROOT = Path(__file__).resolve().parents[2]
MACHINES = ROOT / "statemachine"
SUBSTITUTIONS = json.loads((MACHINES / "local-substitutions.json").read_text())
ETL = MACHINES / "etl_pipeline.asl.json"
TRAINING = MACHINES / "nightly_training.asl.json"
ORDERS = MACHINES / "order_fulfilment.asl.json"

ETL_HANDLERS = {
    "EtlExtractFunction": etl.extract,
    "EtlTransformFunction": etl.transform,
    "EtlLoadFunction": etl.load,
    "EtlNotifyFunction": etl.notify_failure,
}
TRAINING_HANDLERS = {
    "TrainingPrepareFunction": training.prepare,
    "TrainingTrainFunction": training.train,
    "TrainingEvaluateFunction": training.evaluate,
    "TrainingPublishReportFunction": training.publish_report,
    "TrainingNotifyFunction": training.notify,
}
ORDER_HANDLERS = {
    "OrderPriceLineFunction": orders.price_line,
    "OrderReserveStockFunction": orders.reserve_stock,
    "OrderReleaseStockFunction": orders.release_stock,
    "OrderChargePaymentFunction": orders.charge_payment,
    "OrderCreateShipmentFunction": orders.create_shipment,
    "OrderNotifyFunction": orders.notify_customer,
}
# The --handler flags the CLI needs for the same mappings (modules found in functions/).
ETL_CLI_HANDLERS = [
    "EtlExtractFunction=etl:extract",
    "EtlTransformFunction=etl:transform",
    "EtlLoadFunction=etl:load",
    "EtlNotifyFunction=etl:notify_failure",
]
TRAINING_CLI_HANDLERS = [
    "TrainingPrepareFunction=training:prepare",
    "TrainingTrainFunction=training:train",
    "TrainingEvaluateFunction=training:evaluate",
    "TrainingPublishReportFunction=training:publish_report",
    "TrainingNotifyFunction=training:notify",
]
ORDER_CLI_HANDLERS = [
    "OrderPriceLineFunction=orders:price_line",
    "OrderReserveStockFunction=orders:reserve_stock",
    "OrderReleaseStockFunction=orders:release_stock",
    "OrderChargePaymentFunction=orders:charge_payment",
    "OrderCreateShipmentFunction=orders:create_shipment",
    "OrderNotifyFunction=orders:notify_customer",
]


@pytest.fixture(scope="module")
def etl_machine():
    return load_definition(ETL, SUBSTITUTIONS)


@pytest.fixture(scope="module")
def training_machine():
    return load_definition(TRAINING, SUBSTITUTIONS)


def run_etl(machine, output_dir: Path, **input_fields):
    event = {"date": "2024-03-15", "source": "sample", "output_dir": str(output_dir), **input_fields}
    return run(machine, event, handlers=ETL_HANDLERS, virtual_time=True, seed=input_fields.pop("seed", 7))


def run_training(machine, event, handlers=TRAINING_HANDLERS, *, virtual_time=True):
    # the CLI names the machine after its file, as here
    return run(machine, event, handlers=handlers, virtual_time=virtual_time, machine_name="nightly_training")


def training_input(report_dir: Path, models=None, **extra):
    document = json.loads((MACHINES / "nightly_training.input.json").read_text())
    document["report_dir"] = str(report_dir)
    if models is not None:
        document["models"] = models
    return {**document, **extra}


def task_attempts(history, state_name):
    """[(event type, timestamp, error)] of the task attempts made by Task state ``state_name``."""
    attempts, current = [], None
    for event in history:
        kind = event["type"]
        if kind == "TaskStateEntered":
            current = event["stateEnteredEventDetails"]["name"]
        elif kind == "TaskStateExited":
            current = None
        elif current == state_name and kind.endswith(("Scheduled", "Succeeded", "Failed", "TimedOut")):
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
            attempts.append((kind, event["timestamp"], details.get("error")))
    return attempts


def retry_delays(attempts):
    """The time between each failed attempt and the next one being scheduled."""
    return [
        later[1] - failed[1]
        for failed, later in itertools.pairwise(attempts)
        if failed[0].endswith("Failed") and later[0].endswith("Scheduled")
    ]


def read_part(partition: Path) -> list[dict]:
    return [json.loads(line) for line in (partition / "part-0000.json").read_text().splitlines()]


# ------------------------------------------------------------------------------------------ ETL


def test_etl_loads_the_clean_rows_of_the_day_into_its_partition(etl_machine, tmp_path):
    result = run_etl(etl_machine, tmp_path)

    assert result.status == "SUCCEEDED", result.cause
    out = result.output
    partition = tmp_path / "date=2024-03-15"
    assert out["status"] == "LOADED"
    assert out["partition"] == str(partition)
    assert out["rows"] == {"extracted": 40, "loaded": 33, "rejected": 7}
    assert out["rejections"] == {
        "duplicate_order_id": 1,
        "invalid_amount": 1,
        "invalid_email": 1,
        "invalid_timestamp": 1,
        "missing_order_id": 1,
        "unknown_currency": 1,
        "wrong_partition": 1,
    }
    assert out["replaced_existing"] is False
    assert out["load_attempts"] == 1
    assert out["job_id"] == f"orders-2024-03-15-{result.name}"
    rows = read_part(partition)
    assert len(rows) == 33
    assert len({r["order_id"] for r in rows}) == 33
    assert all(r["ordered_at"].startswith("2024-03-15T") for r in rows)
    manifest = json.loads((partition / "_manifest.json").read_text())
    assert (manifest["rows"], manifest["sha256"], manifest["job_id"]) == (33, out["sha256"], out["job_id"])
    assert not (tmp_path / "_notifications.jsonl").exists()


def test_etl_rerun_of_a_day_replaces_its_partition(etl_machine, tmp_path):
    first = run_etl(etl_machine, tmp_path)
    partition = tmp_path / "date=2024-03-15"
    (partition / "part-0001.json").write_text('{"order_id": "left over by an older job"}\n')

    second = run_etl(etl_machine, tmp_path)

    assert second.status == "SUCCEEDED", second.cause
    assert second.output["replaced_existing"] is True
    assert second.output["sha256"] == first.output["sha256"]
    assert len(read_part(partition)) == 33  # replaced, not appended
    assert sorted(p.name for p in partition.iterdir()) == ["_manifest.json", "part-0000.json"]


def test_etl_retries_a_source_that_is_not_ready_with_exponential_backoff(etl_machine, tmp_path):
    # GIVEN the source fails twice; Retry: IntervalSeconds 2, BackoffRate 2, no jitter
    result = run_etl(etl_machine, tmp_path, simulate={"extract_failures": 2})

    assert result.status == "SUCCEEDED", result.cause
    attempts = task_attempts(result.history, "Extract")
    assert [error for kind, _, error in attempts if kind.endswith("Failed")] == ["SourceUnavailable"] * 2
    # THEN it waited 2 s then 4 s of virtual time before the 2nd and 3rd attempts
    assert retry_delays(attempts) == [timedelta(seconds=2), timedelta(seconds=4)]
    assert result.stop_date - result.start_date >= timedelta(seconds=6)


def test_etl_retries_storage_errors_with_full_jitter_reproducibly(etl_machine, tmp_path):
    # Retry: IntervalSeconds 1, BackoffRate 2, MaxAttempts 3, JitterStrategy FULL
    result = run_etl(etl_machine, tmp_path, simulate={"load_failures": 2}, seed=42)

    assert result.status == "SUCCEEDED", result.cause
    assert result.output["load_attempts"] == 3
    delays = retry_delays(task_attempts(result.history, "Load"))
    assert len(delays) == 2
    # FULL jitter: each delay is drawn from [0, 1 s] then [0, 2 s]
    assert timedelta(0) <= delays[0] <= timedelta(seconds=1)
    assert timedelta(0) <= delays[1] <= timedelta(seconds=2)
    # the draw comes from the execution's seed: the same seed waits the same
    again = run_etl(etl_machine, tmp_path, simulate={"load_failures": 2}, seed=42)
    assert retry_delays(task_attempts(again.history, "Load")) == delays


def test_etl_exhausted_retries_are_caught_notified_and_fail_the_run(etl_machine, tmp_path):
    result = run_etl(etl_machine, tmp_path, simulate={"load_failures": 10})

    assert result.status == "FAILED"
    assert result.error == "TransientStorageError"
    assert json.loads(result.cause)["errorMessage"] == "storage throttled the write (simulated), attempt 4"
    attempts = task_attempts(result.history, "Load")
    assert sum(kind.endswith("Scheduled") for kind, _, _ in attempts) == 4  # 1 + MaxAttempts 3
    assert not (tmp_path / "date=2024-03-15").exists()
    [notification] = (tmp_path / "_notifications.jsonl").read_text().splitlines()
    assert json.loads(notification)["error"] == "TransientStorageError"
    assert "attempt 4" in json.loads(notification)["message"]
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in result.history if e["type"].endswith("StateEntered")
    ]
    assert entered[-2:] == ["NotifyFailure", "FailRun"]


def test_etl_quality_gate_stops_a_day_with_too_many_bad_rows(etl_machine, tmp_path):
    result = run_etl(etl_machine, tmp_path, max_rejected_ratio=0.1)

    assert result.status == "FAILED"
    assert result.error == "DataQualityError"
    assert result.cause.startswith("7 of 40 rows rejected (ratio 0.175, limit 0.1): {")
    assert json.loads(result.cause.split(": ", 1)[1])["wrong_partition"] == 1
    assert not (tmp_path / "date=2024-03-15").exists()
    assert "DataQualityError: 7 of 40" in (tmp_path / "_notifications.jsonl").read_text()


def test_etl_day_without_rows_loads_nothing(etl_machine, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(etl.FIELDS) + "\n")

    result = run_etl(etl_machine, tmp_path / "out", source=str(empty))

    assert result.status == "SUCCEEDED", result.cause
    assert result.output["status"] == "NO_DATA"
    assert result.output["rows"] == {"extracted": 0, "loaded": 0, "rejected": 0}
    assert not (tmp_path / "out").exists()


def test_etl_generated_source_for_any_day(etl_machine, tmp_path):
    result = run_etl(etl_machine, tmp_path, date="2024-02-29", source="generated", rows_per_day=120)

    assert result.status == "SUCCEEDED", result.cause
    rows = result.output["rows"]
    assert rows["extracted"] == 120
    assert rows["loaded"] + rows["rejected"] == 120
    assert len(read_part(tmp_path / "date=2024-02-29")) == rows["loaded"]
    assert result.output["source"] == "generated:120"


def test_etl_defaults_apply_to_fields_left_out(etl_machine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default output_dir is relative to the working directory
    result = run(etl_machine, {"date": "2024-03-15"}, handlers=ETL_HANDLERS, virtual_time=True)

    assert result.status == "SUCCEEDED", result.cause
    assert result.output["source"] == "sample:orders-2024-03-15.csv"
    assert len(read_part(tmp_path / ".stepfn" / "etl-output" / "date=2024-03-15")) == 33


@pytest.mark.parametrize(
    ("event", "error", "cause_part"),
    [
        ({}, "InvalidInput", 'needs "date"'),
        ({"date": 20240315}, "InvalidInput", 'needs "date"'),
        ({"date": "2024-02-30"}, "InvalidInputError", "not a calendar date"),
        ({"date": "2023-01-01"}, "SourceNotFound", "no sample data for 2023-01-01"),
    ],
)
def test_etl_bad_input_fails_with_a_named_error(etl_machine, tmp_path, event, error, cause_part):
    result = run(
        etl_machine, {"output_dir": str(tmp_path), **event}, handlers=ETL_HANDLERS, virtual_time=True
    )

    assert result.status == "FAILED"
    assert result.error == error
    assert cause_part in result.cause


# ------------------------------------------------------------------------------------- training


def test_training_records_each_models_outcome_and_publishes_the_report(training_machine, tmp_path):
    result = run_training(training_machine, training_input(tmp_path))

    assert result.status == "SUCCEEDED", result.cause
    out = result.output
    assert out["counts"] == {"total": 4, "accepted": 2, "below_threshold": 1, "failed": 1}
    assert out["accepted"] == ["baseline", "ridge"]
    assert out["below_threshold"] == ["heavy-ridge"]
    assert out["failed"] == ["too-fast"]
    assert [m["index"] for m in out["models"]] == [0, 1, 2, 3]  # Map keeps the input order
    too_fast = out["models"][3]
    assert too_fast["status"] == "FAILED"
    assert too_fast["error"] == "TrainingDiverged"
    assert too_fast["message"].startswith("loss exploded")
    baseline = out["models"][0]
    assert baseline["score"] >= 0.9
    assert baseline["model_id"] == f"baseline@{out['run_id']}"
    assert out["best_model"] == {"model": "baseline", "score": baseline["score"]}
    report = json.loads((tmp_path / "2024-03-15" / "report.json").read_text())
    assert report["best_model"] == out["best_model"]
    assert report["counts"] == out["counts"]
    [notification] = (tmp_path / "notifications.jsonl").read_text().splitlines()
    assert json.loads(notification)["text"] == out["notification"]
    assert "2 of 4 models accepted, 1 below threshold, 1 failed" in out["notification"]


def test_training_trains_two_models_at_a_time_and_no_more(training_machine, tmp_path):
    # GIVEN per-model handlers that count how many run at once, and a Prepare that only goes on
    # once two models are preparing together (it fails after 10 s if MaxConcurrency were 1)
    lock, active, peak = threading.Lock(), [0], [0]
    two_at_once = threading.Barrier(2, timeout=10)

    def counted(handler, wait=False):
        def run_one(event, context):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            try:
                if wait:
                    two_at_once.wait()
                return handler(event, context)
            finally:
                with lock:
                    active[0] -= 1

        return run_one

    handlers = {
        **TRAINING_HANDLERS,
        "TrainingPrepareFunction": counted(training.prepare, wait=True),
        "TrainingTrainFunction": counted(training.train),
        "TrainingEvaluateFunction": counted(training.evaluate),
    }
    # WHEN it runs on the real clock, where the engine runs task effects concurrently
    result = run_training(training_machine, training_input(tmp_path), handlers, virtual_time=False)

    # THEN two models were in flight together, never three (MaxConcurrency 2)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["counts"]["total"] == 4
    assert peak[0] == 2


def test_training_retries_an_interrupted_instance_after_30_virtual_seconds(training_machine, tmp_path):
    models = [{"name": "spot", "learning_rate": 0.05, "epochs": 300, "simulate_interruptions": 1}]
    result = run_training(training_machine, training_input(tmp_path, models))

    assert result.status == "SUCCEEDED", result.cause
    [model] = result.output["models"]
    assert (model["status"], model["train_attempts"]) == ("ACCEPTED", 2)
    attempts = task_attempts(result.history, "Train")
    assert [e for _, _, e in attempts if e] == ["InstanceInterrupted"]
    assert retry_delays(attempts) == [timedelta(seconds=30)]


def test_training_records_an_instance_that_keeps_being_interrupted(training_machine, tmp_path):
    models = [
        {"name": "unlucky", "simulate_interruptions": 5},
        {"name": "fine", "learning_rate": 0.05, "epochs": 300},
    ]
    result = run_training(training_machine, training_input(tmp_path, models))

    assert result.status == "SUCCEEDED", result.cause
    unlucky = result.output["models"][0]
    assert (unlucky["status"], unlucky["error"]) == ("FAILED", "InstanceInterrupted")
    assert "attempt 3" in unlucky["message"]  # 1 + MaxAttempts 2
    assert result.output["accepted"] == ["fine"]
    assert result.stop_date - result.start_date >= timedelta(seconds=30 + 60)


def test_training_fails_the_run_when_every_model_fails(training_machine, tmp_path):
    models = [
        {"name": "too-fast", "learning_rate": 3.0},
        {"name": "no-epochs", "epochs": 0},
        {"learning_rate": 0.1},
    ]
    result = run_training(training_machine, training_input(tmp_path, models))

    assert result.status == "FAILED"
    assert result.error == "AllModelsFailed"
    assert result.cause.startswith("All 3 models of run nightly_training-")
    assert result.cause.endswith(': ["too-fast","no-epochs","model-2"]')
    # the report and the notification still went out before the run failed
    report = json.loads((tmp_path / "2024-03-15" / "report.json").read_text())
    assert [(m["model"], m["error"]) for m in report["models"]] == [
        ("too-fast", "TrainingDiverged"),
        ("no-epochs", "InvalidHyperparameters"),
        ("model-2", "InvalidHyperparameters"),
    ]
    assert report["best_model"] is None
    assert "0 of 3 models accepted" in (tmp_path / "notifications.jsonl").read_text()


def test_training_without_models_is_rejected(training_machine, tmp_path):
    result = run_training(training_machine, training_input(tmp_path, []))

    assert (result.status, result.error) == ("FAILED", "InvalidInput")


def test_training_run_date_defaults_to_the_execution_day(training_machine, tmp_path):
    document = training_input(tmp_path, [{"name": "baseline", "epochs": 300}])
    del document["run_date"]
    result = run_training(training_machine, document)

    assert result.status == "SUCCEEDED", result.cause
    day = result.start_date.date().isoformat()
    assert result.output["run_date"] == day
    assert (tmp_path / day / "report.json").exists()


# ------------------------------------------------------------------------------ order fulfilment


@pytest.fixture(scope="module")
def orders_machine():
    return load_definition(ORDERS, SUBSTITUTIONS)


def order_input(output_dir: Path, **changes):
    document = json.loads((MACHINES / "order_fulfilment.input.json").read_text())
    return {**document, "output_dir": str(output_dir), **changes}


def run_order(machine, event):
    return run(machine, event, handlers=ORDER_HANDLERS, virtual_time=True)


def entered_states(history) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]


def assigned_by(history, state_name) -> dict[str, object]:
    """The variables state ``state_name`` assigned, decoded (AWS records them as JSON text)."""
    for event in history:
        details = event.get("stateExitedEventDetails")
        if details and details["name"] == state_name and "assignedVariables" in details:
            return {name: json.loads(text) for name, text in details["assignedVariables"].items()}
    raise AssertionError(f"{state_name} assigned nothing")


def charge_attempts(history):
    """[(event type, timestamp, error)] of the ChargePayment attempts. The Parallel runs it beside
    ReserveStock, so its events are told apart by the function they call and the errors only it
    raises (``task_attempts`` follows one state at a time)."""
    attempts = []
    for event in history:
        details = event.get("taskScheduledEventDetails") or event.get("taskFailedEventDetails") or {}
        if event["type"] == "TaskScheduled" and "OrderChargePaymentFunction" in details["parameters"]:
            attempts.append(("TaskScheduled", event["timestamp"], None))
        elif event["type"] == "TaskFailed" and details.get("error", "").startswith("Payment"):
            attempts.append(("TaskFailed", event["timestamp"], details["error"]))
    return attempts


def notifications(output_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (output_dir / "notifications.jsonl").read_text().splitlines()]


def test_orders_fulfils_an_order_from_its_variables(orders_machine, tmp_path):
    result = run_order(orders_machine, order_input(tmp_path))

    assert result.status == "SUCCEEDED", result.cause
    out = result.output
    # 2 x 18.99 + 12.50 + 3 x 6.75 = 70.73; gold: 10% off (7.07); free shipping from 50.00
    assert out["totals"] == {"subtotal": 7073, "discount": 707, "shipping": 0, "total": 6366}
    assert (out["order_id"], out["status"], out["lines"], out["currency"]) == (
        "ORD-1001",
        "FULFILLED",
        3,
        "GBP",
    )
    assert out["reviewed"] is False
    assert out["carrier"] == "DPD"  # gold customers ship express
    assert out["payment_attempts"] == 2  # the shipped input simulates one gateway timeout
    assert out["received_at"] == result.start_date.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    # THEN the variables were assigned where the definition says, as the history shows them
    configured = assigned_by(result.history, "Configure")
    assert configured["orderId"] == "ORD-1001"
    assert configured["customer"]["tier"] == "gold"
    assert configured["reviewThreshold"] == 50000
    priced = assigned_by(result.history, "PriceLines")
    assert [line["sku"] for line in priced["priced"]] == ["BOOK-001", "MUG-010", "TEA-100"]  # input order
    assert priced["warehouses"] == ["LEEDS", "BRISTOL"]
    assert assigned_by(result.history, "ReserveAndCharge")["charge"]["charge_id"] == out["charge_id"]
    assert entered_states(result.history) == [
        "ValidateOrder",
        "Configure",
        "PriceLines",
        *["PriceLine"] * 3,
        "Totals",
        "NeedsReview",
        "ReserveAndCharge",
        "ReserveStock",
        "ChargePayment",
        "Ship",
        "NotifyShipped",
        "Fulfilled",
    ]
    # THEN the gateway timeout was retried after 2 s of virtual time
    attempts = charge_attempts(result.history)
    assert [error for _, _, error in attempts if error] == ["PaymentGatewayTimeout"]
    assert retry_delays(attempts) == [timedelta(seconds=2)]
    # THEN the side effects happened: the reservation and the label, one notification
    reservation = json.loads((tmp_path / "reservations" / "ORD-1001.json").read_text())
    assert reservation["reservation_id"] == out["reservation_id"]
    assert reservation["units"] == 6
    label = json.loads((tmp_path / "shipments" / "ORD-1001.json").read_text())
    assert label["tracking_number"] == out["tracking_number"]
    [sent] = notifications(tmp_path)
    assert (sent["template"], sent["to"]) == ("order-shipped", "ada@example.com")
    assert sent["data"]["total"] == 6366


def test_orders_holds_a_large_order_for_review_before_charging(orders_machine, tmp_path):
    event = order_input(tmp_path, lines=[{"sku": "DESK-900", "quantity": 1}], simulate={})

    result = run_order(orders_machine, event)

    assert result.status == "SUCCEEDED", result.cause
    assert result.output["reviewed"] is True
    assert result.output["totals"]["total"] == 58410  # 649.00 less 10%
    assert assigned_by(result.history, "NeedsReview") == {"reviewed": True}  # the matched rule's Assign
    # the Wait's Seconds expression read $reviewHoldSeconds: 15 minutes of virtual time
    waited = [e["timestamp"] for e in result.history if e["type"] in ("WaitStateEntered", "WaitStateExited")]
    assert waited[1] - waited[0] == timedelta(seconds=900)
    assert entered_states(result.history).index("HoldForReview") < entered_states(result.history).index(
        "ChargePayment"
    )


def test_orders_declined_payment_releases_the_stock_and_fails_the_order(orders_machine, tmp_path):
    event = order_input(tmp_path, payment={"method": "card", "token": "tok_declined"}, simulate={})

    result = run_order(orders_machine, event)

    assert result.status == "FAILED"
    # the Fail state's Error and Cause are expressions over the variable the Catch assigned
    assert result.error == "PaymentDeclined"
    assert (
        result.cause == "Payment for order ORD-1001 failed: card declined by the issuer (insufficient funds)"
    )
    declined = assigned_by(result.history, "ReserveAndCharge")["declined"]  # the Catch's Assign
    assert declined["Error"] == "PaymentDeclined"
    assert json.loads(declined["Cause"])["errorType"] == "PaymentDeclined"
    assert entered_states(result.history)[-3:] == ["ReleaseStock", "NotifyDeclined", "PaymentFailed"]
    assert [e["type"] for e in result.history][-2:] == ["FailStateEntered", "ExecutionFailed"]
    assert not (tmp_path / "reservations" / "ORD-1001.json").exists()  # compensated
    assert not (tmp_path / "shipments").exists()
    [sent] = notifications(tmp_path)
    assert sent["template"] == "payment-declined"
    assert sent["data"] == {"error": "PaymentDeclined", "stock_released": True}


def test_orders_gives_up_after_the_gateway_keeps_timing_out(orders_machine, tmp_path):
    result = run_order(orders_machine, order_input(tmp_path, simulate={"gateway_timeouts": 10}))

    assert (result.status, result.error) == ("FAILED", "PaymentGatewayTimeout")
    assert result.cause.endswith("payment gateway did not answer in 10 s (simulated), attempt 4")
    # Retry: IntervalSeconds 2, BackoffRate 2, MaxAttempts 3
    attempts = charge_attempts(result.history)
    assert len(attempts) == 8  # 1 + MaxAttempts 3, each scheduled and failed
    assert retry_delays(attempts) == [timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=8)]
    assert "ReleaseStock" in entered_states(result.history)


@pytest.mark.parametrize(
    ("line", "error", "message"),
    [
        ({"sku": "NOPE-1", "quantity": 1}, "UnknownSku", "line 1: no product 'NOPE-1' in the catalogue"),
        ({"sku": "LAMP-200", "quantity": 4}, "OutOfStock", "line 1: LAMP-200 has 3 in stock, 4 ordered"),
        ({"sku": "MUG-010", "quantity": 0}, "InvalidQuantity", "line 1: quantity must be 1..50, got 0"),
    ],
)
def test_orders_a_bad_line_fails_the_order_before_anything_is_reserved(
    orders_machine, tmp_path, line, error, message
):
    event = order_input(tmp_path, lines=[{"sku": "BOOK-001", "quantity": 1}, line])

    result = run_order(orders_machine, event)

    assert (result.status, result.error) == ("FAILED", error)
    assert result.cause == f"Order ORD-1001 cannot be fulfilled: {message}"
    assert "MapIterationFailed" in [e["type"] for e in result.history]
    assert entered_states(result.history)[-1] == "RejectLines"
    assert not tmp_path.exists() or not any(tmp_path.iterdir())  # nothing reserved, charged or sent


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"order_id": "ORD-1", "lines": [], "customer": {"email": "a@example.com"}},
        {"order_id": 7, "lines": [{"sku": "BOOK-001"}], "customer": {"email": "a@example.com"}},
        {"order_id": "ORD-1", "lines": [{"sku": "BOOK-001"}]},
    ],
)
def test_orders_rejects_an_order_that_is_not_one(orders_machine, event):
    result = run_order(orders_machine, event)

    assert (result.status, result.error) == ("FAILED", "InvalidOrder")
    keys = ", ".join(event)
    assert result.cause.endswith(f"; the input has: {keys}")
    assert entered_states(result.history) == ["ValidateOrder", "RejectOrder"]


def test_orders_uses_defaults_for_the_optional_fields(orders_machine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default output_dir is relative to the working directory
    event = {
        "order_id": "ORD-7",
        "customer": {"email": "bob@example.com"},
        "lines": [{"sku": "TEA-100", "quantity": 2}],
        "payment": {"token": "tok_visa"},
    }

    result = run_order(orders_machine, event)

    assert result.status == "SUCCEEDED", result.cause
    # standard tier: no discount; under 50.00 and light: 3.99 shipping; Royal Mail
    assert result.output["totals"] == {"subtotal": 1350, "discount": 0, "shipping": 399, "total": 1749}
    assert (result.output["currency"], result.output["carrier"]) == ("GBP", "Royal Mail")
    assert (tmp_path / ".stepfn" / "orders" / "shipments" / "ORD-7.json").exists()


# ------------------------------------------------------------------------------------------ CLI


def stepfn(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interpreter.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def cli_run(machine: Path, handlers: list[str], cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    flags = [f"--handler={spec}" for spec in handlers]
    sub_file = str(MACHINES / "local-substitutions.json")
    return stepfn(
        "run", str(machine), "--sub-file", sub_file, *flags, "--virtual-time", "--json", *extra, cwd=cwd
    )


@pytest.mark.slow
def test_cli_validates_the_examples(tmp_path):
    proc = stepfn(
        "validate",
        str(ETL),
        str(TRAINING),
        str(ORDERS),
        "--sub-file",
        str(MACHINES / "local-substitutions.json"),
        cwd=tmp_path,
    )

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [f"{ETL}: valid", f"{TRAINING}: valid", f"{ORDERS}: valid"]


@pytest.mark.slow
def test_cli_runs_the_etl_example_like_the_readme(tmp_path):
    # the README's command, from another directory: the handlers are found in ../functions of
    # the definition, the default output dir is under the working directory
    event = json.loads((MACHINES / "etl_pipeline.input.json").read_text())
    del event["output_dir"]
    proc = cli_run(ETL, ETL_CLI_HANDLERS, tmp_path, "--input", json.dumps(event))

    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["status"] == "SUCCEEDED"
    assert summary["output"]["rows"] == {"extracted": 40, "loaded": 33, "rejected": 7}
    assert summary["output"]["load_attempts"] == 2  # the input simulates one storage error
    assert len(read_part(tmp_path / ".stepfn" / "etl-output" / "date=2024-03-15")) == 33
    assert '"message":"loaded"' in proc.stderr  # the handlers' structured logs go to stderr


@pytest.mark.slow
def test_cli_reports_a_failed_etl_with_exit_status_1(tmp_path):
    event = {"date": "2024-03-15", "output_dir": str(tmp_path), "max_rejected_ratio": 0}
    proc = cli_run(ETL, ETL_CLI_HANDLERS, tmp_path, "--input", json.dumps(event))

    assert proc.returncode == 1
    summary = json.loads(proc.stdout)
    assert (summary["status"], summary["error"]) == ("FAILED", "DataQualityError")


@pytest.mark.slow
def test_cli_runs_the_training_example_from_its_input_file(tmp_path):
    input_file = tmp_path / "input.json"
    input_file.write_text(json.dumps(training_input(tmp_path / "reports")))
    proc = cli_run(TRAINING, TRAINING_CLI_HANDLERS, tmp_path, "--input-file", str(input_file))

    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["status"] == "SUCCEEDED"
    assert summary["output"]["counts"] == {"total": 4, "accepted": 2, "below_threshold": 1, "failed": 1}
    assert (tmp_path / "reports" / "2024-03-15" / "report.json").exists()


@pytest.mark.slow
def test_cli_without_handlers_names_the_missing_function(tmp_path):
    proc = cli_run(
        ETL, [], tmp_path, "--input", json.dumps({"date": "2024-03-15", "output_dir": str(tmp_path)})
    )

    assert proc.returncode == 1
    summary = json.loads(proc.stdout)
    assert summary["error"] == "Lambda.ResourceNotFoundException"
    assert "function:EtlExtractFunction" in summary["cause"]


@pytest.mark.slow
def test_cli_runs_the_order_example_from_its_input_file(tmp_path):
    input_file = tmp_path / "input.json"
    input_file.write_text(json.dumps(order_input(tmp_path / "orders")))
    proc = cli_run(ORDERS, ORDER_CLI_HANDLERS, tmp_path, "--input-file", str(input_file), "--history")

    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["status"] == "SUCCEEDED"
    assert summary["output"]["totals"]["total"] == 6366
    assert summary["output"]["payment_attempts"] == 2
    types = [event["type"] for event in summary["history"]]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert types.count("MapIterationSucceeded") == 3
    assert "ParallelStateSucceeded" in types
    exited = [e["stateExitedEventDetails"] for e in summary["history"] if e["type"] == "PassStateExited"]
    assert json.loads(exited[0]["assignedVariables"]["orderId"]) == "ORD-1001"
    assert (tmp_path / "orders" / "shipments" / "ORD-1001.json").exists()


@pytest.mark.slow
def test_cli_reports_a_declined_order_with_exit_status_1(tmp_path):
    event = order_input(tmp_path, payment={"method": "card", "token": "tok_declined"})
    proc = cli_run(ORDERS, ORDER_CLI_HANDLERS, tmp_path, "--input", json.dumps(event))

    assert proc.returncode == 1
    summary = json.loads(proc.stdout)
    assert (summary["status"], summary["error"]) == ("FAILED", "PaymentDeclined")
    assert summary["cause"].startswith("Payment for order ORD-1001 failed: card declined")
