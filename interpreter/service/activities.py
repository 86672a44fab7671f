"""CreateActivity, DescribeActivity, DeleteActivity and ListActivities (a mixin of the API facade).

AWS behaviour pinned here (sources in ``tests/unit/service/test_activities_tags.py``):
CreateActivity is idempotent by name (a second call returns the first ARN and creation date and
ignores different tags); DescribeActivity of an unknown ARN is ``ActivityDoesNotExist: Activity
Does Not Exist: '<arn>'``; DeleteActivity of an unknown ARN succeeds.
"""

from __future__ import annotations

from typing import Any

from interpreter.adapters.clock import Clock
from interpreter.adapters.stores.base import ActivityItem, AlreadyExists, ExecutionStore

from . import arns
from ._support import check_tag_count, collect, now_ms, paginate, tag_dict
from .errors import ApiError


class ActivityOperations:
    store: ExecutionStore
    region: str
    account: str
    clock: Clock

    def create_activity(self, request: dict[str, Any]) -> dict[str, Any]:
        name = arns.check_name(request["name"])
        tags = tag_dict(request.get("tags"))
        check_encryption(request.get("encryptionConfiguration"))
        arn = arns.activity_arn(self.region, self.account, name)
        check_tag_count(arn, tags)
        existing = self.store.get_activity(arn)
        if existing is None:
            item = ActivityItem(arn=arn, name=name, creation_date=now_ms(self.clock), tags=tags)
            try:
                self.store.create_activity(item)
                existing = item
            except AlreadyExists:  # created concurrently: same name, so the same activity
                existing = self.store.get_activity(arn) or item
        return {"activityArn": existing.arn, "creationDate": existing.creation_date}

    def describe_activity(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["activityArn"]
        item = self.require_activity(arn)
        return {"activityArn": item.arn, "name": item.name, "creationDate": item.creation_date}

    def delete_activity(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["activityArn"]
        arns.parse_activity_arn(arn)
        self.store.delete_activity(arn)
        return {}

    def list_activities(self, request: dict[str, Any]) -> dict[str, Any]:
        def fetch(token: str | None) -> tuple[list[ActivityItem], str | None]:
            page = self.store.list_activities(limit=1000, next_token=token)
            return page.items, page.next_token

        items = sorted(collect(fetch), key=lambda item: item.name)
        chosen, token = paginate(items, lambda item: item.name, request)
        out: dict[str, Any] = {
            "activities": [
                {"activityArn": item.arn, "name": item.name, "creationDate": item.creation_date}
                for item in chosen
            ]
        }
        if token is not None:
            out["nextToken"] = token
        return out

    def require_activity(self, arn: str) -> ActivityItem:
        """The activity ``arn`` names, or ``InvalidArn`` / ``ActivityDoesNotExist``."""
        arns.parse_activity_arn(arn)
        item = self.store.get_activity(arn)
        if item is None:
            raise ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
        return item


def check_encryption(config: dict[str, Any] | None) -> None:
    """Only AWS-owned keys (AWS's default) are supported: stepfn has no KMS to call."""
    if config and config.get("type") == "CUSTOMER_MANAGED_KMS_KEY":
        raise ApiError(
            "ValidationException",
            "encryptionConfiguration type CUSTOMER_MANAGED_KMS_KEY is not supported by stepfn; "
            "use AWS_OWNED_KEY or leave encryptionConfiguration out",
        )
