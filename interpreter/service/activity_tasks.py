"""GetActivityTask: activity workers long-poll for tasks (a mixin of the API facade).

A worker polls with the activity's ARN (and an optional ``workerName``); the call waits until a
task of that activity is scheduled, at most ``activity_poll_seconds`` (AWS: 60 s), and answers
``{"taskToken", "input"}``; the execution records ActivityStarted (with ``workerName`` when given).
The worker ends the task with SendTaskSuccess/SendTaskFailure and keeps it alive with
SendTaskHeartbeat (``callbacks.CallbackOperations``: an activity task token is awaited like a
callback token).

AWS behaviour pinned here (tests in ``tests/unit/service/test_activity_tasks.py`` name the sources):

* Nothing scheduled within the poll time: an empty answer (the API reference: "the poll returns a
  taskToken with a null string"; boto3 shows a response without ``taskToken``).
* An unknown activity: ``ActivityDoesNotExist: Activity Does Not Exist: '<arn>'``; an ARN that is
  not an activity ARN: ``InvalidArn``.
* Clients must wait longer than the poll: the API reference asks for a client socket timeout of at
  least 65 s, so boto3 needs ``Config(read_timeout=70)`` (its default is 60 s).
"""

from __future__ import annotations

import time
from typing import Any

from interpreter.adapters.stores.base import ExecutionStore
from interpreter.durable.activities import start_task
from interpreter.durable.workflows import Workflows
from interpreter.runtime.jsontext import dumps_compact

from . import arns
from .errors import ApiError

POLL_SECONDS = 60.0  # AWS holds a GetActivityTask call for at most 60 seconds


class ActivityTaskOperations:
    store: ExecutionStore
    workflows: Workflows
    activity_poll_seconds: float = POLL_SECONDS  # tests make it short

    def get_activity_task(self, request: dict[str, Any]) -> dict[str, Any]:
        activity_arn = request["activityArn"]
        arns.parse_activity_arn(activity_arn)
        if self.store.get_activity(activity_arn) is None:
            raise ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{activity_arn}'")
        worker = request.get("workerName")
        queue = self.workflows.activities
        deadline = time.monotonic() + self.activity_poll_seconds
        if not queue.waiting(activity_arn):  # tasks another process scheduled over this store
            queue.adopt(self.store, activity_arn)
        while True:
            task = queue.take(activity_arn, max(0.0, deadline - time.monotonic()))
            if task is None:
                return {}
            # a task whose execution has moved on (timed out, stopped) is dropped: poll again
            try:
                started = start_task(self.workflows.executor, task, worker)
            except Exception:  # the store failed: the task waits for the next poll
                queue.give_back(task)
                raise
            if started:
                return {"taskToken": task.task_token, "input": dumps_compact(task.input)}
