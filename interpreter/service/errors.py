"""API errors as AWS Step Functions reports them: a code (``__type``) and a message."""

from __future__ import annotations


class ApiError(Exception):
    """An API operation refused a request.

    ``code`` is AWS's error code as botocore reports it (``ExecutionDoesNotExist``,
    ``ValidationException``, ``InvalidArn`` ...); ``status`` is the HTTP status AWS answers with.
    """

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
