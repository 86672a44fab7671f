"""stepfn's sweeper function (an EventBridge schedule, e.g. every 10 minutes): re-sends the work of
executions that stalled (a lost queue message, work left in the dead-letter queue). See
``interpreter.serverless.sweeper`` and docs/deploy.md."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from interpreter.serverless import wiring
from interpreter.serverless.sweeper import sweep

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"stepfn", "interpreter"})
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    runtime = wiring.sweeper()
    report = sweep(runtime.executor, now=runtime.clock.now())
    logger.info("sweep done", extra={"checked": report.checked, "redispatched": report.redispatched})
    return {"checked": report.checked, "redispatched": report.redispatched, "failed": report.failed}
