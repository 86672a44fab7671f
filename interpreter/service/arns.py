"""Step Functions ARNs and resource names: build, parse and validate them as AWS does.

Pure functions. Errors are ``ApiError`` values with AWS's codes and message texts:

* ``Invalid Arn: 'Invalid ARN prefix: <arn>'`` when the text does not start with ``arn:`` (AWS,
  recorded in LocalStack's AWS-validated snapshot ``test_sfn_api.snapshot.json``,
  ``test_describe_invalid_arn_sm``: ``Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'``).
* ``Invalid Arn: 'Resource type not valid in this context: <type>'`` when a well-formed Step Functions
  ARN names the wrong resource type (AWS, recorded: ``...: express`` for DescribeExecution of an
  Express execution, ``test_sfn_api_express.snapshot.json``; ``...: execution`` for StartExecution
  given an execution ARN).
* ``Invalid Arn: '<arn>'`` for any other malformed ARN (AWS's exact wording for these cases is not
  recorded anywhere we could find; LocalStack and moto use this form).
* ``Invalid Name: '<name>'`` (``InvalidName``) for a name with a forbidden character (AWS, recorded:
  ``Invalid Name: 'TestActivity InvalidName$'``, ``test_sfn_api_activities.snapshot.json``).
* A name longer than 80 characters is a model-constraint ``ValidationException`` (AWS's standard
  ``1 validation error detected: ...`` text, as for every length constraint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ApiError

NAME_MAX = 80

# AWS API reference, CreateStateMachine / CreateActivity / StartExecution ``name``: a name must not
# contain white space, brackets < > { } [ ], wildcard characters ? *, special characters
# " # % \ ^ | ~ ` $ & , ; : /, or control characters (U+0000-001F, U+007F-009F).
_FORBIDDEN = frozenset(' <>{}[]?*"#%\\^|~`$&,;:/') | frozenset(
    chr(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))
)

STATE_MACHINE = "stateMachine"
EXECUTION = "execution"
EXPRESS = "express"
ACTIVITY = "activity"
MAP_RUN = "mapRun"

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_VERSION = re.compile(r"^[1-9]\d*$")


def partition_for(region: str) -> str:
    """The AWS partition a region belongs to (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


# ------------------------------------------------------------------ names


def name_problem(name: str, member: str = "name") -> ApiError | None:
    """Why ``name`` is not a valid Step Functions resource name (None: it is valid)."""
    if len(name) > NAME_MAX:
        return validation_error(name, member, f"Member must have length less than or equal to {NAME_MAX}")
    if len(name) < 1:
        return validation_error(name, member, "Member must have length greater than or equal to 1")
    if any(char in _FORBIDDEN or char.isspace() for char in name):
        return ApiError("InvalidName", f"Invalid Name: '{name}'")
    return None


def check_name(name: str, member: str = "name") -> str:
    """``name`` if valid, else raise AWS's error (``ValidationException`` or ``InvalidName``)."""
    problem = name_problem(name, member)
    if problem is not None:
        raise problem
    return name


def validation_error(value: object, member: str, constraint: str) -> ApiError:
    """AWS's model-constraint error: ``1 validation error detected: Value 'v' at 'm' failed ...``."""
    text = f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint"
    return ApiError("ValidationException", f"{text}: {constraint}")


# ------------------------------------------------------------------ building


def state_machine_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition_for(region)}:states:{region}:{account}:{STATE_MACHINE}:{name}"


def activity_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition_for(region)}:states:{region}:{account}:{ACTIVITY}:{name}"


def execution_arn(machine_arn: str, name: str, *, machine_type: str = "STANDARD", run_id: str = "") -> str:
    """The ARN of execution ``name`` of the state machine ``machine_arn``.

    STANDARD: ``arn:aws:states:r:a:execution:<machine>:<name>``. EXPRESS executions get
    ``arn:aws:states:r:a:express:<machine>:<name>:<run_id>`` (AWS, recorded in
    ``test_sfn_api_express.snapshot.json``); ``run_id`` (a UUID) is required for them.
    """
    machine = parse_state_machine_arn(machine_arn)
    prefix = f"arn:{machine.partition}:states:{machine.region}:{machine.account}"
    if machine_type == "EXPRESS":
        if not run_id:
            raise ValueError("an EXPRESS execution ARN needs a run_id")
        return f"{prefix}:{EXPRESS}:{machine.name}:{name}:{run_id}"
    return f"{prefix}:{EXECUTION}:{machine.name}:{name}"


# ------------------------------------------------------------------ parsing


@dataclass(frozen=True, slots=True, kw_only=True)
class StatesArn:
    """A parsed ``arn:<partition>:states:<region>:<account>:<type>:<name>[:<qualifier>...]``."""

    arn: str
    partition: str
    region: str
    account: str
    resource_type: str
    name: str
    qualifiers: tuple[str, ...] = ()

    @property
    def version(self) -> int | None:
        """The version number of a state machine version ARN (``stateMachine:name:3``)."""
        qualifier = self.qualifiers[0] if len(self.qualifiers) == 1 else ""
        if self.resource_type == STATE_MACHINE and _VERSION.match(qualifier):
            return int(qualifier)
        return None

    @property
    def alias(self) -> str | None:
        """The alias of a state machine alias ARN (``stateMachine:name:PROD``)."""
        if self.resource_type == STATE_MACHINE and len(self.qualifiers) == 1 and self.version is None:
            return self.qualifiers[0]
        return None

    @property
    def qualified(self) -> bool:
        """A version, alias or Distributed Map (``name/label``) ARN rather than the machine itself."""
        return bool(self.qualifiers) or (self.resource_type == STATE_MACHINE and "/" in self.name)

    @property
    def base_arn(self) -> str:
        """The unqualified resource ARN (``stateMachine:name`` for a version or alias ARN)."""
        return f"arn:{self.partition}:states:{self.region}:{self.account}:{self.resource_type}:{self.name}"


def invalid_arn(arn: str) -> ApiError:
    return ApiError("InvalidArn", f"Invalid Arn: '{arn}'")


def wrong_resource_type(resource_type: str) -> ApiError:
    return ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {resource_type}'")


def parse_arn(arn: str) -> tuple[str, str, str, str, str]:
    """``(partition, service, region, account, resource)`` of any ARN, or ``InvalidArn``."""
    if not arn.startswith("arn:"):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[1] or not parts[2] or not parts[5]:
        raise invalid_arn(arn)
    return parts[1], parts[2], parts[3], parts[4], parts[5]


def parse_states_arn(arn: str, *allowed: str) -> StatesArn:
    """Parse a Step Functions ARN whose resource type is one of ``allowed`` (any when none given)."""
    partition, service, region, account, resource = parse_arn(arn)
    if service != "states" or not _REGION.match(region) or not _ACCOUNT.match(account):
        raise invalid_arn(arn)
    resource_type, _, rest = resource.partition(":")
    if allowed and resource_type not in allowed:
        raise wrong_resource_type(resource_type)
    fields = rest.split(":")
    if not rest or any(not field for field in fields):
        raise invalid_arn(arn)
    shape = _SHAPES.get(resource_type)
    if shape is not None and not shape[0] <= len(fields) <= shape[1]:
        raise invalid_arn(arn)
    return StatesArn(
        arn=arn,
        partition=partition,
        region=region,
        account=account,
        resource_type=resource_type,
        name=fields[0],
        qualifiers=tuple(fields[1:]),
    )


# Number of ':'-separated fields after the resource type: (fewest, most).
_SHAPES: dict[str, tuple[int, int]] = {
    STATE_MACHINE: (1, 2),  # name[:version|alias]
    ACTIVITY: (1, 1),  # name
    EXECUTION: (2, 2),  # machine:name
    EXPRESS: (3, 3),  # machine:name:run-id
}


def parse_state_machine_arn(arn: str) -> StatesArn:
    return parse_states_arn(arn, STATE_MACHINE)


def parse_activity_arn(arn: str) -> StatesArn:
    return parse_states_arn(arn, ACTIVITY)


def parse_execution_arn(arn: str, *, express: bool = False) -> StatesArn:
    """An execution ARN; Express execution ARNs are accepted only when ``express`` is true (the
    history, describe and stop operations reject them: ``Resource type not valid in this context:
    express``)."""
    return parse_states_arn(arn, EXECUTION, EXPRESS) if express else parse_states_arn(arn, EXECUTION)


def parse_role_arn(arn: str) -> str:
    """``arn`` if it is an IAM role ARN (``arn:<partition>:iam::<account>:role/<path/name>``)."""
    _partition, service, region, account, resource = parse_arn(arn)
    if service != "iam" or region or not _ACCOUNT.match(account):
        raise invalid_arn(arn)
    resource_type, slash, role = resource.partition("/")
    if resource_type != "role" or not slash or not role:
        raise invalid_arn(arn)
    return arn
