"""MockConfigFile (Step Functions Local's mocked service integrations): loading, errors with their
JSON Pointer, picking a test case, and what a mocked run does per invocation.

Sources: AWS Step Functions developer guide, "Using mocked service integrations for testing in
Step Functions Local" and "Configuration file for mocked service integrations" (the example
config and the LambdaSQSIntegration definition below are AWS's, verbatim); invocation counting
per state per execution, retries and Map iterations included, and States.Runtime for an
invocation no entry covers: floci issues #3254 and PR #2823, checked against
amazon/aws-stepfunctions-local 2.0.0; LocalStack services/stepfunctions/mocking.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from interpreter import InputError, run
from interpreter.adapters.local_runner import LocalTaskRunner
from interpreter.adapters.task_outcome import TaskOutcome
from interpreter.cli import main
from interpreter.testing import MockConfigError, MockRunner, load_mock_config
from interpreter.testing.harness import Harness
from interpreter.testing.mock_config import ACTIVITY_CAUSE

# AWS's example MockConfigFile.json, as the developer guide prints it (sfn-local-mock-cfg-file).
AWS_MOCK_CONFIG = """{
  "StateMachines":{
    "LambdaSQSIntegration":{
      "TestCases":{
        "HappyPath":{
          "LambdaState":"MockedLambdaSuccess",
          "SQSState":"MockedSQSSuccess"
        },
        "RetryPath":{
          "LambdaState":"MockedLambdaRetry",
          "SQSState":"MockedSQSSuccess"
        },
        "HybridPath":{
          "LambdaState":"MockedLambdaSuccess"
        }
      }
    }
  },
  "MockedResponses":{
    "MockedLambdaSuccess":{
      "0":{
        "Return":{
          "StatusCode":200,
          "Payload":{
            "StatusCode":200,
            "body":"Hello from Lambda!"
          }
        }
      }
    },
    "LambdaMockedResourceNotReady":{
      "0":{
        "Throw":{
          "Error":"Lambda.ResourceNotReadyException",
          "Cause":"Lambda resource is not ready."
        }
      }
    },
    "MockedSQSSuccess":{
      "0":{
        "Return":{
          "MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
          "MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
        }
      }
    },
    "MockedLambdaRetry":{
      "0":{
        "Throw":{
          "Error":"Lambda.ResourceNotReadyException",
          "Cause":"Lambda resource is not ready."
        }
      },
      "1-2":{
        "Throw":{
          "Error":"Lambda.TimeoutException",
          "Cause":"Lambda timed out."
        }
      },
      "3":{
        "Return":{
          "StatusCode":200,
          "Payload":{
            "StatusCode":200,
            "body":"Hello from Lambda!"
          }
        }
      }
    }
  }
}
"""

# AWS's LambdaSQSIntegration definition (sfn-local-test-sm-exec, "State machine definition").
AWS_DEFINITION = {
    "Comment": "This state machine is called: LambdaSQSIntegration",
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"Payload.$": "$", "FunctionName": "HelloWorldFunction"},
            "Retry": [
                {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}
            ],
            "Next": "SQSState",
        },
        "SQSState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue",
                "MessageBody.$": "$",
            },
            "End": True,
        },
    },
}
LAMBDA_OK = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
SQS_OK = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}
LEGACY = "arn:aws:lambda:us-east-1:123456789012:function:work"


def config(responses: dict[str, Any], states: dict[str, str], machine: str = "M") -> dict[str, Any]:
    return {"StateMachines": {machine: {"TestCases": {"T": states}}}, "MockedResponses": responses}


def throw(error: str, cause: str = "c") -> dict[str, Any]:
    return {"Throw": {"Error": error, "Cause": cause}}


def aws_run(test_case: str, **kw: Any) -> Any:
    return Harness().run(
        AWS_DEFINITION,
        {},
        mock_config=AWS_MOCK_CONFIG,
        test_case=test_case,
        machine_name="LambdaSQSIntegration",
        **kw,
    )


# ------------------------------------------------------------------ AWS's example, verbatim
def test_the_aws_documented_example_loads_verbatim(tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(AWS_MOCK_CONFIG)
    cfg = load_mock_config(path)
    assert set(cfg.state_machines["LambdaSQSIntegration"]) == {"HappyPath", "RetryPath", "HybridPath"}
    retry = cfg.responses["MockedLambdaRetry"]
    assert [(e.key, e.first, e.last, e.returns) for e in retry.entries] == [
        ("0", 0, 0, False),
        ("1-2", 1, 2, False),
        ("3", 3, 3, True),
    ]
    assert retry.for_invocation(2).error == "Lambda.TimeoutException"  # type: ignore[union-attr]
    assert retry.for_invocation(4) is None
    # an unused mocked response (LambdaMockedResourceNotReady) is fine
    assert cfg.responses["LambdaMockedResourceNotReady"].entries[0].cause == "Lambda resource is not ready."


def test_happy_path_returns_the_mocked_responses_as_the_integrations_results():
    result = aws_run("HappyPath")
    assert result.status == "SUCCEEDED"
    assert result.state_output("LambdaState") == LAMBDA_OK  # lambda:invoke: Return is the whole response
    assert result.output == SQS_OK
    scheduled = result.events("TaskScheduled", state="SQSState")[0]["taskScheduledEventDetails"]
    assert json.loads(scheduled["parameters"])["MessageBody"] == LAMBDA_OK  # passed on as real data is


def test_retry_path_takes_one_invocation_number_per_attempt_and_the_backoff_in_virtual_time():
    result = aws_run("RetryPath")
    assert result.status == "SUCCEEDED" and result.output == SQS_OK
    failed = [e["taskFailedEventDetails"] for e in result.events("TaskFailed", state="LambdaState")]
    assert [(f["error"], f["cause"]) for f in failed] == [
        ("Lambda.ResourceNotReadyException", "Lambda resource is not ready."),
        ("Lambda.TimeoutException", "Lambda timed out."),
        ("Lambda.TimeoutException", "Lambda timed out."),
    ]
    assert result.retries("LambdaState") == 3
    assert result.elapsed == 2 + 4 + 8
    assert [(c.state, c.invocation) for c in result.mock_calls] == [
        ("LambdaState", 0),
        ("LambdaState", 1),
        ("LambdaState", 2),
        ("LambdaState", 3),
        ("SQSState", 0),
    ]


class FakeSqs:
    """The "real" SQS integration of a hybrid test case: a claiming runner that records calls."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []

    def claims(self, task: Any) -> bool:
        return task.resource.service == "sqs"

    def run(self, task: Any, *, request_id: str, now: datetime) -> TaskOutcome:
        self.bodies.append(task.payload["MessageBody"])
        return TaskOutcome.success({"MessageId": "real"})


def test_hybrid_path_calls_the_real_integration_for_a_state_without_a_mock():
    sqs = FakeSqs()
    runner = LocalTaskRunner.from_handlers({}, extra=[sqs])
    result = aws_run("HybridPath", runner=runner)
    assert result.status == "SUCCEEDED" and result.output == {"MessageId": "real"}
    assert sqs.bodies == [LAMBDA_OK]
    assert [c.state for c in result.mock_calls] == ["LambdaState"]


def test_a_mock_comes_before_a_local_handler_for_the_same_function():
    calls: list[Any] = []
    runner = LocalTaskRunner.from_handlers(
        {"HelloWorldFunction": lambda e, c: calls.append(e)}, extra=[FakeSqs()]
    )
    mock_config = json.loads(AWS_MOCK_CONFIG)
    result = run(
        AWS_DEFINITION,
        {},
        runner=runner,
        mock_config=mock_config,
        test_case="LambdaSQSIntegration#HybridPath",
    )
    assert result.status == "SUCCEEDED" and calls == []


# ------------------------------------------------------------------ invocation numbers
def test_invocations_count_per_state_across_entries_of_the_state():
    # a loop through a Choice: the second entry of Poll takes invocation 1, not 0 again
    definition = {
        "StartAt": "Poll",
        "States": {
            "Poll": {"Type": "Task", "Resource": LEGACY, "Next": "Done?"},
            "Done?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.state", "StringEquals": "running", "Next": "Poll"}],
                "Default": "End",
            },
            "End": {"Type": "Succeed"},
        },
    }
    cfg = config(
        {"R": {"0-1": {"Return": {"state": "running"}}, "2": {"Return": {"state": "done"}}}}, {"Poll": "R"}
    )
    result = Harness().run(definition, mock_config=cfg, test_case="T")
    assert result.status == "SUCCEEDED" and result.output == {"state": "done"}
    assert result.states.count("Poll") == 3


def test_map_iterations_share_the_states_invocation_numbers():
    # floci #3254: Step Functions Local 2.0.0 answers ["idx1", "idx2"] (one counter per state per
    # execution, retries included); MaxConcurrency 1 as AWS advises for predictable mocks in a Map
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Call",
                    "States": {
                        "Call": {
                            "Type": "Task",
                            "Resource": LEGACY,
                            "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1}],
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    seq = {
        "0": throw("Boom", "attempt0"),
        "1": {"Return": {"Payload": "idx1"}},
        "2": {"Return": {"Payload": "idx2"}},
        "3": {"Return": {"Payload": "idx3"}},
    }
    cfg = {
        "StateMachines": {"IdxSem": {"TestCases": {"Case1": {"Call": "Seq"}}}},
        "MockedResponses": {"Seq": seq},
    }
    result = Harness().run(definition, [1, 2], mock_config=cfg, test_case="Case1", machine_name="IdxSem")
    assert result.status == "SUCCEEDED"
    assert result.output == [{"Payload": "idx1"}, {"Payload": "idx2"}]


@pytest.mark.parametrize(
    ("responses", "missing"),
    [
        ({"0": throw("Busy")}, 1),  # past the last entry (the retry is invocation 1)
        ({"1": {"Return": 1}}, 0),  # a gap: nothing for invocation 0
        ({}, 0),  # an empty mocked response loads, and fails when the state calls it
    ],
)
def test_an_invocation_no_entry_covers_fails_the_execution_with_states_runtime(responses, missing):
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": LEGACY,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    result = Harness().run(definition, mock_config=config({"R": responses}, {"Work": "R"}), test_case="T")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")  # neither retried nor caught
    assert result.cause == (
        f"No mocked response for invocation {missing} of state 'Work': mocked response 'R' "
        f"(test case 'T') covers invocations {', '.join(responses) or 'none'}."
    )
    assert "Caught" not in result.states


def test_throw_reaches_catch_with_its_error_and_cause():
    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": LEGACY,
                "Catch": [{"ErrorEquals": ["Card.Declined"], "ResultPath": "$.err", "Next": "Declined"}],
                "End": True,
            },
            "Declined": {"Type": "Pass", "End": True},
        },
    }
    cfg = config({"R": {"0": throw("Card.Declined", "insufficient funds")}}, {"Charge": "R"})
    result = Harness().run(definition, {"id": 1}, mock_config=cfg, test_case="T")
    assert result.output == {"id": 1, "err": {"Error": "Card.Declined", "Cause": "insufficient funds"}}
    failed = result.events("LambdaFunctionFailed", state="Charge")[0]["lambdaFunctionFailedEventDetails"]
    assert failed == {"error": "Card.Declined", "cause": "insufficient funds"}


@pytest.mark.parametrize("value", ["text", None, [1, 2], 3.5, {"deep": {"a": [1]}}])
def test_return_may_be_any_json_value_and_is_the_tasks_result(value):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": LEGACY, "End": True}}}
    result = Harness().run(
        definition, mock_config=config({"R": {"0": {"Return": value}}}, {"W": "R"}), test_case="T"
    )
    assert result.status == "SUCCEEDED" and result.output == value
    succeeded = result.events("LambdaFunctionSucceeded")[0]["lambdaFunctionSucceededEventDetails"]
    assert json.loads(succeeded["output"]) == value


def test_a_mocked_activity_fails_the_execution_as_step_functions_local_does():
    activity = "arn:aws:states:us-east-1:123456789012:activity:approve"
    definition = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity, "End": True}}}
    result = Harness().run(
        definition, mock_config=config({"R": {"0": {"Return": 1}}}, {"A": "R"}), test_case="T"
    )
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    # the core words it as every runtime failure of a state: "An error occurred while executing ..."
    assert (result.cause or "").endswith(ACTIVITY_CAUSE)
    assert "ActivityScheduled" not in [e["type"] for e in result.history]


def test_nested_states_are_mocked_by_name():
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Left",
                        "States": {"Left": {"Type": "Task", "Resource": LEGACY, "End": True}},
                    },
                    {
                        "StartAt": "Right",
                        "States": {"Right": {"Type": "Task", "Resource": LEGACY, "End": True}},
                    },
                ],
                "End": True,
            }
        },
    }
    cfg = config({"L": {"0": {"Return": "l"}}, "R": {"0": {"Return": "r"}}}, {"Left": "L", "Right": "R"})
    assert Harness().run(definition, mock_config=cfg, test_case="T").output == ["l", "r"]


def test_the_runner_is_a_claiming_runner_for_the_test_cases_states_only():
    mocks = MockRunner(AWS_MOCK_CONFIG, "LambdaSQSIntegration", "HybridPath")

    class Task:
        def __init__(self, state: str) -> None:
            self.state_name, self.resource = state, None

    assert mocks.claims(Task("LambdaState")) and not mocks.claims(Task("SQSState"))
    first = mocks.run(Task("LambdaState"), request_id="r", now=datetime.now())
    assert first.ok and first.output == LAMBDA_OK
    first.output["Payload"]["body"] = "changed"  # a result is a copy: the config is untouched
    second = mocks.run(Task("LambdaState"), request_id="r", now=datetime.now())
    assert (second.ok, second.error) == (False, "States.Runtime")


# ------------------------------------------------------------------ picking the test case
def test_a_test_case_is_picked_by_name_machine_hash_name_or_state_machine_arn():
    cfg = load_mock_config(AWS_MOCK_CONFIG)
    assert cfg.test_case("HappyPath", "LambdaSQSIntegration").name == "HappyPath"
    assert cfg.test_case("LambdaSQSIntegration#RetryPath").name == "RetryPath"
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:LambdaSQSIntegration#HybridPath"
    assert cfg.test_case(arn).machine == "LambdaSQSIntegration"
    # one state machine in the file: it is the one, whatever the definition is called
    assert cfg.test_case("HappyPath", "lambda_sqs").machine == "LambdaSQSIntegration"


def test_test_case_problems_say_where():
    two = {
        "StateMachines": {"A": {"TestCases": {"T": {"S": "Nope"}}}, "B": {"TestCases": {}}},
        "MockedResponses": {},
    }
    cfg = load_mock_config(two)
    with pytest.raises(MockConfigError) as err:
        cfg.test_case("T", "C")
    assert str(err.value) == (
        "mock_config: /StateMachines: no state machine named 'C' (the file has: A, B); "
        "name it in the test case as 'StateMachineName#TestCase'"
    )
    with pytest.raises(MockConfigError) as err:
        cfg.test_case("A#Missing")
    assert (
        str(err.value)
        == "mock_config: /StateMachines/A/TestCases: no test case named 'Missing' (the state machine has: T)"
    )
    with pytest.raises(MockConfigError) as err:
        cfg.test_case("A#T")
    assert (
        str(err.value)
        == "mock_config: /StateMachines/A/TestCases/T/S: no mocked response named 'Nope' in /MockedResponses"
    )


def test_the_test_case_is_checked_against_the_definition():
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "In",
                    "States": {"In": {"Type": "Task", "Resource": LEGACY, "End": True}},
                },
                "End": True,
            },
        },
    }
    ok = {"0": {"Return": 1}}
    cfg = config({"R": ok}, {"In": "R", "P": "R", "Chrage": "R", "a/b~c": "R"})
    with pytest.raises(MockConfigError) as err:
        run(definition, [1], mock_config=cfg, test_case="T")
    assert [str(p) for p in err.value.problems] == [
        "/StateMachines/M/TestCases/T/P: 'P' is a Pass state: only Task states can be mocked",
        "/StateMachines/M/TestCases/T/Chrage: no state named 'Chrage' in the state machine definition",
        "/StateMachines/M/TestCases/T/a~1b~0c: no state named 'a/b~c' in the state machine definition",
    ]


def test_the_default_config_is_sfn_mock_config_then_mockconfigfile_json(tmp_path, monkeypatch):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": LEGACY, "End": True}}}
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    with pytest.raises(
        MockConfigError, match=r"none given, no \$SFN_MOCK_CONFIG and no ./MockConfigFile.json"
    ):
        run(definition, test_case="T")
    (tmp_path / "MockConfigFile.json").write_text(
        json.dumps(config({"R": {"0": {"Return": "cwd"}}}, {"W": "R"}))
    )
    assert run(definition, test_case="T").output == "cwd"
    (tmp_path / "env.json").write_text(json.dumps(config({"R": {"0": {"Return": "env"}}}, {"W": "R"})))
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(tmp_path / "env.json"))
    assert run(definition, test_case="T").output == "env"
    with pytest.raises(ValueError, match="mock_config= needs test_case="):
        run(definition, mock_config="env.json")


# ------------------------------------------------------------------ loading errors
def test_every_problem_of_a_file_is_reported_with_its_json_pointer(tmp_path):
    bad = {
        "StateMachines": {
            "M": {"TestCases": {"T": {"S": 3}}},
            "N": {"Tests": {}},
        },
        "MockedResponses": {
            "Both": {"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "C"}}},
            "Neither": {"0": {}},
            "Keys": {"x": {"Return": 1}, "3-1": {"Return": 1}, "1-": {"Return": 1}},
            "Overlap": {"0-2": {"Return": 1}, "2": {"Return": 2}},
            "Throws": {
                "0": {"Throw": {"Error": "E"}},
                "1": {"Throw": {"Error": 5, "Cause": "C", "Extra": 1}},
                "2": {"Throw": "E"},
                "3": {"Return": 1, "Comment": "x"},
            },
            "NotObject": [],
        },
        "Version": 1,
    }
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(MockConfigError) as err:
        load_mock_config(str(path))
    assert isinstance(err.value, InputError)
    assert [str(p) for p in err.value.problems] == [
        "/MockedResponses/Both/0: must contain exactly one of Return or Throw, not both",
        "/MockedResponses/Keys/1-: an invocation number ('0') or an inclusive range ('1-2') was expected",
        "/MockedResponses/Keys/3-1: the range ends before it starts (3 > 1)",
        "/MockedResponses/Keys/x: an invocation number ('0') or an inclusive range ('1-2') was expected",
        "/MockedResponses/Neither/0: must contain exactly one of Return or Throw",
        "/MockedResponses/NotObject: a mocked response must be a JSON object",
        "/MockedResponses/Overlap/2: invocations 2 overlap '0-2'",
        "/MockedResponses/Throws/0/Throw/Cause: missing (Throw has an Error and a Cause, both strings)",
        "/MockedResponses/Throws/1/Throw/Error: must be a string",
        "/MockedResponses/Throws/1/Throw/Extra: unknown field (expected Error or Cause)",
        "/MockedResponses/Throws/2/Throw: must be a JSON object with Error and Cause",
        "/MockedResponses/Throws/3/Comment: unknown field (expected Return or Throw)",
        "/StateMachines/M/TestCases/T/S: must be the name of a mocked response (a string)",
        "/StateMachines/N/TestCases: missing",
        "/StateMachines/N/Tests: unknown field (expected TestCases)",
        "/Version: unknown field (expected StateMachines or MockedResponses)",
    ]
    first = str(err.value).splitlines()[0]
    assert first == f"{path}: /MockedResponses/Both/0: must contain exactly one of Return or Throw, not both"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"StateMachines": {}, ',
            "mock_config: /: not valid JSON: Expecting property name enclosed in double quotes",
        ),
        ("[]", "mock_config: /: a mock configuration must be a JSON object"),
        ("{}", "mock_config: /MockedResponses: missing"),
    ],
)
def test_text_that_is_not_a_mock_configuration(text, message):
    with pytest.raises(MockConfigError) as err:
        load_mock_config(text if text.startswith("{") else json.loads(text))  # JSON text, or parsed
    assert str(err.value).startswith(message)


def test_a_file_that_cannot_be_read(tmp_path):
    with pytest.raises(MockConfigError, match=r"nope.json: /: cannot read: No such file or directory"):
        load_mock_config(tmp_path / "nope.json")


# ------------------------------------------------------------------ the CLI
@pytest.fixture
def aws_files(tmp_path):
    (tmp_path / "MockConfigFile.json").write_text(AWS_MOCK_CONFIG)
    (tmp_path / "LambdaSQSIntegration.asl.json").write_text(json.dumps(AWS_DEFINITION))
    return tmp_path


def cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize("store", [["--no-store"], []])
def test_stepfn_run_with_a_mock_config_and_a_test_case(capsys, aws_files, store):
    code, out, _ = cli(
        capsys,
        "run",
        str(aws_files / "LambdaSQSIntegration.asl.json"),
        "--mock-config",
        str(aws_files / "MockConfigFile.json"),
        "--test-case",
        "RetryPath",
        "--virtual-time",
        "--json",
        "--history",
        *store,
    )
    summary = json.loads(out)
    assert code == 0 and summary["status"] == "SUCCEEDED" and summary["output"] == SQS_OK
    assert [e["type"] for e in summary["history"]].count("TaskFailed") == 3


def test_stepfn_run_mock_errors_say_what_and_where(capsys, aws_files, monkeypatch):
    monkeypatch.chdir(aws_files)
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    definition = "LambdaSQSIntegration.asl.json"
    code, _, err = cli(capsys, "run", definition, "--test-case", "SadPath", "--no-store")
    assert code == 2
    assert err == (
        "stepfn: MockConfigFile.json: /StateMachines/LambdaSQSIntegration/TestCases: no test case named "
        "'SadPath' (the state machine has: HappyPath, HybridPath, RetryPath)\n"
    )
    code, _, err = cli(capsys, "run", definition, "--mock-config", "MockConfigFile.json")
    assert (code, err) == (2, "stepfn: --mock-config needs --test-case NAME (the test case to run)\n")
    (aws_files / "broken.json").write_text('{"StateMachines": {}, "MockedResponses": {"R": {"0": {}}}}')
    code, _, err = cli(capsys, "run", definition, "--mock-config", "broken.json", "--test-case", "X")
    assert (code, err) == (
        2,
        "stepfn: broken.json: /MockedResponses/R/0: must contain exactly one of Return or Throw\n",
    )


@pytest.mark.parametrize(
    ("response", "status", "last"),
    [
        ({"Return": {"approved": True}}, "SUCCEEDED", "TaskSucceeded"),
        (throw("Rejected"), "FAILED", "TaskFailed"),
    ],
)
def test_a_mocked_wait_for_task_token_task_gets_the_mock_as_its_callbacks_answer(response, status, last):
    # Step Functions Local makes up the task token; the mocked response is what the callback says
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    result = Harness().run(
        definition, mock_config=config({"R": {"0": response}}, {"Approve": "R"}), test_case="T"
    )
    assert result.status == status
    types = [e["type"] for e in result.events(state="Approve")]
    task_events = [t for t in types if t.startswith("Task") and not t.endswith(("Entered", "Exited"))]
    assert task_events == ["TaskScheduled", "TaskStarted", "TaskSubmitted", last]
    if status == "SUCCEEDED":
        assert result.output == {"approved": True}
