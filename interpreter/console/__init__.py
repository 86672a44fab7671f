"""The web console ``stepfn serve`` offers at ``/``: executions, their graphs, history and logs.

``ConsoleApp(service)`` is a WSGI application (``app``) that ``api.server.ApiServer`` mounts for
``GET /`` from browsers and everything under ``/console``; ``status`` derives what happened to
each state from the history, ``data`` reads the store for the pages and the JSON API, ``pages``
renders HTML, ``actions`` runs Step Functions API operations for the buttons, ``graphs`` draws
the definition with ``interpreter.graph``, ``dataflow`` replays a state's data-flow steps.
See ``docs/console.md``.
"""

from .app import ConsoleApp, is_console_request

__all__ = ["ConsoleApp", "is_console_request"]
