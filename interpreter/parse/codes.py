"""AWS's diagnostic codes, as ValidateStateMachineDefinition reports them.

Source: Step Functions API reference, "ValidateStateMachineDefinitionDiagnostic" (lists of warning
and error codes). Which code AWS gives a given problem is pinned where a recorded AWS response
exists (LocalStack's AWS-validated snapshot ``test_sfn_api_validation.snapshot.json``); elsewhere the
closest documented code is used.
"""

from __future__ import annotations

from typing import Final

# Errors
INVALID_JSON_DESCRIPTION: Final = "INVALID_JSON_DESCRIPTION"  # JSON syntax problem found
MISSING_DESCRIPTION: Final = "MISSING_DESCRIPTION"  # null or empty definition
SCHEMA_VALIDATION_FAILED: Final = "SCHEMA_VALIDATION_FAILED"  # schema validation reported errors
INVALID_RESOURCE: Final = "INVALID_RESOURCE"  # the value of a Task-state Resource is invalid
MISSING_END_STATE: Final = "MISSING_END_STATE"  # the workflow has no terminal state
DUPLICATE_STATE_NAME: Final = "DUPLICATE_STATE_NAME"  # the same state name appears more than once
INVALID_STATE_NAME: Final = "INVALID_STATE_NAME"  # the state name breaks the naming convention
DUPLICATE_LABEL_NAME: Final = "DUPLICATE_LABEL_NAME"  # a Map Label appears more than once
INVALID_LABEL_NAME: Final = "INVALID_LABEL_NAME"  # an invalid Map Label
MISSING_TRANSITION_TARGET: Final = "MISSING_TRANSITION_TARGET"  # Next doesn't match a state name
TOO_DEEPLY_NESTED: Final = "TOO_DEEPLY_NESTED"  # the states are too deeply nested
# Not in the API reference's list, but what AWS answers for a JSONata expression that does not
# parse (message: the parser's, without its "S0xxx: " code) and for one that reads what AWS does
# not offer ("Reference to 'x' at the top level is not supported."), located at the string
# holding the expression, e.g. /States/E/Output/v. Measured with validate-state-machine-definition
# by the Floci emulator (floci-io/floci#2745, #2670; its ValidateStateMachineDefinition tests).
INVALID_JSONATA_EXPRESSION: Final = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED_JSONATA_EXPRESSION: Final = "UNSUPPORTED_JSONATA_EXPRESSION"

# Warnings
NO_DOLLAR: Final = "NO_DOLLAR"  # no .$ on a field that looks like a JSONPath or intrinsic function
NO_PATH: Final = "NO_PATH"  # value looks like a path, but the field name does not end with Path
PASS_RESULT_IS_STATIC: Final = "PASS_RESULT_IS_STATIC"  # a path in the Result of a Pass state

# stepfn's own warning, not an AWS diagnostic: a variable read where nothing visible assigns it
# (AWS's Workflow Studio flags these; ValidateStateMachineDefinition does not). Only
# ``parse.variables_check.unassigned_variable_warnings`` gives it, never ``validate``.
UNASSIGNED_VARIABLE: Final = "UNASSIGNED_VARIABLE"

ERROR: Final = "ERROR"
WARNING: Final = "WARNING"
