"""The DynamoDB store's calls to AWS: one table, errors turned into ``StoreError`` here.

``Table.write`` performs a list of ``TransactWriteItems`` entries atomically (one ``PutItem`` when
there is only one Put) after checking DynamoDB's transaction limits, and reports a cancellation
as the reason code of each entry instead of raising, so the store can say why.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ._dynamodb_items import MAIN, TRANSACTION_BYTES, TRANSACTION_ITEMS, Item, item_size, table_definition
from .base import StoreError

CONDITION_FAILED = "ConditionalCheckFailed"


class Table:
    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def create_if_missing(self) -> None:
        try:
            self.client.describe_table(TableName=self.name)
            return
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise store_error(exc) from exc
        try:
            self.client.create_table(**table_definition(self.name))
            waiter = self.client.get_waiter("table_exists")
            waiter.wait(TableName=self.name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":  # created meanwhile
                raise store_error(exc) from exc

    def call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(TableName=self.name, **kwargs)
        except ClientError as exc:
            raise store_error(exc) from exc
        except BotoCoreError as exc:
            raise StoreError(f"DynamoDB {operation} on {self.name}: {exc}") from exc

    def conditional(self, operation: str, **kwargs: Any) -> bool:
        """``call`` for a conditional write: False when the condition failed."""
        try:
            getattr(self.client, operation)(TableName=self.name, **kwargs)
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise store_error(exc) from exc
        except BotoCoreError as exc:
            raise StoreError(f"DynamoDB {operation} on {self.name}: {exc}") from exc

    def get(self, arn: str, sk: str = MAIN, projection: str | None = None) -> Item | None:
        kwargs: dict[str, Any] = {"Key": key(arn, sk), "ConsistentRead": True}
        if projection:
            kwargs |= projection_of(projection)
        found: Item | None = self.call("get_item", **kwargs).get("Item")
        return found

    def query(self, **kwargs: Any) -> Iterator[Item]:
        while True:
            answer = self.call("query", **kwargs)
            yield from answer.get("Items", [])
            if "LastEvaluatedKey" not in answer:
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def write(self, ops: list[dict[str, Any]]) -> list[str] | None:
        """Perform ``ops`` atomically: None when done, else each op's cancellation reason code
        ("None" for the ops that were fine)."""
        if len(ops) > TRANSACTION_ITEMS:
            raise StoreError(
                f"A write of {len(ops)} items does not fit one DynamoDB transaction "
                f"(at most {TRANSACTION_ITEMS})"
            )
        size = sum(item_size(op["Put"]["Item"]) for op in ops if "Put" in op)
        if size > TRANSACTION_BYTES:
            raise StoreError(
                f"A write of {size} bytes does not fit one DynamoDB transaction (at most "
                f"{TRANSACTION_BYTES} bytes: about 3.5 MB of compressed state and events)"
            )
        ops = [{kind: {**body, "TableName": self.name}} for op in ops for kind, body in op.items()]
        try:
            if len(ops) == 1 and "Put" in ops[0]:
                self.client.put_item(**ops[0]["Put"])
            else:
                self.client.transact_write_items(TransactItems=ops)
            return None
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "ConditionalCheckFailedException":
                return [CONDITION_FAILED]
            if code == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons") or []
                return [str(reason.get("Code", "None")) for reason in reasons] or ["Unknown"]
            raise store_error(exc) from exc
        except BotoCoreError as exc:
            raise StoreError(f"DynamoDB write to {self.name}: {exc}") from exc

    def batch_get(self, arns: list[str], projection: str | None = None) -> dict[str, Item]:
        """The main items (sk ``#``) of ``arns`` that exist, by ARN; consistent reads."""
        found: dict[str, Item] = {}
        for start in range(0, len(arns), 100):
            request: dict[str, Any] = {"Keys": [key(arn, MAIN) for arn in arns[start : start + 100]]}
            request |= {"ConsistentRead": True} | (projection_of(projection) if projection else {})
            for attempt in range(100):
                try:
                    answer = self.client.batch_get_item(RequestItems={self.name: request})
                except ClientError as exc:
                    raise store_error(exc) from exc
                for item in answer.get("Responses", {}).get(self.name, []):
                    found[item["pk"]["S"]] = item
                request["Keys"] = answer.get("UnprocessedKeys", {}).get(self.name, {}).get("Keys", [])
                if not request["Keys"]:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))  # throttled: back off (never under moto)
        return found

    def batch_put(self, items: list[Item]) -> None:
        """Put ``items`` (unconditionally) with ``BatchWriteItem``, 25 a call, retrying what is
        unprocessed."""
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            for attempt in range(100):
                try:
                    answer = self.client.batch_write_item(RequestItems={self.name: requests})
                except ClientError as exc:
                    raise store_error(exc) from exc
                except BotoCoreError as exc:
                    raise StoreError(f"DynamoDB batch_write_item on {self.name}: {exc}") from exc
                requests = answer.get("UnprocessedItems", {}).get(self.name, [])
                if not requests:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))  # throttled: back off (never under moto)
            else:
                raise StoreError(f"DynamoDB batch_write_item on {self.name}: items left unprocessed")


def key(arn: str, sk: str) -> Item:
    return {"pk": {"S": arn}, "sk": {"S": sk}}


def put(item: Item, condition: str | None = None, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Put entry; ``#name`` placeholders in ``condition`` name the attributes ``name``."""
    body: dict[str, Any] = {"Item": item}
    if condition:
        body["ConditionExpression"] = condition
        names = {f"#{name}": name for name in ("rev", "v", "n", "ch") if f"#{name} " in condition}
        if names:
            body["ExpressionAttributeNames"] = names
        if values:
            body["ExpressionAttributeValues"] = values
    return {"Put": body}


def projection_of(attributes: str) -> dict[str, Any]:
    names = [name.strip() for name in attributes.split(",")]
    return {
        "ProjectionExpression": ", ".join(f"#{name}" for name in names),
        "ExpressionAttributeNames": {f"#{name}": name for name in names},
    }


def store_error(exc: ClientError) -> StoreError:
    error = exc.response.get("Error", {})
    return StoreError(f"DynamoDB: {error.get('Code', 'Error')}: {error.get('Message', str(exc))}")
