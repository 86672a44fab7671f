"""stepfn's API function: the Step Functions API (AWS JSON 1.0) behind an API Gateway HTTP API
(payload format 2.0), or invoked directly with ``{"operation": "StartExecution", "request": {...}}``.

StartExecution writes the execution to DynamoDB and queues its first work; SendTaskSuccess,
SendTaskHeartbeat, StopExecution ... deliver through the same engine. Wired once per container
from the environment (``interpreter.serverless.wiring``); see docs/deploy.md.
"""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from interpreter.serverless import wiring
from interpreter.serverless.api import handle_event

logger = Logger()  # POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL
copy_config_to_registered_loggers(source_logger=logger, include={"stepfn", "interpreter"})
tracer = Tracer()  # POWERTOOLS_TRACE_DISABLED=true without X-Ray


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle_event(event, wiring.api().service)
