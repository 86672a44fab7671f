"""Create/Describe/Update/Delete/ListStateMachines against MemoryStore, pinned to AWS's behaviour.

Most expectations come from LocalStack's AWS-validated snapshots
(``tests/aws/services/stepfunctions/v2/test_sfn_api*.snapshot.json``, recorded against real AWS).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from interpreter.adapters.clock import VirtualClock
from interpreter.adapters.stores.base import StateMachineItem
from interpreter.adapters.stores.memory import MemoryStore
from interpreter.service.errors import ApiError

from .helpers import PASS_DEFINITION, ROLE, START_MS, Service, machine_arn

OTHER_ROLE = "arn:aws:iam::123456789012:role/Other"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:log_group_name:*"


def create(api: Service, name: str = "Orders", **extra: object) -> dict:
    request = {"name": name, "definition": PASS_DEFINITION, "roleArn": ROLE, **extra}
    return api.create_state_machine(request)


def error_of(fn, request: dict) -> tuple[str, str]:
    with pytest.raises(ApiError) as caught:
        fn(request)
    return caught.value.code, caught.value.message


def pass_definition(result: str) -> str:
    doc = json.loads(PASS_DEFINITION)
    doc["States"]["State_1"]["Result"] = {"Arg1": result}
    return json.dumps(doc)


# ------------------------------------------------------------------ create / describe


def test_create_returns_arn_and_creation_date_at_millisecond_precision(api: Service) -> None:
    response = create(api)
    assert response == {"stateMachineArn": machine_arn("Orders"), "creationDate": START_MS}
    assert response["creationDate"].tzinfo is not None


def test_describe_has_aws_shape_and_defaults(api: Service) -> None:
    create(api)
    # AWS (recorded, test_sfn_api.snapshot.json, test_create_exact_duplicate_sm describe_resp_1): no
    # revisionId before the first update; logging OFF / includeExecutionData false; tracing disabled.
    assert api.describe_state_machine({"stateMachineArn": machine_arn("Orders")}) == {
        "stateMachineArn": machine_arn("Orders"),
        "name": "Orders",
        "status": "ACTIVE",
        "definition": PASS_DEFINITION,
        "roleArn": ROLE,
        "type": "STANDARD",
        "creationDate": START_MS,
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
    }


def test_definition_is_kept_verbatim(api: Service) -> None:
    text = '{ "StartAt" : "A",\n  "States": {"A": {"Type": "Succeed"}} }'
    api.create_state_machine({"name": "Verbatim", "definition": text, "roleArn": ROLE})
    assert api.describe_state_machine({"stateMachineArn": machine_arn("Verbatim")})["definition"] == text


def test_create_express(api: Service) -> None:
    create(api, "Fast", type="EXPRESS")
    assert api.describe_state_machine({"stateMachineArn": machine_arn("Fast")})["type"] == "EXPRESS"


def test_logging_and_tracing_are_stored_and_echoed(api: Service) -> None:
    logging = {"level": "ALL", "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}]}
    create(api, loggingConfiguration=logging, tracingConfiguration={"enabled": True})
    described = api.describe_state_machine({"stateMachineArn": machine_arn("Orders")})
    # AWS (recorded, test_sfn_api_logs.snapshot.json, test_logging_configuration[ALL-False]).
    assert described["loggingConfiguration"] == {**logging, "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": True}


def test_incomplete_logging_configuration_gets_defaults(api: Service) -> None:
    # AWS (recorded, test_sfn_api_logs.snapshot.json, test_incomplete_logging_configuration[1]): an
    # empty destinations list is echoed.
    create(api, loggingConfiguration={"level": "OFF", "destinations": []})
    described = api.describe_state_machine({"stateMachineArn": machine_arn("Orders")})
    assert described["loggingConfiguration"] == {
        "level": "OFF",
        "includeExecutionData": False,
        "destinations": [],
    }


@pytest.mark.parametrize(
    "logging",
    [
        {"level": "ALL"},
        {"level": "ERROR", "destinations": []},
        {
            "level": "ALL",
            "destinations": [
                {"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}},
                {"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP + "2"}},
            ],
        },
    ],
)
def test_invalid_logging_configuration(api: Service, logging: dict) -> None:
    # AWS (recorded, test_sfn_api_logs.snapshot.json, test_invalid_logging_configuration,
    # test_multiple_destinations).
    assert error_of(
        api.create_state_machine,
        {"name": "L", "definition": PASS_DEFINITION, "roleArn": ROLE, "loggingConfiguration": logging},
    ) == (
        "InvalidLoggingConfiguration",
        "Invalid Logging Configuration: Must specify exactly one Log Destination.",
    )


def test_exact_duplicate_create_is_idempotent(api: Service, clock: VirtualClock) -> None:
    first = create(api)
    clock.advance(60)
    # AWS (recorded, test_sfn_api.snapshot.json, test_create_exact_duplicate_sm): same ARN and date.
    assert create(api) == first


def test_duplicate_create_ignores_role_and_tags(api: Service) -> None:
    # AWS API reference, CreateStateMachine: "If a following request has a different roleArn or tags,
    # Step Functions will ignore these differences ... roleArn and tags will not be updated".
    first = create(api)
    again = api.create_state_machine(
        {
            "name": "Orders",
            "definition": PASS_DEFINITION,
            "roleArn": OTHER_ROLE,
            "tags": [{"key": "k", "value": "v"}],
        }
    )
    assert again == first
    assert api.describe_state_machine({"stateMachineArn": first["stateMachineArn"]})["roleArn"] == ROLE
    assert api.list_tags_for_resource({"resourceArn": first["stateMachineArn"]}) == {"tags": []}


@pytest.mark.parametrize(
    "change",
    [
        {"definition": json.dumps(json.loads(PASS_DEFINITION), indent=2)},  # same JSON, other format
        {"definition": pass_definition("other")},
        {"type": "EXPRESS"},
        {"tracingConfiguration": {"enabled": True}},
        {
            "loggingConfiguration": {
                "level": "ALL",
                "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "x"}}],
            }
        },
    ],
)
def test_create_with_same_name_but_different_config_already_exists(api: Service, change: dict) -> None:
    create(api)
    request = {"name": "Orders", "definition": PASS_DEFINITION, "roleArn": ROLE, **change}
    # AWS (recorded, test_sfn_api.snapshot.json, test_create_duplicate_definition_format_sm and
    # test_create_duplicate_sm_name): "State Machine Already Exists: '<arn>'".
    assert error_of(api.create_state_machine, request) == (
        "StateMachineAlreadyExists",
        f"State Machine Already Exists: '{machine_arn('Orders')}'",
    )


def test_duplicate_create_compares_with_the_current_revision(api: Service) -> None:
    create(api)
    api.update_state_machine({"stateMachineArn": machine_arn("Orders"), "definition": pass_definition("v2")})
    code, _ = error_of(
        api.create_state_machine, {"name": "Orders", "definition": PASS_DEFINITION, "roleArn": ROLE}
    )
    assert code == "StateMachineAlreadyExists"
    again = {"name": "Orders", "definition": pass_definition("v2"), "roleArn": ROLE}
    assert api.create_state_machine(again)["stateMachineArn"] == machine_arn("Orders")


def test_invalid_definition(api: Service) -> None:
    request = {"name": "Bad", "definition": json.dumps({"StartAt": "A"}), "roleArn": ROLE}
    # AWS (recorded, test_sfn_api.snapshot.json, test_create_delete_invalid_sm).
    assert error_of(api.create_state_machine, request) == (
        "InvalidDefinition",
        "Invalid State Machine Definition: "
        "'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'",
    )
    assert api.list_state_machines({}) == {"stateMachines": []}


def test_express_rejects_callback_integrations(api: Service) -> None:
    definition = {
        "StartAt": "Publish",
        "States": {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
                "Parameters": {
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                    "Message.$": "$$.Task.Token",
                },
                "End": True,
            }
        },
    }
    request = {"name": "E", "definition": json.dumps(definition), "roleArn": ROLE, "type": "EXPRESS"}
    code, message = error_of(api.create_state_machine, request)
    # AWS (recorded, test_sfn_api_express.snapshot.json, test_illegal_callbacks[WAIT_FOR_TASK_TOKEN]).
    assert code == "InvalidDefinition"
    assert message.startswith(
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        "Express state machine does not support '.waitForTaskToken' service integration"
    )
    assert message.endswith(" at /States/Publish/Resource'")
    # The same definition is fine for a STANDARD machine.
    assert api.create_state_machine({**request, "type": "STANDARD"})["stateMachineArn"] == machine_arn("E")


@pytest.mark.parametrize(
    ("role", "prefix"), [("snf_role", True), ("arn:aws:iam::123456789012:user/u", False)]
)
def test_role_arn_must_be_an_iam_role(api: Service, role: str, prefix: bool) -> None:
    code, message = error_of(
        api.create_state_machine, {"name": "R", "definition": PASS_DEFINITION, "roleArn": role}
    )
    assert code == "InvalidArn"
    assert message == (f"Invalid Arn: 'Invalid ARN prefix: {role}'" if prefix else f"Invalid Arn: '{role}'")


def test_invalid_name(api: Service) -> None:
    request = {"name": "bad name", "definition": PASS_DEFINITION, "roleArn": ROLE}
    assert error_of(api.create_state_machine, request) == ("InvalidName", "Invalid Name: 'bad name'")


def test_version_description_without_publish(api: Service) -> None:
    # AWS (recorded, test_sfn_api_versioning.snapshot.json, test_create_with_version_description_no_publish).
    code, message = error_of(
        api.create_state_machine,
        {"name": "V", "definition": PASS_DEFINITION, "roleArn": ROLE, "versionDescription": "d"},
    )
    assert (code, message) == (
        "ValidationException",
        "Version description can only be set when publish is true",
    )


def test_publish_is_not_supported(api: Service) -> None:
    code, message = error_of(
        api.create_state_machine,
        {"name": "V", "definition": PASS_DEFINITION, "roleArn": ROLE, "publish": True},
    )
    assert code == "ValidationException"
    assert "not supported" in message
    assert api.list_state_machines({}) == {"stateMachines": []}


def test_customer_managed_kms_key_is_not_supported(api: Service) -> None:
    encryption = {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"}
    code, _ = error_of(
        api.create_state_machine,
        {"name": "K", "definition": PASS_DEFINITION, "roleArn": ROLE, "encryptionConfiguration": encryption},
    )
    assert code == "ValidationException"
    create(api, "Owned", encryptionConfiguration={"type": "AWS_OWNED_KEY"})


def test_describe_unknown_machine(api: Service) -> None:
    arn = machine_arn("Missing")
    # AWS (recorded, test_sfn_api.snapshot.json, test_describe_nonexistent_sm).
    assert error_of(api.describe_state_machine, {"stateMachineArn": arn}) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{arn}'",
    )


def test_describe_invalid_arn(api: Service) -> None:
    # AWS (recorded, test_sfn_api.snapshot.json, test_describe_invalid_arn_sm).
    assert error_of(api.describe_state_machine, {"stateMachineArn": "not_a_valid_arn"}) == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'",
    )


def test_version_arn_names_no_machine(api: Service) -> None:
    create(api)
    arn = machine_arn("Orders") + ":2"
    # AWS (recorded, test_sfn_api_versioning.snapshot.json, test_update_state_machine invalid_arn_1).
    assert error_of(api.describe_state_machine, {"stateMachineArn": arn}) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{arn}'",
    )


def test_require_state_machine_returns_the_current_revision(api: Service) -> None:
    create(api)
    assert api.require_state_machine(machine_arn("Orders")).definition == PASS_DEFINITION


def test_too_many_tags_on_create(api: Service) -> None:
    tags = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    code, _ = error_of(
        api.create_state_machine, {"name": "T", "definition": PASS_DEFINITION, "roleArn": ROLE, "tags": tags}
    )
    assert code == "TooManyTags"
    create(api, "Fifty", tags=tags[:50])


# ------------------------------------------------------------------ update


def test_update_definition_creates_a_revision(api: Service, store: MemoryStore, clock: VirtualClock) -> None:
    create(api)
    arn = machine_arn("Orders")
    old_revision = store.get_state_machine(arn).revision_id
    clock.advance(5)
    response = api.update_state_machine(
        {"stateMachineArn": arn, "definition": pass_definition("AfterUpdate1")}
    )
    # AWS (recorded, test_sfn_api.snapshot.json, test_create_update_state_machine_base_definition).
    assert set(response) == {"updateDate", "revisionId"}
    assert response["updateDate"] == START_MS + timedelta(seconds=5)
    described = api.describe_state_machine({"stateMachineArn": arn})
    assert described["revisionId"] == response["revisionId"] != old_revision
    assert described["definition"] == pass_definition("AfterUpdate1")
    assert described["creationDate"] == START_MS
    # An execution started before the update still reads the definition it started with.
    assert store.get_state_machine(arn, old_revision).definition == PASS_DEFINITION
    assert store.get_state_machine(arn, response["revisionId"]).definition == pass_definition("AfterUpdate1")


def test_every_update_gets_a_new_revision(api: Service) -> None:
    create(api)
    arn = machine_arn("Orders")
    first = api.update_state_machine({"stateMachineArn": arn, "definition": pass_definition("1")})
    second = api.update_state_machine({"stateMachineArn": arn, "definition": pass_definition("2")})
    assert first["revisionId"] != second["revisionId"]
    assert api.describe_state_machine({"stateMachineArn": arn})["revisionId"] == second["revisionId"]


def test_update_role(api: Service) -> None:
    create(api)
    arn = machine_arn("Orders")
    api.update_state_machine({"stateMachineArn": arn, "roleArn": OTHER_ROLE})
    described = api.describe_state_machine({"stateMachineArn": arn})
    assert (described["roleArn"], described["definition"]) == (OTHER_ROLE, PASS_DEFINITION)


def test_update_with_the_same_parameters_keeps_the_revision(api: Service) -> None:
    create(api)
    arn = machine_arn("Orders")
    first = api.update_state_machine({"stateMachineArn": arn, "roleArn": OTHER_ROLE})
    again = api.update_state_machine({"stateMachineArn": arn, "roleArn": OTHER_ROLE})
    # AWS (recorded, test_sfn_api.snapshot.json, test_create_update_state_machine_same_parameters).
    assert again["revisionId"] == first["revisionId"]


def test_update_logging_and_tracing(api: Service) -> None:
    create(api)
    arn = machine_arn("Orders")
    logging = {
        "level": "FATAL",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}],
    }
    first = api.update_state_machine({"stateMachineArn": arn, "loggingConfiguration": logging})
    second = api.update_state_machine({"stateMachineArn": arn, "tracingConfiguration": {"enabled": True}})
    described = api.describe_state_machine({"stateMachineArn": arn})
    assert described["loggingConfiguration"] == logging
    assert described["tracingConfiguration"] == {"enabled": True}
    assert first["revisionId"] != second["revisionId"] == described["revisionId"]


def test_update_with_invalid_logging(api: Service) -> None:
    create(api)
    request = {"stateMachineArn": machine_arn("Orders"), "loggingConfiguration": {"level": "ALL"}}
    # AWS (recorded, test_sfn_api_logs.snapshot.json, test_update_logging_configuration exception_invalid).
    assert error_of(api.update_state_machine, request)[0] == "InvalidLoggingConfiguration"


def test_update_needs_something_to_update(api: Service) -> None:
    create(api)
    # AWS (recorded, test_sfn_api.snapshot.json, test_create_update_state_machine_base_update_none).
    assert error_of(api.update_state_machine, {"stateMachineArn": machine_arn("Orders")}) == (
        "MissingRequiredParameter",
        "Either the definition, the role ARN, the LoggingConfiguration, "
        "or the TracingConfiguration must be specified",
    )


def test_update_invalid_definition_changes_nothing(api: Service, store: MemoryStore) -> None:
    create(api)
    arn = machine_arn("Orders")
    request = {"stateMachineArn": arn, "definition": json.dumps({"StartAt": "Nowhere", "States": {}})}
    code, message = error_of(api.update_state_machine, request)
    assert code == "InvalidDefinition"
    assert message.startswith("Invalid State Machine Definition: '")
    assert store.get_state_machine(arn).definition == PASS_DEFINITION
    assert "revisionId" not in api.describe_state_machine({"stateMachineArn": arn})


def test_update_validates_against_the_machine_type(api: Service) -> None:
    create(api, "Fast", type="EXPRESS")
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "End": True}
        },
    }
    request = {"stateMachineArn": machine_arn("Fast"), "definition": json.dumps(definition)}
    code, message = error_of(api.update_state_machine, request)
    assert code == "InvalidDefinition"
    assert "Express state machine does not support '.sync' service integration" in message


def test_update_unknown_machine(api: Service) -> None:
    arn = machine_arn("Missing")
    assert error_of(api.update_state_machine, {"stateMachineArn": arn, "roleArn": ROLE}) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{arn}'",
    )


def test_update_bad_role(api: Service) -> None:
    create(api)
    code, _ = error_of(api.update_state_machine, {"stateMachineArn": machine_arn("Orders"), "roleArn": "r"})
    assert code == "InvalidArn"


def test_update_publish_is_not_supported(api: Service) -> None:
    create(api)
    request = {"stateMachineArn": machine_arn("Orders"), "roleArn": OTHER_ROLE, "publish": True}
    assert error_of(api.update_state_machine, request)[0] == "ValidationException"


def test_concurrent_update_is_applied_on_top(api: Service, store: MemoryStore) -> None:
    create(api)
    arn = machine_arn("Orders")

    class Racing(MemoryStore):
        """Another writer updates the machine just before our first write."""

        raced = False

        def update_state_machine(self, item, *, expected_revision):  # type: ignore[no-untyped-def]
            if not self.raced:
                self.raced = True
                other = Service(store, api.clock)  # type: ignore[arg-type]
                other.update_state_machine({"stateMachineArn": arn, "roleArn": OTHER_ROLE})
            return store.update_state_machine(item, expected_revision=expected_revision)

        def get_state_machine(self, arn, revision_id=None):  # type: ignore[no-untyped-def]
            return store.get_state_machine(arn, revision_id)

    racer = Service(Racing(), api.clock)  # type: ignore[arg-type]
    racer.update_state_machine({"stateMachineArn": arn, "definition": pass_definition("mine")})
    described = api.describe_state_machine({"stateMachineArn": arn})
    assert (described["roleArn"], described["definition"]) == (OTHER_ROLE, pass_definition("mine"))


# ------------------------------------------------------------------ delete


def test_delete(api: Service, store: MemoryStore) -> None:
    create(api)
    arn = machine_arn("Orders")
    revision = store.get_state_machine(arn).revision_id
    # AWS (recorded, test_sfn_api.snapshot.json, test_create_delete_valid_sm): an empty response.
    assert api.delete_state_machine({"stateMachineArn": arn}) == {}
    assert error_of(api.describe_state_machine, {"stateMachineArn": arn})[0] == "StateMachineDoesNotExist"
    assert api.list_state_machines({}) == {"stateMachines": []}
    # Executions of the deleted machine can still read their revision.
    assert store.get_state_machine(arn, revision).definition == PASS_DEFINITION


def test_delete_unknown_machine_succeeds(api: Service) -> None:
    # AWS (recorded, test_sfn_api.snapshot.json, test_delete_nonexistent_sm).
    assert api.delete_state_machine({"stateMachineArn": machine_arn("Missing")}) == {}


def test_delete_invalid_arn(api: Service) -> None:
    assert error_of(api.delete_state_machine, {"stateMachineArn": "nope"}) == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: nope'",
    )


def test_delete_version_arn_leaves_the_machine(api: Service) -> None:
    create(api)
    assert api.delete_state_machine({"stateMachineArn": machine_arn("Orders") + ":1"}) == {}
    assert api.describe_state_machine({"stateMachineArn": machine_arn("Orders")})["status"] == "ACTIVE"


def test_delete_distributed_map_arn_is_a_validation_error(api: Service) -> None:
    # AWS API reference, DeleteStateMachine: a Distributed Map state ARN fails with ValidationException.
    request = {"stateMachineArn": machine_arn("Orders") + "/mapLabel"}
    assert error_of(api.delete_state_machine, request)[0] == "ValidationException"


def test_name_can_be_reused_after_delete(api: Service) -> None:
    create(api)
    api.delete_state_machine({"stateMachineArn": machine_arn("Orders")})
    create(api, definition=pass_definition("new"))
    assert api.describe_state_machine({"stateMachineArn": machine_arn("Orders")})[
        "definition"
    ] == pass_definition("new")


# ------------------------------------------------------------------ list


def test_list_item_shape(api: Service) -> None:
    create(api, "A")
    create(api, "B", type="EXPRESS")
    # AWS (recorded, test_sfn_api.snapshot.json, test_list_sms lst_resp_filter).
    assert api.list_state_machines({}) == {
        "stateMachines": [
            {"stateMachineArn": machine_arn("A"), "name": "A", "type": "STANDARD", "creationDate": START_MS},
            {"stateMachineArn": machine_arn("B"), "name": "B", "type": "EXPRESS", "creationDate": START_MS},
        ]
    }


def test_list_is_ordered_by_name_and_paginates(api: Service, clock: VirtualClock) -> None:
    names = [f"statemachine_{i}_x" for i in range(13)]
    for name in names:
        create(api, name)
        clock.advance(1)
    # AWS (recorded, test_sfn_api.snapshot.json, test_list_sms_pagination): names sort as text
    # (statemachine_0, statemachine_10, statemachine_11, statemachine_12, statemachine_1, ...).
    first = api.list_state_machines({"maxResults": 10})
    assert [m["name"] for m in first["stateMachines"]] == sorted(names)[:10]
    second = api.list_state_machines({"maxResults": 10, "nextToken": first["nextToken"]})
    assert [m["name"] for m in second["stateMachines"]] == sorted(names)[10:]
    assert "nextToken" not in second


def test_list_max_results_zero_means_the_default_of_100(api: Service) -> None:
    for i in range(3):
        create(api, f"m{i}")
    # AWS (test_list_sms_pagination): maxResults 0 lists with the default page size.
    response = api.list_state_machines({"maxResults": 0})
    assert len(response["stateMachines"]) == 3 and "nextToken" not in response


def test_list_exactly_one_page(api: Service) -> None:
    for i in range(2):
        create(api, f"m{i}")
    assert "nextToken" not in api.list_state_machines({"maxResults": 2})


def test_list_max_results_too_large(api: Service) -> None:
    # AWS (recorded, test_list_sms_pagination, list-state-machines-invalid-param-too-large).
    assert error_of(api.list_state_machines, {"maxResults": 1001}) == (
        "ValidationException",
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000",
    )


@pytest.mark.parametrize("token", ["garbage", "eyJ4IjogMX0=", "!!!", "bm90IGpzb24="])
def test_list_invalid_token(api: Service, token: str) -> None:
    assert error_of(api.list_state_machines, {"nextToken": token}) == (
        "InvalidToken",
        "Invalid Token: 'Invalid token'",
    )


def test_token_survives_a_deleted_item(api: Service) -> None:
    for name in ("a", "b", "c", "d"):
        create(api, name)
    first = api.list_state_machines({"maxResults": 2})
    api.delete_state_machine({"stateMachineArn": machine_arn("b")})
    second = api.list_state_machines({"maxResults": 2, "nextToken": first["nextToken"]})
    assert [m["name"] for m in second["stateMachines"]] == ["c", "d"]


def test_list_more_than_a_store_page(api: Service, store: MemoryStore) -> None:
    for i in range(1005):
        name = f"m{i:04}"
        item = StateMachineItem(
            arn=machine_arn(name),
            name=name,
            definition=PASS_DEFINITION,
            role_arn=ROLE,
            creation_date=START_MS,
            revision_id=f"r{i}",
        )
        store.create_state_machine(item)
    names: list[str] = []
    request: dict = {"maxResults": 1000}
    while True:
        page = api.list_state_machines(request)
        names += [m["name"] for m in page["stateMachines"]]
        if "nextToken" not in page:
            break
        request = {"maxResults": 1000, "nextToken": page["nextToken"]}
    assert names == [f"m{i:04}" for i in range(1005)]


def test_unknown_type_is_a_model_validation_error(api: Service) -> None:
    request = {"name": "T", "definition": PASS_DEFINITION, "roleArn": ROLE, "type": "SLOW"}
    assert error_of(api.create_state_machine, request) == (
        "ValidationException",
        "1 validation error detected: Value 'SLOW' at 'type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [STANDARD, EXPRESS]",
    )
    code, _ = error_of(api.validate_state_machine_definition, {"definition": PASS_DEFINITION, "type": "x"})
    assert code == "ValidationException"
