"""stepfn's worker function (SQS trigger on the work queue): advances executions.

Each record is one work message (run a task, fire a timer, deliver a message); the response lists
only the records that failed (``ReportBatchItemFailures``). Wired once per container from the
environment (``interpreter.serverless.wiring``); see docs/deploy.md.
"""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from interpreter.serverless import wiring
from interpreter.serverless.batch import handle_batch

logger = Logger()  # POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL
copy_config_to_registered_loggers(source_logger=logger, include={"stepfn", "interpreter"})
tracer = Tracer()  # POWERTOOLS_TRACE_DISABLED=true without X-Ray


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    runtime = wiring.worker()
    return handle_batch(
        event, context, runtime.worker, logger=logger, tracer=tracer, threads=runtime.settings.worker_threads
    )
