"""Activity operations and tags, pinned to AWS's behaviour.

Sources: LocalStack's AWS-validated snapshots ``test_sfn_api_activities.snapshot.json`` and
``test_sfn_api_tagging.snapshot.json``; the AWS API reference (CreateActivity idempotency, Tag).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.service.errors import ApiError

from .helpers import PASS_DEFINITION, ROLE, START_MS, Service, activity_arn, machine_arn


def error_of(fn, request: dict) -> tuple[str, str]:
    with pytest.raises(ApiError) as caught:
        fn(request)
    return caught.value.code, caught.value.message


def create_machine(api: Service, name: str = "Orders", **extra: object) -> str:
    request = {"name": name, "definition": PASS_DEFINITION, "roleArn": ROLE, **extra}
    return api.create_state_machine(request)["stateMachineArn"]


# ------------------------------------------------------------------ activities


def test_create_and_describe_activity(api: Service) -> None:
    response = api.create_activity({"name": "Work"})
    assert response == {"activityArn": activity_arn("Work"), "creationDate": START_MS}
    # AWS (recorded, test_create_describe_delete_activity describe_activity_response).
    assert api.describe_activity({"activityArn": activity_arn("Work")}) == {
        "activityArn": activity_arn("Work"),
        "name": "Work",
        "creationDate": START_MS,
    }


def test_create_activity_is_idempotent_by_name(api: Service, clock: VirtualClock) -> None:
    first = api.create_activity({"name": "Work", "tags": [{"key": "a", "value": "1"}]})
    clock.advance(30)
    # AWS (recorded, create_activity_response_duplicate: same ARN and creation date); API reference:
    # different tags on a repeated call are ignored.
    assert api.create_activity({"name": "Work", "tags": [{"key": "b", "value": "2"}]}) == first
    assert api.list_tags_for_resource({"resourceArn": first["activityArn"]}) == {
        "tags": [{"key": "a", "value": "1"}]
    }


def test_create_activity_invalid_name(api: Service) -> None:
    # AWS (recorded, test_create_activity_invalid_name).
    assert error_of(api.create_activity, {"name": "TestActivity InvalidName$"}) == (
        "InvalidName",
        "Invalid Name: 'TestActivity InvalidName$'",
    )


def test_create_activity_name_too_long(api: Service) -> None:
    assert error_of(api.create_activity, {"name": "a" * 81})[0] == "ValidationException"


def test_create_activity_with_too_many_tags(api: Service) -> None:
    tags = [{"key": f"k{i}", "value": ""} for i in range(51)]
    assert error_of(api.create_activity, {"name": "Work", "tags": tags})[0] == "TooManyTags"


def test_describe_deleted_activity(api: Service) -> None:
    arn = api.create_activity({"name": "Work"})["activityArn"]
    # AWS (recorded, test_create_describe_delete_activity: both deletes answer {}).
    assert api.delete_activity({"activityArn": arn}) == {}
    assert api.delete_activity({"activityArn": arn}) == {}
    # AWS (recorded, test_describe_deleted_activity).
    assert error_of(api.describe_activity, {"activityArn": arn}) == (
        "ActivityDoesNotExist",
        f"Activity Does Not Exist: '{arn}'",
    )


def test_activity_arns_are_checked(api: Service) -> None:
    assert error_of(api.describe_activity, {"activityArn": "work"}) == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: work'",
    )
    assert error_of(api.delete_activity, {"activityArn": machine_arn("Orders")}) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
    )


def test_require_activity(api: Service) -> None:
    api.create_activity({"name": "Work"})
    assert api.require_activity(activity_arn("Work")).name == "Work"


def test_list_activities_by_name_with_pages(api: Service, clock: VirtualClock) -> None:
    for name in ("c", "a", "b"):
        api.create_activity({"name": name})
        clock.advance(1)
    first = api.list_activities({"maxResults": 2})
    assert [a["name"] for a in first["activities"]] == ["a", "b"]
    assert set(first["activities"][0]) == {"activityArn", "name", "creationDate"}
    second = api.list_activities({"maxResults": 2, "nextToken": first["nextToken"]})
    assert [a["name"] for a in second["activities"]] == ["c"]
    assert "nextToken" not in second
    created = {"c": START_MS, "a": START_MS + timedelta(seconds=1), "b": START_MS + timedelta(seconds=2)}
    assert api.list_activities({}) == {
        "activities": [
            {"activityArn": activity_arn(name), "name": name, "creationDate": created[name]} for name in "abc"
        ]
    }


def test_list_activities_invalid_token(api: Service) -> None:
    assert error_of(api.list_activities, {"nextToken": "bad"}) == (
        "InvalidToken",
        "Invalid Token: 'Invalid token'",
    )


# ------------------------------------------------------------------ tags


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([], []),
        ([{"key": "key1", "value": "value1"}], [{"key": "key1", "value": "value1"}]),
        ([{"key": "key1", "value": ""}], [{"key": "key1", "value": ""}]),
        (
            [{"key": "key1", "value": "value1"}, {"key": "key1", "value": "value1"}],
            [{"key": "key1", "value": "value1"}],
        ),
        (
            [{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}],
            [{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}],
        ),
    ],
)
def test_tag_state_machine(api: Service, tags: list, expected: list) -> None:
    arn = create_machine(api)
    # AWS (recorded, test_sfn_api_tagging.snapshot.json, test_tag_state_machine[tag_list0..4]).
    assert api.tag_resource({"resourceArn": arn, "tags": tags}) == {}
    assert api.list_tags_for_resource({"resourceArn": arn}) == {"tags": expected}


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([], [{"key": "key1", "value": "value1"}]),
        (["key1"], []),
        (["key1", "key1"], []),
        (["key1", "key2"], []),
    ],
)
def test_untag_state_machine(api: Service, keys: list, expected: list) -> None:
    arn = create_machine(api)
    api.tag_resource({"resourceArn": arn, "tags": [{"key": "key1", "value": "value1"}]})
    # AWS (recorded, test_sfn_api_tagging.snapshot.json, test_untag_state_machine[tag_keys0..3]).
    assert api.untag_resource({"resourceArn": arn, "tagKeys": keys}) == {}
    assert api.list_tags_for_resource({"resourceArn": arn}) == {"tags": expected}


def test_tags_given_at_creation(api: Service) -> None:
    tags = [{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}]
    arn = create_machine(api, tags=tags)
    # AWS (recorded, test_sfn_api_tagging.snapshot.json, test_create_state_machine).
    assert api.list_tags_for_resource({"resourceArn": arn}) == {"tags": tags}


def test_tagging_overwrites_a_value_in_place(api: Service) -> None:
    arn = create_machine(api, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    api.tag_resource({"resourceArn": arn, "tags": [{"key": "a", "value": "3"}, {"key": "c", "value": "4"}]})
    assert api.list_tags_for_resource({"resourceArn": arn})["tags"] == [
        {"key": "a", "value": "3"},
        {"key": "b", "value": "2"},
        {"key": "c", "value": "4"},
    ]


def test_tags_survive_an_update(api: Service) -> None:
    arn = create_machine(api, tags=[{"key": "a", "value": "1"}])
    api.update_state_machine({"stateMachineArn": arn, "roleArn": "arn:aws:iam::123456789012:role/Other"})
    assert api.list_tags_for_resource({"resourceArn": arn}) == {"tags": [{"key": "a", "value": "1"}]}


def test_tag_activity(api: Service) -> None:
    arn = api.create_activity({"name": "Work", "tags": [{"key": "team", "value": "a"}]})["activityArn"]
    api.tag_resource({"resourceArn": arn, "tags": [{"key": "env", "value": "dev"}]})
    api.untag_resource({"resourceArn": arn, "tagKeys": ["team"]})
    assert api.list_tags_for_resource({"resourceArn": arn}) == {"tags": [{"key": "env", "value": "dev"}]}


def test_fifty_tags_at_most(api: Service) -> None:
    arn = create_machine(api, tags=[{"key": f"k{i}", "value": "v"} for i in range(49)])
    api.tag_resource(
        {"resourceArn": arn, "tags": [{"key": "k0", "value": "new"}, {"key": "k49", "value": "v"}]}
    )
    code, message = error_of(
        api.tag_resource, {"resourceArn": arn, "tags": [{"key": "one-more", "value": "v"}]}
    )
    assert code == "TooManyTags"
    assert arn in message
    assert len(api.list_tags_for_resource({"resourceArn": arn})["tags"]) == 50


@pytest.mark.parametrize(
    ("tag", "member", "constraint"),
    [
        (
            {"key": "", "value": "v"},
            "tags.1.member.key",
            "Member must have length greater than or equal to 1",
        ),
        (
            {"key": "k" * 129, "value": "v"},
            "tags.1.member.key",
            "Member must have length less than or equal to 128",
        ),
        (
            {"key": "k", "value": "v" * 257},
            "tags.1.member.value",
            "Member must have length less than or equal to 256",
        ),
    ],
)
def test_tag_lengths(api: Service, tag: dict, member: str, constraint: str) -> None:
    arn = create_machine(api)
    code, message = error_of(api.tag_resource, {"resourceArn": arn, "tags": [tag]})
    assert code == "ValidationException"
    assert f"at '{member}' failed to satisfy constraint: {constraint}" in message


def test_tag_unknown_resource(api: Service) -> None:
    arn = machine_arn("Missing")
    # AWS (recorded, test_tag_state_machine_version error text).
    for operation, request in [
        (api.tag_resource, {"resourceArn": arn, "tags": []}),
        (api.untag_resource, {"resourceArn": arn, "tagKeys": []}),
        (api.list_tags_for_resource, {"resourceArn": arn}),
    ]:
        assert error_of(operation, request) == ("ResourceNotFound", f"Resource not found: '{arn}'")
    assert (
        error_of(api.list_tags_for_resource, {"resourceArn": activity_arn("Missing")})[0]
        == "ResourceNotFound"
    )


def test_tag_version_arn_is_not_found(api: Service) -> None:
    arn = create_machine(api) + ":1"
    # AWS (recorded, test_sfn_api_tagging.snapshot.json, test_tag_state_machine_version).
    assert error_of(api.tag_resource, {"resourceArn": arn, "tags": [{"key": "key1", "value": "value1"}]}) == (
        "ResourceNotFound",
        f"Resource not found: '{arn}'",
    )


def test_tag_invalid_arns(api: Service) -> None:
    assert error_of(api.tag_resource, {"resourceArn": "x", "tags": []}) == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: x'",
    )
    execution = "arn:aws:states:us-east-1:123456789012:execution:Orders:run"
    assert error_of(api.list_tags_for_resource, {"resourceArn": execution}) == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: execution'",
    )


def test_deleted_machine_has_no_tags(api: Service) -> None:
    arn = create_machine(api, tags=[{"key": "a", "value": "1"}])
    api.delete_state_machine({"stateMachineArn": arn})
    assert error_of(api.list_tags_for_resource, {"resourceArn": arn})[0] == "ResourceNotFound"
