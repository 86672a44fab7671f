"""TagResource, UntagResource and ListTagsForResource for state machines and activities (a mixin).

AWS behaviour (LocalStack ``test_sfn_api_tagging.snapshot.json``, AWS-validated): tags are listed
in the order they were added; an empty tag list, an empty value and a repeated key are accepted;
untagging absent keys succeeds; tagging a version ARN (or any unknown resource) is
``ResourceNotFound: Resource not found: '<arn>'``. A resource holds at most 50 tags (Step Functions
quotas), more is ``TooManyTags``.
"""

from __future__ import annotations

from typing import Any

from interpreter.adapters.clock import Clock
from interpreter.adapters.stores.base import ExecutionStore, NotFound

from . import arns
from ._support import check_tag_count, tag_dict, tag_list
from .errors import ApiError


class TagOperations:
    store: ExecutionStore
    region: str
    account: str
    clock: Clock

    def tag_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["resourceArn"]
        current = self._tags_of(arn)
        merged = {**current, **tag_dict(request["tags"])}
        check_tag_count(arn, merged)
        self._set_tags(arn, merged)
        return {}

    def untag_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["resourceArn"]
        current = self._tags_of(arn)
        removed = set(request["tagKeys"])
        self._set_tags(arn, {key: value for key, value in current.items() if key not in removed})
        return {}

    def list_tags_for_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"tags": tag_list(self._tags_of(request["resourceArn"]))}

    def _tags_of(self, arn: str) -> dict[str, str]:
        parsed = arns.parse_states_arn(arn, arns.STATE_MACHINE, arns.ACTIVITY)
        if not parsed.qualified:
            if parsed.resource_type == arns.STATE_MACHINE:
                machine = self.store.get_state_machine(arn)
                if machine is not None:
                    return dict(machine.tags)
            else:
                activity = self.store.get_activity(arn)
                if activity is not None:
                    return dict(activity.tags)
        raise resource_not_found(arn)

    def _set_tags(self, arn: str, tags: dict[str, str]) -> None:
        try:
            self.store.set_tags(arn, tags)
        except NotFound:
            raise resource_not_found(arn) from None


def resource_not_found(arn: str) -> ApiError:
    return ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
