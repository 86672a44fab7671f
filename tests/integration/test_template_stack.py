"""template.yaml's stepfn engine stack, verified without an AWS account (issue 6, docs/deploy.md).

* ``cfn-lint`` passes (it runs AWS's SAM translator itself);
* AWS's SAM translator (``interpreter.sam.translate``, the code CloudFormation runs on ``sam
  deploy``) transforms the template with no credentials and no network;
* the translated stack is created in moto's CloudFormation, with every parameter at its default
  and with every option on, and the resources moto creates are read back through their own APIs:
  the table's keys and indexes, the queues' redrive policy and visibility timeout, the SQS event
  source mapping, the functions' handlers and environment (which ``wiring.Settings`` reads), the
  IAM policies, the sweeper's schedule; then the real handlers run one execution against the
  stack's own table and queue. What moto's CloudFormation ignores or cannot create (the HTTP API,
  layers on functions, managed policy attachments, PITR, tracing, state machine definitions) is
  checked in the translated template instead (``MOTO_SKIPS`` below says which and why);
* ``sam validate --lint`` and ``sam build`` run when the SAM CLI is installed (skipped otherwise),
  and the layer ``make build-StepfnEngineLayer`` builds carries everything the handlers import.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from interpreter.adapters.stores._dynamodb_items import table_definition
from interpreter.sam.document import load_document
from interpreter.sam.translate import LOCAL_BUCKET, CfnTemplate, to_cloudformation
from interpreter.serverless import wiring
from tests.serverless_stack import FakeContext, http_event, sqs_event

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
# moto warns about each resource type it cannot create (create_stack records them: MOTO_SKIPS)
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS.*not supported by moto:UserWarning")
REGION, ACCOUNT = "us-east-1", "123456789012"
ENGINE_FUNCTIONS = ("StepfnApiFunction", "StepfnWorkerFunction", "StepfnSweeperFunction")
ALL_OPTIONS = {
    "TableName": "stepfn-executions",
    "WorkerTimeout": "900",
    "WorkerMaxConcurrency": "50",
    "WorkerThreads": "8",
    "LogLevel": "WARNING",
    "UseEventBridgeScheduler": "true",
}
# Resource types of the translated template that moto's CloudFormation (5.x) does not create: it
# warns and goes on. Their settings are asserted on the translated template instead.
MOTO_SKIPS = {
    "AWS::ApiGatewayV2::Api": "StepfnHttpApi (SAM's HttpApi)",
    "AWS::ApiGatewayV2::Stage": "StepfnHttpApi's $default stage",
    "AWS::SNS::Subscription": "CustomerEmailSubscription (example app)",
    "AWS::SQS::QueuePolicy": "CustomerEmailQueuePolicy (example app)",
}
# The task functions of the example workflows, which the worker may invoke.
TASK_FUNCTIONS = (
    *("ClassifyTicketFunction", "AssignAgentFunction"),
    *("EtlExtractFunction", "EtlTransformFunction", "EtlLoadFunction", "EtlNotifyFunction"),
    *("TrainingPrepareFunction", "TrainingTrainFunction", "TrainingEvaluateFunction"),
    *("TrainingPublishReportFunction", "TrainingNotifyFunction"),
    *("OrderPriceLineFunction", "OrderReserveStockFunction", "OrderReleaseStockFunction"),
    *("OrderChargePaymentFunction", "OrderCreateShipmentFunction", "OrderNotifyFunction"),
)


# ------------------------------------------------------------------------------------ lint + SAM
def test_cfn_lint_passes_on_the_template() -> None:
    # `cfn-lint template.yaml` (errors and warnings; cfn-lint runs the SAM transform first)
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE)
    assert [str(m) for m in matches] == []


def test_the_sam_translator_transforms_the_template_without_credentials_or_network(monkeypatch) -> None:
    # GIVEN no AWS credentials or configuration anywhere, and no way to open a connection
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"the translation opened a connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)

    # WHEN AWS's SAM translator transforms it
    cfn = translated()

    # THEN the engine stack is plain CloudFormation
    types = {logical_id: resource["Type"] for logical_id, resource in cfn.resources.items()}
    assert {logical_id: types[logical_id] for logical_id in (*ENGINE_FUNCTIONS, "StepfnTable")} == {
        "StepfnApiFunction": "AWS::Lambda::Function",
        "StepfnWorkerFunction": "AWS::Lambda::Function",
        "StepfnSweeperFunction": "AWS::Lambda::Function",
        "StepfnTable": "AWS::DynamoDB::Table",
    }
    assert types["StepfnHttpApi"] == "AWS::ApiGatewayV2::Api"
    assert types["StepfnWorkerEventSource"] == "AWS::Lambda::EventSourceMapping"
    assert types["StepfnSweeperFunctionSweep"] == "AWS::Events::Rule"
    assert [t for t in types.values() if t == "AWS::Lambda::LayerVersion"] == ["AWS::Lambda::LayerVersion"]
    assert [t for t in types.values() if t == "AWS::StepFunctions::StateMachine"] == [
        "AWS::StepFunctions::StateMachine"
    ] * 5  # the example workflows deploy through the same template
    assert not any(t.startswith("AWS::Serverless::") for t in types.values())


def test_the_table_is_the_one_the_dynamodb_store_creates() -> None:
    # interpreter/adapters/stores/_dynamodb_items.table_definition is the store's schema
    table = template_resources()["StepfnTable"]["Properties"]
    expected = table_definition("unused")
    assert table["BillingMode"] == expected["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == expected["KeySchema"]
    assert sorted_by(table["AttributeDefinitions"], "AttributeName") == sorted_by(
        expected["AttributeDefinitions"], "AttributeName"
    )
    assert table["GlobalSecondaryIndexes"] == expected["GlobalSecondaryIndexes"]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_the_queue_visibility_timeout_is_six_times_every_allowed_worker_timeout() -> None:
    data = load_document(TEMPLATE).data
    allowed = [int(value) for value in data["Parameters"]["WorkerTimeout"]["AllowedValues"]]
    mapping = data["Mappings"]["WorkerTimeouts"]
    assert {int(key): value["QueueVisibilityTimeout"] for key, value in mapping.items()} == {
        timeout: 6 * timeout for timeout in allowed
    }
    assert max(allowed) <= 900  # Lambda's limit


def test_stepfn_run_template_skips_the_engine_and_runs_the_examples() -> None:
    # `stepfn run --template template.yaml` (docs/sam.md) with the engine stack in the template
    from interpreter import run
    from interpreter.adapters.aws import aws_session
    from interpreter.sam import prepare

    saved = dict(os.environ)  # the functions' variables go into os.environ (Lambda's cold start)
    aws = aws_session("moto")
    try:
        local = prepare(TEMPLATE, aws=aws, state_machine="EtlPipelineStateMachine")
        result = run(
            local.machine,
            json.loads((ROOT / "statemachine" / "etl_pipeline.input.json").read_text()),
            handlers=local.handlers,
            aws=aws,
            machine_name=local.state_machine.name,
        )
        assert result.status == "SUCCEEDED", result.cause
        # the engine's table and queues are created in moto like the example's, harmlessly ...
        created = {c.logical_id for c in local.created}
        assert {"StepfnTable", "StepfnWorkQueue", "StepfnDeadLetterQueue", "TicketsTable"} <= created
        table = aws.session.client("dynamodb").describe_table(TableName="StepfnTable")["Table"]
        assert table["KeySchema"] == table_definition("StepfnTable")["KeySchema"]
        # ... and what a local run deliberately leaves out of the engine stack (its layer, HTTP
        # API and stage, the sweeper's schedule rule, the worker's event source mapping) is
        # skipped quietly, as is its POWERTOOLS_SERVICE_NAME, which the ETL functions do not set
        assert local.notes == []
        skipped = {c.logical_id for c in local.created} & {"StepfnHttpApi", "StepfnWorkerEventSource"}
        assert skipped == set()
    finally:
        aws.close()
        os.environ.clear()
        os.environ.update(saved)


# ------------------------------------------------------------------------------------ moto stack
@dataclass
class Stack:
    name: str
    session: boto3.Session
    template: dict[str, Any]  # what was sent to CloudFormation
    physical: dict[str, str]  # logical id -> physical id
    outputs: dict[str, str]
    skipped: set[str]  # the resource types moto warned it does not create

    def client(self, service: str) -> Any:
        return self.session.client(service, region_name=REGION)

    def function(self, logical_id: str) -> dict[str, Any]:
        return self.client("lambda").get_function_configuration(FunctionName=self.physical[logical_id])

    def environment(self, logical_id: str) -> dict[str, str]:
        variables = self.function(logical_id)["Environment"]["Variables"]
        return {name: str(value) for name, value in variables.items()}  # moto keeps a Number an int

    def queue_attributes(self, logical_id: str) -> dict[str, str]:
        url = self.physical[logical_id]
        return self.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    def event_source_mapping(self) -> dict[str, Any]:
        worker = self.physical["StepfnWorkerFunction"]
        [mapping] = self.client("lambda").list_event_source_mappings(FunctionName=worker)[
            "EventSourceMappings"
        ]
        return dict(mapping)

    def queue_arn(self, logical_id: str) -> str:
        return self.queue_attributes(logical_id)["QueueArn"]

    def function_arn(self, logical_id: str) -> str:
        return self.function(logical_id)["FunctionArn"]

    def role_policies(self, function_id: str) -> dict[str, dict[str, Any]]:
        """The inline policies of the role SAM made for the function, by name."""
        iam = self.client("iam")
        role = self.physical[f"{function_id}Role"]
        return {
            name: _document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
            for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
        }


@pytest.fixture(scope="module")
def stacks() -> Iterator[dict[str, Stack]]:
    """Two stacks of the translated template in one moto account: "defaults" (no parameters) and
    "options" (ALL_OPTIONS)."""
    saved = dict(os.environ)
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        put_code_objects(session)
        yield {
            "defaults": create_stack(session, "stepfn", {}),
            "options": create_stack(session, "stepfn-options", ALL_OPTIONS),
        }
    os.environ.clear()
    os.environ.update(saved)


def test_moto_creates_every_resource_it_supports(stacks) -> None:
    for stack in stacks.values():
        # moto skipped only the types known above (a new resource it cannot create shows up here)
        assert stack.skipped <= set(MOTO_SKIPS), stack.skipped - set(MOTO_SKIPS)
        summaries = stack.client("cloudformation").list_stack_resources(StackName=stack.name)
        statuses = {s["LogicalResourceId"]: s["ResourceStatus"] for s in summaries["StackResourceSummaries"]}
        assert set(statuses.values()) == {"CREATE_COMPLETE"}
        expected = {
            logical_id
            for logical_id, resource in stack.template["Resources"].items()
            if resource["Type"] not in MOTO_SKIPS and "Condition" not in resource
        }
        assert expected <= set(statuses), expected - set(statuses)
    # the scheduler's role and policy exist only with UseEventBridgeScheduler=true
    assert "StepfnSchedulerRole" not in stacks["defaults"].physical
    assert "StepfnSchedulerPolicy" not in stacks["defaults"].physical
    assert "StepfnSchedulerRole" in stacks["options"].physical


def test_the_table_has_the_store_keys_and_indexes(stacks) -> None:
    expected = table_definition("unused")
    for stack, name in ((stacks["defaults"], None), (stacks["options"], "stepfn-executions")):
        physical = stack.physical["StepfnTable"]
        assert name is None or physical == name  # TableName: CloudFormation's own name by default
        table = stack.client("dynamodb").describe_table(TableName=physical)["Table"]
        assert table["KeySchema"] == expected["KeySchema"]
        assert sorted_by(table["AttributeDefinitions"], "AttributeName") == sorted_by(
            expected["AttributeDefinitions"], "AttributeName"
        )
        indexes = {
            index["IndexName"]: (index["KeySchema"], index["Projection"])
            for index in table["GlobalSecondaryIndexes"]
        }
        assert indexes == {
            index["IndexName"]: (index["KeySchema"], index["Projection"])
            for index in expected["GlobalSecondaryIndexes"]
        }
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_the_work_queue_redrives_to_the_dead_letter_queue(stacks) -> None:
    for stack, worker_timeout in ((stacks["defaults"], 300), (stacks["options"], 900)):
        work = stack.queue_attributes("StepfnWorkQueue")
        assert json.loads(work["RedrivePolicy"]) == {
            "deadLetterTargetArn": stack.queue_arn("StepfnDeadLetterQueue"),
            "maxReceiveCount": 5,
        }
        # six times the worker's timeout (AWS's advice for a queue that triggers a function)
        assert stack.function("StepfnWorkerFunction")["Timeout"] == worker_timeout
        assert int(work["VisibilityTimeout"]) == 6 * worker_timeout
        assert stack.queue_attributes("StepfnDeadLetterQueue")["MessageRetentionPeriod"] == "1209600"


def test_the_worker_is_fed_by_the_work_queue_with_partial_batch_failures(stacks) -> None:
    for stack in stacks.values():
        mapping = stack.event_source_mapping()
        assert mapping["EventSourceArn"] == stack.queue_arn("StepfnWorkQueue")
        assert mapping["FunctionArn"] == stack.function_arn("StepfnWorkerFunction")
        assert mapping["BatchSize"] == 10
        assert mapping["MaximumBatchingWindowInSeconds"] == 0
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stacks["options"].event_source_mapping()["ScalingConfig"] == {"MaximumConcurrency": 50}
    # uncapped by default: no ScalingConfig at all (moto reports a 0 it made up)
    uncapped = stacks["defaults"].template["Resources"]["StepfnWorkerEventSource"]["Properties"]
    assert uncapped["ScalingConfig"]["Fn::If"][0] == "CapWorkerConcurrency"
    assert stacks["defaults"].template["Conditions"]["CapWorkerConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "WorkerMaxConcurrency"}, "0"]}]
    }


def test_the_functions_have_their_handlers_and_the_engine_settings(stacks) -> None:
    expected = {
        "StepfnApiFunction": ("stepfn_api.handler", 512, 29),
        "StepfnWorkerFunction": ("stepfn_worker.handler", 512, 300),
        "StepfnSweeperFunction": ("stepfn_sweeper.handler", 256, 300),
    }
    defaults = stacks["defaults"]
    for logical_id, (handler, memory, timeout) in expected.items():
        config = defaults.function(logical_id)
        assert (config["Handler"], config["MemorySize"], config["Timeout"]) == (handler, memory, timeout)
        assert config["Runtime"] == "python3.12"
    for stack, scheduler_role, threads, level in (
        (defaults, "", "4", "INFO"),
        (stacks["options"], "role", "8", "WARNING"),
    ):
        environments = [stack.environment(logical_id) for logical_id in ENGINE_FUNCTIONS]
        assert environments[0] == environments[1] == environments[2]
        env = environments[0]
        if scheduler_role:
            scheduler_role = stack.client("iam").get_role(RoleName=stack.physical["StepfnSchedulerRole"])
            scheduler_role = scheduler_role["Role"]["Arn"]
        assert env == {
            "STEPFN_TABLE": stack.physical["StepfnTable"],
            "STEPFN_QUEUE_URL": stack.physical["StepfnWorkQueue"],
            "STEPFN_QUEUE_ARN": stack.queue_arn("StepfnWorkQueue"),
            "STEPFN_REGION": REGION,
            "STEPFN_ACCOUNT": ACCOUNT,
            "STEPFN_SCHEDULER_ROLE_ARN": scheduler_role,
            "STEPFN_WORKER_THREADS": threads,
            "POWERTOOLS_SERVICE_NAME": "stepfn",
            "POWERTOOLS_LOG_LEVEL": level,
        }
        # ... which is what the functions' wiring reads
        settings = wiring.Settings.from_env(env)
        assert (settings.table, settings.queue_url, settings.queue_arn) == (
            env["STEPFN_TABLE"],
            env["STEPFN_QUEUE_URL"],
            env["STEPFN_QUEUE_ARN"],
        )
        assert settings.scheduler_role_arn == (scheduler_role or None)
        assert settings.worker_threads == int(threads)
        # the example task functions get the log level too (Globals), not the engine's settings
        assert stack.environment("EtlLoadFunction") == {"POWERTOOLS_LOG_LEVEL": level}


def test_the_functions_run_on_the_engine_layer_with_tracing(stacks) -> None:
    # moto's CloudFormation creates the layer but ignores a function's Layers, TracingConfig and
    # Architectures: read them from the translated template
    stack = stacks["defaults"]
    [layer] = [
        layer
        for layer in stack.client("lambda").list_layers()["Layers"]
        if layer["LayerName"].startswith(f"{stack.name}-StepfnEngineLayer")
    ]
    assert layer["LatestMatchingVersion"]["CompatibleRuntimes"] == ["python3.12"]
    resources = stack.template["Resources"]
    [layer_id] = [i for i, r in resources.items() if r["Type"] == "AWS::Lambda::LayerVersion"]
    assert layer_id.startswith("StepfnEngineLayer")
    assert resources[layer_id]["Properties"]["CompatibleArchitectures"] == ["arm64"]
    for logical_id in ENGINE_FUNCTIONS:
        properties = resources[logical_id]["Properties"]
        assert properties["Layers"] == [{"Ref": layer_id}]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["Architectures"] == ["arm64"]
    for logical_id in TASK_FUNCTIONS:
        assert "Layers" not in resources[logical_id]["Properties"]


def test_the_api_is_an_iam_authorized_http_api_routing_post_to_the_api_function(stacks) -> None:
    # moto's CloudFormation cannot create API Gateway v2 resources: the translated template
    stack = stacks["defaults"]
    resources = stack.template["Resources"]
    api = resources["StepfnHttpApi"]["Properties"]["Body"]
    post = api["paths"]["/"]["post"]
    assert post["security"] == [{"AWS_IAM": []}]
    integration = post["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy"
    assert integration["payloadFormatVersion"] == "2.0"
    assert "StepfnApiFunction.Arn" in json.dumps(integration["uri"])
    stage = resources["StepfnHttpApiApiGatewayDefaultStage"]["Properties"]
    assert (stage["StageName"], stage["AutoDeploy"]) == ("$default", True)
    assert stack.template["Outputs"]["StepfnApiUrl"]["Value"] == {
        "Fn::Sub": "https://${StepfnHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
    }
    # API Gateway may invoke the function (moto creates the permission)
    policy = json.loads(
        stack.client("lambda").get_policy(FunctionName=stack.physical["StepfnApiFunction"])["Policy"]
    )
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"].endswith("/*/POST/")


def test_the_sweeper_runs_every_ten_minutes(stacks) -> None:
    stack = stacks["defaults"]
    events = stack.client("events")
    rule = events.describe_rule(Name=stack.physical["StepfnSweeperFunctionSweep"])
    assert rule["ScheduleExpression"] == "rate(10 minutes)"
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == stack.function_arn("StepfnSweeperFunction")


def test_iam_is_least_privilege(stacks) -> None:
    stack = stacks["defaults"]
    table_arn = stack.client("dynamodb").describe_table(TableName=stack.physical["StepfnTable"])["Table"][
        "TableArn"
    ]
    work_queue = stack.queue_arn("StepfnWorkQueue")

    # all three: the engine's own table (and its indexes) and queue, through one managed policy
    iam = stack.client("iam")
    policy_arn = stack.physical["StepfnEnginePolicy"]
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    engine = _document(
        iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"]
    )
    assert statements(engine) == {
        "StepfnTable": (
            {
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:ConditionCheckItem",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:BatchWriteItem",
            },
            {table_arn, f"{table_arn}/index/*"},
        ),
        "StepfnWorkQueue": ({"sqs:SendMessage"}, {work_queue}),
    }
    resources = stack.template["Resources"]
    for logical_id in ENGINE_FUNCTIONS:
        managed = resources[f"{logical_id}Role"]["Properties"]["ManagedPolicyArns"]
        assert {"Ref": "StepfnEnginePolicy"} in managed  # moto ignores ManagedPolicyArns
        # + AWSLambdaBasicExecutionRole (logs) and AWSXrayWriteOnlyAccess (tracing), no more: not
        # AWSLambdaSQSQueueExecutionRole (SQS on "*") that a SAM SQS event would add
        assert sorted(p for p in managed if isinstance(p, str)) == [
            "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        ]

    # the API and the sweeper: nothing else
    assert stack.role_policies("StepfnApiFunction") == {}
    assert stack.role_policies("StepfnSweeperFunction") == {}

    # the worker: polling its queue (Lambda's poller acts with its role), the example workflows' tasks
    worker = {}
    for document in stack.role_policies("StepfnWorkerFunction").values():
        worker |= statements(document)
    assert worker.pop("StepfnWorkQueuePoller") == (
        {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
        {work_queue},
    )
    tickets_table = stack.client("dynamodb").describe_table(TableName=stack.physical["TicketsTable"])
    bucket = stack.physical["TicketImportBucket"]
    assert worker == {
        "InvokeTaskFunctions": ({"lambda:InvokeFunction"}, {stack.function_arn(f) for f in TASK_FUNCTIONS}),
        "TicketsTableTasks": (
            {"dynamodb:PutItem", "dynamodb:UpdateItem"},
            {tickets_table["Table"]["TableArn"]},
        ),
        "UrgentTicketsQueueTasks": ({"sqs:SendMessage"}, {stack.queue_arn("UrgentTicketsQueue")}),
        "TicketNotificationsTasks": ({"sns:Publish"}, {stack.physical["TicketNotificationsTopic"]}),
        "TicketImportBucketTasks": ({"s3:GetObject", "s3:PutObject"}, {f"arn:aws:s3:::{bucket}/*"}),
    }


def test_the_scheduler_option_adds_a_role_and_the_permission_to_pass_it(stacks) -> None:
    stack = stacks["options"]
    iam = stack.client("iam")
    role = iam.get_role(RoleName=stack.physical["StepfnSchedulerRole"])["Role"]
    [trust] = _document(role["AssumeRolePolicyDocument"])["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    policy = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="send-timers-to-the-work-queue")
    [send] = _document(policy["PolicyDocument"])["Statement"]
    assert (send["Action"], send["Resource"]) == ("sqs:SendMessage", stack.queue_arn("StepfnWorkQueue"))
    for logical_id in ENGINE_FUNCTIONS:
        policy = stack.role_policies(logical_id)["stepfn-timer-schedules"]
        assert statements(policy) == {
            "StepfnTimerSchedules": (
                {"scheduler:CreateSchedule"},
                {f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/*"},
            ),
            "StepfnSchedulerRole": ({"iam:PassRole"}, {role["Arn"]}),
        }
    # without the option, none of it
    for logical_id in ENGINE_FUNCTIONS:
        assert "stepfn-timer-schedules" not in stacks["defaults"].role_policies(logical_id)


def test_the_outputs_name_the_stack_resources(stacks) -> None:
    stack = stacks["defaults"]
    outputs = stack.outputs
    assert outputs["StepfnTableName"] == stack.physical["StepfnTable"]
    assert outputs["StepfnWorkQueueUrl"] == stack.physical["StepfnWorkQueue"]
    assert outputs["StepfnDeadLetterQueueUrl"] == stack.physical["StepfnDeadLetterQueue"]
    assert outputs["StepfnDeadLetterQueueArn"] == stack.queue_arn("StepfnDeadLetterQueue")
    assert outputs["StepfnApiFunctionName"] == stack.physical["StepfnApiFunction"]
    # StepfnApiUrl needs the HTTP API's id, which moto does not make (asserted as a template above)
    assert "StepfnApiUrl" in stack.template["Outputs"]


def test_the_example_state_machines_still_deploy_through_the_template(stacks) -> None:
    stack = stacks["defaults"]
    sfn = stack.client("stepfunctions")
    machines = {m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    for logical_id in (
        "SupportTicketStateMachine",
        "TicketImportStateMachine",
        "EtlPipelineStateMachine",
        "NightlyTrainingStateMachine",
        "OrderFulfilmentStateMachine",
    ):
        assert stack.physical[logical_id] in machines
    assert stack.physical["TicketImportStateMachine"].endswith(":stateMachine:stepfn-TicketImport")


def test_the_handlers_run_an_execution_on_the_stack_resources(stacks, monkeypatch) -> None:
    # GIVEN the API and worker functions configured exactly as the stack configures them
    stack = stacks["defaults"]
    for name, value in stack.environment("StepfnApiFunction").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    wiring.configure(session=stack.session)  # settings from the environment above
    import stepfn_api
    import stepfn_worker

    def api(operation: str, request: dict[str, Any]) -> dict[str, Any]:
        answer = stepfn_api.handler(http_event(operation, request), FakeContext(function_name="api"))
        assert answer["statusCode"] == 200, answer
        return json.loads(answer["body"])

    tickets = stack.physical["TicketsTable"]
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Parameters": {"id.$": "$.ticket"}, "Next": "Save"},
            "Save": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": tickets, "Item": {"ticket_id": {"S.$": "$.id"}}},
                "ResultPath": None,
                "End": True,
            },
        },
    }
    try:
        machine = api(
            "CreateStateMachine",
            {
                "name": "save",
                "definition": json.dumps(definition),
                "roleArn": f"arn:aws:iam::{ACCOUNT}:role/x",
            },
        )["stateMachineArn"]

        # WHEN an execution starts through the API and the worker gets the stack's queue messages
        execution = api("StartExecution", {"stateMachineArn": machine, "input": '{"ticket": "T-7"}'})[
            "executionArn"
        ]
        sqs = stack.client("sqs")
        messages = sqs.receive_message(QueueUrl=stack.physical["StepfnWorkQueue"], MaxNumberOfMessages=10)
        assert len(messages["Messages"]) == 1  # the task's work message, in the stack's work queue
        answer = stepfn_worker.handler(sqs_event(messages["Messages"]), FakeContext())

        # THEN the execution ran its task and succeeded, recorded in the stack's table
        assert answer == {"batchItemFailures": []}
        assert api("DescribeExecution", {"executionArn": execution})["status"] == "SUCCEEDED"
        listed = api("ListExecutions", {"stateMachineArn": machine})["executions"]  # the by_machine index
        assert [e["executionArn"] for e in listed] == [execution]
        item = stack.client("dynamodb").get_item(TableName=tickets, Key={"ticket_id": {"S": "T-7"}})
        assert "Item" in item
    finally:
        wiring.reset()


# ------------------------------------------------------------------------------------ SAM CLI
def sam_cli() -> str | None:
    return shutil.which("sam")


def python_312() -> bool:
    """``sam build`` (no container) builds the python3.12 functions with a python3.12 on PATH."""
    try:
        done = subprocess.run(["python3.12", "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


needs_sam = pytest.mark.skipif(sam_cli() is None, reason="the SAM CLI (sam) is not on PATH")


@pytest.mark.slow
@needs_sam
def test_sam_validate_lint_passes() -> None:
    done = run_sam("validate", "--lint", "--template", str(TEMPLATE), cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is a valid SAM Template" in done.stdout + done.stderr


@pytest.mark.slow
@needs_sam
@pytest.mark.skipif(not python_312(), reason="sam build needs python3.12 on PATH (the functions' Runtime)")
def test_sam_build_builds_the_functions_and_the_engine_layer_for_lambda(tmp_path) -> None:
    # GIVEN a copy of the repository (sam build writes .aws-sam/ next to the template)
    app = copy_repository(tmp_path / "app")

    # WHEN sam builds it (no container: the layer's Makefile target, pip for the functions)
    done = run_sam("build", cwd=app)

    # THEN the layer holds the interpreter package and its dependencies, built for Lambda
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    layer = app / ".aws-sam" / "build" / "StepfnEngineLayer" / "python"
    for package in ("interpreter", "aws_lambda_powertools", "jsonschema", "jsonata", "boto3", "aws_xray_sdk"):
        assert (layer / package).is_dir(), package
    native = [path.name for path in layer.rglob("*.so")]
    assert native  # pydantic-core, rpds-py, PyYAML ...
    assert all("cpython-312-aarch64-linux-gnu" in name or name.endswith(".abi3.so") for name in native), (
        native
    )
    for function in ENGINE_FUNCTIONS:
        assert (app / ".aws-sam" / "build" / function / f"{function_module(function)}.py").is_file()
    built = (app / ".aws-sam" / "build" / "template.yaml").read_text()
    assert "ContentUri: StepfnEngineLayer" in built


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not on PATH")
def test_the_engine_layer_carries_everything_the_handlers_import(tmp_path) -> None:
    # GIVEN the layer built by `make build-StepfnEngineLayer` (what sam build runs), for this
    # machine's Python instead of Lambda's so that it can be imported here
    app = copy_repository(tmp_path / "app")
    artifacts = tmp_path / "layer"
    machine = platform.machine()
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "build-StepfnEngineLayer",
            f"ARTIFACTS_DIR={artifacts}",
            f"PYTHON={sys.executable}",
            f"LAYER_PYTHON={sys.version_info.major}.{sys.version_info.minor}",
            f"LAYER_PLATFORMS=manylinux2014_{machine} manylinux_2_28_{machine}",
        ],
        cwd=app,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert sorted(p.name for p in artifacts.iterdir()) == ["python"]
    assert not (app / "build").exists()  # built from a clean copy, nothing left in the source

    # WHEN a Python without site-packages imports the handlers from functions/ + the layer
    script = """
import os, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
os.environ.update(STEPFN_TABLE="t", STEPFN_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/q",
                  POWERTOOLS_TRACE_DISABLED="true", AWS_REGION="us-east-1")
import stepfn_api, stepfn_sweeper, stepfn_worker
import interpreter.adapters.aws.session, interpreter.adapters.local_runner
from interpreter import load_definition, run
from interpreter.serverless import wiring
assert interpreter.__file__.startswith(sys.argv[2]), interpreter.__file__
wiring.Settings.from_env()
machine = load_definition({"QueryLanguage": "JSONata", "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Output": "{% $states.input.n * 2 %}", "End": True}}})
print(run(machine, {"n": 21}).output)
"""
    done = subprocess.run(
        [sys.executable, "-S", "-c", script, str(app / "functions"), str(artifacts / "python")],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )

    # THEN everything they need is in the layer
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "42"


# ------------------------------------------------------------------------------------ helpers
def template_resources() -> dict[str, Any]:
    return load_document(TEMPLATE).data["Resources"]


def translated(parameters: dict[str, Any] | None = None) -> CfnTemplate:
    return to_cloudformation(load_document(TEMPLATE), region=REGION, parameters=parameters or {})


def cloudformation_body(stack_name: str, parameters: dict[str, str]) -> dict[str, Any]:
    """The translated template as CloudFormation gets it (the SAM transform done), with two moto
    workarounds that change nothing on AWS."""
    cfn = translated(parameters)
    body = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": cfn.parameters,
        "Conditions": cfn.conditions,
        "Mappings": cfn.mappings,
        "Resources": copy.deepcopy(cfn.resources),
        "Outputs": load_document(TEMPLATE).data["Outputs"],
    }
    # moto turns Number parameters into ints and then misses the mapping's (string) keys in
    # Fn::FindInMap: look the value up here, for this stack's parameters
    values = {name: str(parameters.get(name, spec.get("Default"))) for name, spec in cfn.parameters.items()}
    body["Resources"] = _find_in_map(body["Resources"], cfn.mappings, values)
    # moto names an unnamed FIFO queue without the ".fifo" CloudFormation adds, then rejects it
    for logical_id, resource in body["Resources"].items():
        properties = resource.get("Properties") or {}
        if (
            resource["Type"] == "AWS::SQS::Queue"
            and properties.get("FifoQueue")
            and "QueueName" not in properties
        ):
            properties["QueueName"] = f"{stack_name}-{logical_id}.fifo"
    return body


def _find_in_map(node: Any, mappings: dict[str, Any], values: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if "Fn::FindInMap" in node:
            mapping, key, attribute = node["Fn::FindInMap"]
            if isinstance(key, dict) and set(key) == {"Ref"}:
                key = values[key["Ref"]]
            return mappings[mapping][key][attribute]
        return {k: _find_in_map(v, mappings, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_find_in_map(v, mappings, values) for v in node]
    return node


def put_code_objects(session: boto3.Session) -> None:
    """The translator points every CodeUri/ContentUri/DefinitionUri at s3://stepfn-local-artifacts/<n>
    (``sam package`` would upload there): a small zip at each, so moto can create the functions
    and the layer."""
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("stub.py", "def handler(event, context):\n    return event\n")
    s3 = session.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=LOCAL_BUCKET)
    for key in translated().local_uris:
        s3.put_object(Bucket=LOCAL_BUCKET, Key=key, Body=code.getvalue())


def create_stack(session: boto3.Session, name: str, parameters: dict[str, str]) -> Stack:
    body = cloudformation_body(name, parameters)
    cloudformation = session.client("cloudformation", region_name=REGION)
    with warnings.catch_warnings(record=True) as caught:  # moto parses some resources lazily
        warnings.simplefilter("always")
        cloudformation.create_stack(
            StackName=name,
            TemplateBody=json.dumps(body),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        [description] = cloudformation.describe_stacks(StackName=name)["Stacks"]
        summaries = cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]
    assert description["StackStatus"] == "CREATE_COMPLETE", description
    skipped = {
        part
        for warning in caught
        if "not supported by moto" in str(warning.message)
        for part in str(warning.message).split()
        if part.startswith("AWS::")
    }
    return Stack(
        name=name,
        session=session,
        template=body,
        physical={s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries},
        outputs={o["OutputKey"]: o["OutputValue"] for o in description.get("Outputs", [])},
        skipped=skipped,
    )


def statements(document: dict[str, Any]) -> dict[str | None, tuple[set[str], set[str]]]:
    """A policy's statements by Sid: (actions, resources)."""
    result: dict[str | None, tuple[set[str], set[str]]] = {}
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        actions, resources = statement["Action"], statement["Resource"]
        result[statement.get("Sid")] = (
            set(actions if isinstance(actions, list) else [actions]),
            set(resources if isinstance(resources, list) else [resources]),
        )
    return result


def _document(document: Any) -> dict[str, Any]:
    """A policy document as IAM answers it. moto keeps a role's ``Policies`` from CloudFormation as
    the Python repr of the dict, and answers that."""
    if not isinstance(document, str):
        return dict(document)
    try:
        return dict(json.loads(document))
    except json.JSONDecodeError:
        return dict(ast.literal_eval(document))


def sorted_by(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item[key])


def function_module(logical_id: str) -> str:
    return {"StepfnApiFunction": "stepfn_api", "StepfnWorkerFunction": "stepfn_worker"}.get(
        logical_id, "stepfn_sweeper"
    )


def copy_repository(target: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".git",
        ".venv*",
        ".aws-sam",
        ".stepfn",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        ".mypy_cache",
        "build",
        "dist",
        "*.egg-info",
    )
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def run_sam(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    return subprocess.run(
        [sam_cli() or "sam", *args], cwd=cwd, capture_output=True, text=True, timeout=1800, env=env
    )
