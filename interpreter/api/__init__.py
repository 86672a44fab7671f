"""The Step Functions API over HTTP (AWS JSON 1.0), as ``stepfn serve`` offers it.

``protocol`` (HTTP ⇄ calls, pure), ``validation`` (AWS's input checks from botocore's model),
``dispatch`` (one request → one response), ``server`` (:class:`ApiServer`, Werkzeug).
"""

from .server import ApiServer

__all__ = ["ApiServer"]
