"""Task functions of the order fulfilment workflow (``statemachine/order_fulfilment.asl.json``).

Six Lambda handlers, called by a JSONata state machine that keeps the order in workflow variables:

* ``price_line``: one order line -> its catalogue price, weight and warehouse (one Map iteration).
  ``UnknownSku``, ``InvalidQuantity`` and ``OutOfStock`` are the order's fault: not retried.
* ``reserve_stock``: holds the order's lines in their warehouses (a reservation file per order,
  ``<output_dir>/reservations/<order_id>.json``; reserving the same order again is a no-op).
* ``release_stock``: the compensation for ``reserve_stock`` when the payment fails.
* ``charge_payment``: charges the total. ``PaymentGatewayTimeout`` is transient (the state machine
  retries it); ``PaymentDeclined`` is final. ``simulate.gateway_timeouts`` = N makes the first N
  attempts time out; the attempt number is ``$states.context.State.RetryCount``, so the handler
  stays stateless, as Lambda functions must. The token ``tok_declined`` is always declined.
* ``create_shipment``: books the carrier and writes the label, ``<output_dir>/shipments/<order_id>.json``.
* ``notify_customer``: appends the message to ``<output_dir>/notifications.jsonl``.

Amounts are integers in the currency's minor units (pence, cents), so totals add up exactly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from storage import write_atomically

logger = Logger(service="order-fulfilment", logger_handler=logging.StreamHandler(sys.stderr))

DEFAULT_OUTPUT_DIR = ".stepfn/orders"
# The catalogue: price in GBP minor units, weight in grams, stock on hand and where it is kept.
CATALOGUE: dict[str, dict[str, Any]] = {
    "BOOK-001": {
        "name": "Field Guide to Clouds",
        "price": 1899,
        "weight_g": 540,
        "stock": 40,
        "warehouse": "LEEDS",
    },
    "BOOK-002": {
        "name": "Distributed Systems Notes",
        "price": 3450,
        "weight_g": 910,
        "stock": 12,
        "warehouse": "LEEDS",
    },
    "MUG-010": {"name": "Enamel Mug", "price": 1250, "weight_g": 320, "stock": 25, "warehouse": "BRISTOL"},
    "TEA-100": {
        "name": "Breakfast Tea, 250 g",
        "price": 675,
        "weight_g": 260,
        "stock": 200,
        "warehouse": "BRISTOL",
    },
    "LAMP-200": {"name": "Desk Lamp", "price": 8900, "weight_g": 2300, "stock": 3, "warehouse": "LEEDS"},
    "DESK-900": {
        "name": "Standing Desk",
        "price": 64900,
        "weight_g": 31000,
        "stock": 2,
        "warehouse": "DERBY",
    },
}
# Fixed conversion from GBP (a real system would read a rates table).
RATES = {"GBP": 1.0, "EUR": 1.17, "USD": 1.27}
CARRIERS = {"standard": ("Royal Mail", 3), "express": ("DPD", 1)}
MAX_QUANTITY = 50


class UnknownSku(Exception):
    """The line names a product the catalogue does not have."""


class InvalidQuantity(Exception):
    """The line's quantity is not a whole number from 1 to 50."""


class OutOfStock(Exception):
    """Not enough stock on hand for the line."""


class PaymentGatewayTimeout(Exception):
    """The payment provider did not answer in time (transient: the state machine retries it)."""


class PaymentDeclined(Exception):
    """The payment was refused; retrying will not help."""


def _output_dir(event: dict[str, Any]) -> Path:
    return Path(str(event.get("output_dir") or DEFAULT_OUTPUT_DIR))


def _digest(*parts: Any) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:10].upper()


@logger.inject_lambda_context
def price_line(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"line": {"sku", "quantity"}, "index", "currency"}`` -> the priced line."""
    line = event.get("line") or {}
    sku, quantity = line.get("sku"), line.get("quantity", 1)
    currency = str(event.get("currency") or "GBP")
    item = CATALOGUE.get(sku) if isinstance(sku, str) else None
    if item is None:
        raise UnknownSku(f"line {event.get('index')}: no product {sku!r} in the catalogue")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidQuantity(
            f"line {event.get('index')}: quantity must be 1..{MAX_QUANTITY}, got {quantity!r}"
        )
    if quantity > item["stock"]:
        raise OutOfStock(f"line {event.get('index')}: {sku} has {item['stock']} in stock, {quantity} ordered")
    if currency not in RATES:
        raise UnknownSku(f"line {event.get('index')}: {sku} is not sold in {currency}")
    unit_price = round(item["price"] * RATES[currency])
    priced = {
        "index": event.get("index"),
        "sku": sku,
        "name": item["name"],
        "quantity": quantity,
        "unit_price": unit_price,
        "line_total": unit_price * quantity,
        "weight_g": item["weight_g"] * quantity,
        "warehouse": item["warehouse"],
    }
    logger.info("line priced", extra={k: priced[k] for k in ("sku", "quantity", "line_total")})
    return priced


@logger.inject_lambda_context
def reserve_stock(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"order_id", "lines": [{"sku", "quantity", "warehouse"}], "output_dir"}`` -> the reservation."""
    order_id = str(event["order_id"])
    lines = event.get("lines") or []
    path = _output_dir(event) / "reservations" / f"{order_id}.json"
    reservation = {
        "reservation_id": f"RES-{_digest(order_id)}",
        "order_id": order_id,
        "lines": lines,
        "warehouses": sorted({str(line.get("warehouse")) for line in lines}),
        "units": sum(int(line.get("quantity", 0)) for line in lines),
    }
    existed = path.exists()
    write_atomically(path, (json.dumps(reservation, indent=2, sort_keys=True) + "\n").encode())
    logger.info("stock reserved", extra={"order_id": order_id, "already_reserved": existed})
    return {
        **{k: reservation[k] for k in ("reservation_id", "warehouses", "units")},
        "already_reserved": existed,
    }


@logger.inject_lambda_context
def release_stock(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"order_id", "output_dir"}`` -> ``{"released": bool}`` (False: nothing was reserved)."""
    path = _output_dir(event) / "reservations" / f"{event['order_id']}.json"
    released = path.exists()
    path.unlink(missing_ok=True)
    logger.info("stock released", extra={"order_id": event["order_id"], "released": released})
    return {"released": released}


@logger.inject_lambda_context
def charge_payment(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"order_id", "amount", "currency", "payment", "attempt", "simulate"}`` -> the charge."""
    attempt = int(event.get("attempt") or 0)
    timeouts = int((event.get("simulate") or {}).get("gateway_timeouts", 0))
    if attempt < timeouts:
        raise PaymentGatewayTimeout(
            f"payment gateway did not answer in 10 s (simulated), attempt {attempt + 1}"
        )
    payment = event.get("payment") or {}
    amount = event.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise PaymentDeclined(f"amount must be a positive whole number of minor units, got {amount!r}")
    if payment.get("method") != "card" or not payment.get("token"):
        raise PaymentDeclined("no usable payment method: a card token is required")
    if payment["token"] == "tok_declined":
        raise PaymentDeclined("card declined by the issuer (insufficient funds)")
    charge = {
        "charge_id": f"CH-{_digest(event.get('order_id'), amount, payment['token'])}",
        "amount": amount,
        "currency": event.get("currency"),
        "attempts": attempt + 1,
    }
    logger.info("payment captured", extra=charge)
    return charge


@logger.inject_lambda_context
def create_shipment(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"order_id", "service", "country", "weight_g", "warehouses", "reservation_id", "output_dir"}``
    -> the shipment (carrier, tracking number, parcels)."""
    order_id = str(event["order_id"])
    service = event.get("service") if event.get("service") in CARRIERS else "standard"
    carrier, days = CARRIERS[service]
    if event.get("country") not in (None, "GB"):
        days += 2
    warehouses = event.get("warehouses") or []
    shipment = {
        "tracking_number": f"TRK{_digest(order_id, service)}",
        "carrier": carrier,
        "service": service,
        "parcels": len(warehouses) or 1,
        "estimated_days": days,
        "weight_g": event.get("weight_g"),
    }
    label = {
        **shipment,
        "order_id": order_id,
        "reservation_id": event.get("reservation_id"),
        "from": warehouses,
    }
    path = _output_dir(event) / "shipments" / f"{order_id}.json"
    write_atomically(path, (json.dumps(label, indent=2, sort_keys=True) + "\n").encode())
    logger.info(
        "shipment booked", extra={"order_id": order_id, "tracking_number": shipment["tracking_number"]}
    )
    return shipment


@logger.inject_lambda_context
def notify_customer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{"order_id", "email", "template", "data", "output_dir"}`` -> the message as sent."""
    message = {
        "order_id": event.get("order_id"),
        "to": event.get("email"),
        "template": event.get("template"),
        "data": event.get("data") or {},
    }
    directory = _output_dir(event)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "notifications.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(message, sort_keys=True) + "\n")
    logger.info("customer notified", extra={"order_id": message["order_id"], "template": message["template"]})
    return {"sent": True, "template": message["template"]}
