"""stepfn on AWS Lambda + SQS + DynamoDB (see docs/deploy.md).

``messages`` (work message bodies), ``dispatcher`` (effects → SQS messages / schedules), ``worker``
(one message → run a task or deliver a timer, commit, dispatch), ``batch`` (the worker function's
Powertools batch processing), ``api`` (the API function), ``sweeper`` (stalled executions),
``wiring`` (environment → runtime, once per container), ``client`` (boto3 against the stack).
"""
