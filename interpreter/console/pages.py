"""The console's pages, rendered on the server as HTML; ``static/console.js`` adds the live parts.

Every value from the store (names, ARNs, inputs, outputs, errors, definitions) goes through
``e()`` (``html.escape`` with quotes) and the graph's SVG escapes its own texts; pages have no
inline script or style (the Content-Security-Policy forbids both), so what a page needs from the
server is in ``data-*`` attributes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from .data import STATUSES

PREFIX = "/console"
STATIC = f"{PREFIX}/static"


def e(value: Any) -> str:
    """Text for HTML content or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def url(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{PREFIX}{path}" + (f"?{query}" if query else "")


def execution_url(arn: str) -> str:
    return url("/execution", arn=arn)


def machine_url(arn: str) -> str:
    return url("/state-machine", arn=arn)


def pretty(text: str | None) -> str:
    """JSON text indented for reading (as it is when it does not parse)."""
    if text is None:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def duration(ms: int | None) -> str:
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {sec} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def when(iso: str | None) -> str:
    """An ISO time as ``2026-03-01 09:00:00.000 UTC`` (the page shows UTC, as the API does)."""
    if not iso:
        return ""
    return iso.replace("T", " ").replace("Z", " UTC")


def badge(status: str) -> str:
    return f'<span class="badge status-{e(status.lower())}" data-status="{e(status)}">{e(status)}</span>'


def layout(title: str, body: str, *, page: str, data: Mapping[str, Any] | None = None) -> str:
    attrs = "".join(f' data-{e(k)}="{e(v)}"' for k, v in (data or {}).items() if v is not None)
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · stepfn</title>"
        f'<link rel="icon" href="{STATIC}/favicon.svg" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{STATIC}/console.css">'
        f'<link rel="stylesheet" href="{STATIC}/graph.css">'
        f'<script src="{STATIC}/console.js" defer></script>'
        f'</head><body data-page="{e(page)}"{attrs}>'
        '<header class="top"><a class="brand" href="/console/">stepfn</a><nav>'
        f'<a href="{url("/executions")}">Executions</a><a href="{url("/state-machines")}">State machines</a>'
        "</nav></header>"
        f'<main id="main">{body}</main></body></html>\n'
    )


def error_page(code: str, message: str) -> str:
    body = (
        '<section class="card error-card"><h1>Not available</h1>'
        f'<p class="error"><strong>{e(code)}</strong>: {e(message)}</p>'
        f'<p><a href="{url("/executions")}">Back to the executions</a></p></section>'
    )
    return layout(code, body, page="error")


# ------------------------------------------------------------------ executions


def executions_table(rows: Iterable[Mapping[str, Any]], *, machine_column: bool = True) -> str:
    head = "<th>Name</th><th>Status</th>" + ("<th>State machine</th>" if machine_column else "")
    head += "<th>Started</th><th>Duration</th>"
    out = [f'<table class="grid executions"><thead><tr>{head}</tr></thead><tbody>']
    count = 0
    for row in rows:
        count += 1
        running = row["status"] == "RUNNING"
        cells = [
            f'<td><a class="execution-link" href="{e(execution_url(row["executionArn"]))}">'
            f"{e(row['name'])}</a>"
            + (
                f' <span class="muted">redriven x{e(row["redriveCount"])}</span>'
                if row.get("redriveCount")
                else ""
            )
            + "</td>",
            f"<td>{badge(row['status'])}</td>",
        ]
        if machine_column:
            cells.append(
                f'<td><a href="{e(machine_url(row["stateMachineArn"]))}">'
                f"{e(row['stateMachineName'])}</a></td>"
            )
        cells.append(f'<td class="nowrap">{e(when(row["startDate"]))}</td>')
        cells.append(f'<td class="nowrap">{e(duration(row["durationMs"]))}{" …" if running else ""}</td>')
        out.append(f'<tr data-arn="{e(row["executionArn"])}">{"".join(cells)}</tr>')
    if not count:
        span = 5 if machine_column else 4
        out.append(f'<tr><td colspan="{span}" class="empty">No executions.</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def executions_page(
    listing: Mapping[str, Any],
    machines: list[dict[str, Any]],
    *,
    status: str | None,
    machine: str | None,
    query: str | None,
    token: str | None,
) -> str:
    status_options = ['<option value="">Any status</option>'] + [
        f'<option value="{s}"{" selected" if s == status else ""}>{s}</option>' for s in STATUSES
    ]
    machine_options = ['<option value="">Any state machine</option>'] + [
        f'<option value="{e(m["stateMachineArn"])}"{" selected" if m["stateMachineArn"] == machine else ""}>'
        f"{e(m['name'])}</option>"
        for m in machines
    ]
    form = (
        f'<form class="filters" method="get" action="{url("/executions")}" role="search">'
        f'<label>Status <select name="status" id="filter-status">{"".join(status_options)}</select></label>'
        f'<label>State machine <select name="machine" id="filter-machine">{"".join(machine_options)}</select>'
        "</label>"
        f'<label>Name <input type="search" name="q" id="filter-q" value="{e(query)}" '
        'placeholder="search by name"></label>'
        '<button type="submit">Apply</button>'
        f'<a class="button secondary" href="{url("/executions")}">Clear</a></form>'
    )
    pager = ['<nav class="pager">']
    if token:
        pager.append(
            f'<a href="{e(url("/executions", status=status, machine=machine, q=query))}">« First page</a>'
        )
    if listing.get("nextToken"):
        nxt = url("/executions", status=status, machine=machine, q=query, token=listing["nextToken"])
        pager.append(f'<a id="next-page" href="{e(nxt)}">Next page »</a>')
    pager.append("</nav>")
    here = url("/executions", status=status, machine=machine, q=query)
    body = (
        '<section class="card"><div class="title-row"><h1>Executions</h1>'
        f'<a class="button secondary" href="{e(here)}">Refresh</a></div>'
        f"{form}{executions_table(listing['executions'])}{''.join(pager)}</section>"
    )
    return layout("Executions", body, page="executions")


# ------------------------------------------------------------------ one execution


def execution_page(
    detail: Mapping[str, Any], svg: str, *, input_text: str | None, output_text: str | None
) -> str:
    ex = detail["execution"]
    machine = detail["stateMachine"]
    status = ex["status"]
    facts = [
        (
            "State machine",
            f'<a id="machine-link" href="{e(machine_url(machine["stateMachineArn"]))}">'
            f"{e(machine['name'])}</a>",
        ),
        ("Execution ARN", f'<code class="wrap">{e(ex["executionArn"])}</code>'),
        ("Started", f'<span id="fact-start">{e(when(ex.get("startDate")))}</span>'),
        ("Stopped", f'<span id="fact-stop">{e(when(ex.get("stopDate")))}</span>'),
        ("Duration", f'<span id="fact-duration">{e(duration(ex.get("durationMs")))}</span>'),
        ("Redrives", f'<span id="fact-redrives">{e(ex.get("redriveCount", 0))}</span>'),
    ]
    dl = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in facts)
    failure = ""
    if ex.get("error") or ex.get("cause"):
        failure = (
            f'<div class="failure"><strong id="exec-error">{e(ex.get("error"))}</strong>'
            f'<pre id="exec-cause" class="cause">{e(ex.get("cause"))}</pre></div>'
        )
    redrivable = ex.get("redriveStatus") == "REDRIVABLE"
    actions = (
        '<div class="actions">'
        f'<button type="button" id="action-stop" class="danger"{"" if status == "RUNNING" else " hidden"}>'
        "Stop</button>"
        f'<button type="button" id="action-redrive"{"" if redrivable else " hidden"}>'
        "Redrive</button>"
        f'<a class="button secondary" href="{e(machine_url(machine["stateMachineArn"]))}#start">'
        "New execution</a>"
        "</div>"
    )
    header = (
        '<section class="card head"><div class="title-row">'
        f'<h1 id="exec-name">{e(ex["name"])}</h1><span id="exec-status">{badge(status)}</span>'
        '<span id="live" class="muted"></span></div>'
        f'{actions}<div id="action-message" class="message" role="status" aria-live="polite"></div>'
        f'<div id="exec-failure">{failure}</div><dl class="facts">{dl}</dl></section>'
    )
    callbacks = (
        '<section class="card" id="callbacks" hidden><h2>Waiting for a callback</h2>'
        '<p class="muted">These tasks wait for SendTaskSuccess or SendTaskFailure with their token.</p>'
        '<div id="callback-list"></div></section>'
    )
    legend = "".join(
        f'<span class="legend-item"><span class="swatch status-{s}"></span>{e(s.replace("_", " "))}</span>'
        for s in ("succeeded", "retried", "caught", "failed", "running", "aborted", "not_reached")
    )
    graph = (
        '<section class="card graph-card"><div class="title-row"><h2>Graph</h2>'
        f'<div class="legend">{legend}</div>'
        '<button type="button" id="graph-fit" class="secondary small">Fit</button></div>'
        f'<div class="graph" id="graph">{svg}</div>'
        '<p class="muted">Select a state to see its input, output and logs.</p></section>'
    )
    state_panel = (
        '<section class="card" id="state-panel"><h2 id="state-title">No state selected</h2>'
        '<div id="state-body" class="muted">Click a state in the graph, or a state name in the events.</div>'
        "</section>"
    )
    io = (
        '<section class="card"><h2>Execution input and output</h2><div class="two">'
        f'<div><h3>Input</h3><pre id="exec-input" class="json">{e(pretty(input_text))}</pre></div>'
        f'<div><h3>Output</h3><pre id="exec-output" class="json">{e(pretty(output_text))}</pre></div>'
        "</div></section>"
    )
    events = (
        '<section class="card" id="events-card"><div class="title-row"><h2>Events</h2>'
        '<span id="events-range" class="muted"></span>'
        '<nav class="pager" id="events-pager">'
        '<button type="button" class="secondary small" data-go="first">« First</button>'
        '<button type="button" class="secondary small" data-go="prev">&lsaquo; Previous</button>'
        '<button type="button" class="secondary small" data-go="next">Next &rsaquo;</button>'
        '<button type="button" class="secondary small" data-go="last">Last »</button></nav></div>'
        '<table class="grid events"><thead><tr><th>ID</th><th>Type</th><th>State</th><th>Time</th>'
        '<th>Details</th></tr></thead><tbody id="events-body"></tbody></table></section>'
    )
    logs = (
        '<section class="card" id="logs-card"><div class="title-row"><h2>Logs</h2>'
        '<span id="logs-scope" class="muted">all states</span>'
        '<button type="button" id="logs-all" class="secondary small">All states</button></div>'
        '<table class="grid logs"><thead><tr><th>Time</th><th>Level</th><th>State</th><th>Attempt</th>'
        '<th>Message</th></tr></thead><tbody id="logs-body"></tbody></table>'
        '<button type="button" id="logs-more" class="secondary small" hidden>More</button></section>'
    )
    body = f"{header}{callbacks}<div class='split'>{graph}{state_panel}</div>{logs}{events}{io}"
    data = {"arn": ex["executionArn"], "status": status}
    return layout(f"{ex['name']} ({status})", body, page="execution", data=data)


# ------------------------------------------------------------------ state machines


def machines_page(machines: list[dict[str, Any]]) -> str:
    rows = [
        f'<tr><td><a href="{e(machine_url(m["stateMachineArn"]))}">{e(m["name"])}</a></td>'
        f"<td>{e(m['type'])}</td><td class='nowrap'>{e(when(m['creationDate']))}</td>"
        f"<td class='nowrap'>{e(when(m.get('updateDate')))}</td></tr>"
        for m in machines
    ]
    if not rows:
        rows = ['<tr><td colspan="4" class="empty">No state machines.</td></tr>']
    body = (
        '<section class="card"><h1>State machines</h1><table class="grid"><thead><tr><th>Name</th>'
        "<th>Type</th><th>Created</th><th>Updated</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )
    return layout("State machines", body, page="machines")


def machine_page(
    machine: Mapping[str, Any], svg: str, listing: Mapping[str, Any], *, token: str | None
) -> str:
    arn = machine["stateMachineArn"]
    facts = [
        ("ARN", f'<code class="wrap">{e(arn)}</code>'),
        ("Type", e(machine.get("type"))),
        ("Created", e(when(machine.get("creationDate")))),
        ("Role", f'<code class="wrap">{e(machine.get("roleArn"))}</code>'),
    ]
    if machine.get("description"):
        facts.append(("Description", e(machine["description"])))
    dl = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in facts)
    start = (
        '<section class="card" id="start"><h2>Start an execution</h2>'
        '<form id="start-form" class="stack">'
        '<label>Name (optional) <input type="text" name="name" id="start-name" maxlength="80" '
        'placeholder="a unique name; empty: a UUID"></label>'
        "<label>Input (JSON) "
        '<textarea name="input" id="start-input" rows="6" spellcheck="false">{}</textarea>'
        '</label><div><button type="submit" id="start-button">Start execution</button></div>'
        '<div id="start-message" class="message" role="status" aria-live="polite"></div></form></section>'
    )
    pager = ['<nav class="pager">']
    if token:
        pager.append(f'<a href="{e(machine_url(arn))}">« First page</a>')
    if listing.get("nextToken"):
        pager.append(
            f'<a href="{e(url("/state-machine", arn=arn, token=listing["nextToken"]))}">Next page »</a>'
        )
    pager.append("</nav>")
    body = (
        f'<section class="card head"><div class="title-row"><h1>{e(machine["name"])}</h1>'
        f'<span class="badge">{e(machine.get("type"))}</span></div><dl class="facts">{dl}</dl></section>'
        f'<div class="split"><section class="card graph-card"><div class="title-row"><h2>Graph</h2>'
        '<button type="button" id="graph-fit" class="secondary small">Fit</button></div>'
        f'<div class="graph" id="graph">{svg}</div></section>{start}</div>'
        '<section class="card"><h2>Executions</h2>'
        f"{executions_table(listing['executions'], machine_column=False)}"
        f"{''.join(pager)}</section>"
        '<section class="card"><h2>Definition</h2>'
        f'<pre class="json definition" id="definition">{e(pretty(machine.get("definition")))}</pre></section>'
    )
    return layout(machine["name"], body, page="machine", data={"arn": arn})
