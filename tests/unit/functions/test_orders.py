"""The order fulfilment task functions (functions/orders.py), called as Lambda would call them."""

import json

import orders
import pytest


def test_price_line_prices_a_line_in_minor_units(context):
    priced = orders.price_line({"line": {"sku": "BOOK-001", "quantity": 2}, "index": 0}, context)

    assert priced == {
        "index": 0,
        "sku": "BOOK-001",
        "name": "Field Guide to Clouds",
        "quantity": 2,
        "unit_price": 1899,
        "line_total": 3798,
        "weight_g": 1080,
        "warehouse": "LEEDS",
    }


def test_price_line_converts_the_currency(context):
    priced = orders.price_line({"line": {"sku": "MUG-010"}, "index": 3, "currency": "EUR"}, context)

    assert (priced["quantity"], priced["unit_price"]) == (1, 1462)  # 12.50 GBP at 1.17


@pytest.mark.parametrize(
    ("line", "currency", "error"),
    [
        ({"sku": "NOPE"}, "GBP", orders.UnknownSku),
        ({"sku": 5}, "GBP", orders.UnknownSku),
        ({"sku": "TEA-100"}, "JPY", orders.UnknownSku),
        ({"sku": "TEA-100", "quantity": 0}, "GBP", orders.InvalidQuantity),
        ({"sku": "TEA-100", "quantity": 1.5}, "GBP", orders.InvalidQuantity),
        ({"sku": "TEA-100", "quantity": True}, "GBP", orders.InvalidQuantity),
        ({"sku": "DESK-900", "quantity": 3}, "GBP", orders.OutOfStock),
    ],
)
def test_price_line_refuses_bad_lines(context, line, currency, error):
    with pytest.raises(error):
        orders.price_line({"line": line, "index": 1, "currency": currency}, context)


def test_reserving_is_idempotent_and_release_undoes_it(context, tmp_path):
    event = {
        "order_id": "O-1",
        "output_dir": str(tmp_path),
        "lines": [
            {"sku": "BOOK-001", "quantity": 2, "warehouse": "LEEDS"},
            {"sku": "MUG-010", "quantity": 1, "warehouse": "BRISTOL"},
        ],
    }

    first = orders.reserve_stock(event, context)
    again = orders.reserve_stock(event, context)

    assert first["reservation_id"] == again["reservation_id"]
    assert (first["already_reserved"], again["already_reserved"]) == (False, True)
    assert (first["warehouses"], first["units"]) == (["BRISTOL", "LEEDS"], 3)
    saved = json.loads((tmp_path / "reservations" / "O-1.json").read_text())
    assert saved["lines"] == event["lines"]
    assert orders.release_stock({"order_id": "O-1", "output_dir": str(tmp_path)}, context) == {
        "released": True
    }
    assert orders.release_stock({"order_id": "O-1", "output_dir": str(tmp_path)}, context) == {
        "released": False
    }


def test_charge_payment_times_out_for_the_simulated_attempts_then_charges(context):
    event = {
        "order_id": "O-1",
        "amount": 1000,
        "currency": "GBP",
        "payment": {"method": "card", "token": "tok_visa"},
        "simulate": {"gateway_timeouts": 2},
    }
    for attempt in (0, 1):
        with pytest.raises(orders.PaymentGatewayTimeout, match=f"attempt {attempt + 1}"):
            orders.charge_payment({**event, "attempt": attempt}, context)

    charge = orders.charge_payment({**event, "attempt": 2}, context)

    assert charge["attempts"] == 3
    assert charge["charge_id"].startswith("CH-")
    assert charge == orders.charge_payment({**event, "attempt": 2}, context)  # deterministic


@pytest.mark.parametrize(
    "change",
    [
        {"payment": {"method": "card", "token": "tok_declined"}},
        {"payment": {"method": "card"}},
        {"payment": {"method": "cash", "token": "t"}},
        {"amount": 0},
        {"amount": "10"},
    ],
)
def test_charge_payment_declines(context, change):
    event = {"order_id": "O-1", "amount": 1000, "payment": {"method": "card", "token": "tok_visa"}, **change}

    with pytest.raises(orders.PaymentDeclined):
        orders.charge_payment(event, context)


def test_create_shipment_books_the_service_and_writes_the_label(context, tmp_path):
    event = {
        "order_id": "O-9",
        "service": "express",
        "country": "FR",
        "weight_g": 1200,
        "warehouses": ["LEEDS", "BRISTOL"],
        "reservation_id": "RES-1",
        "output_dir": str(tmp_path),
    }

    shipment = orders.create_shipment(event, context)

    assert (shipment["carrier"], shipment["parcels"], shipment["estimated_days"]) == ("DPD", 2, 3)
    label = json.loads((tmp_path / "shipments" / "O-9.json").read_text())
    assert (label["tracking_number"], label["reservation_id"]) == (shipment["tracking_number"], "RES-1")


def test_notify_customer_appends_one_line_per_message(context, tmp_path):
    for template in ("order-shipped", "payment-declined"):
        sent = orders.notify_customer(
            {"order_id": "O-1", "email": "a@example.com", "template": template, "output_dir": str(tmp_path)},
            context,
        )
        assert sent == {"sent": True, "template": template}

    lines = (tmp_path / "notifications.jsonl").read_text().splitlines()
    assert [json.loads(line)["template"] for line in lines] == ["order-shipped", "payment-declined"]
