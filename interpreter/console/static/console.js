// stepfn console: the live parts of the pages. Plain JavaScript, no libraries, no network but
// this server's /console/api. Data from the server is only ever set as text (textContent,
// element attributes), never parsed as HTML.
"use strict";

(function () {
  const API = "/console/api";
  const POLL_MS = 1000;

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  class ApiProblem extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  async function getJson(path, params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== "") query.set(k, v);
    const response = await fetch(`${API}${path}?${query}`, { headers: { Accept: "application/json" } });
    return answer(response);
  }

  async function action(name, body) {
    const response = await fetch(`${API}/actions/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    return answer(response);
  }

  async function answer(response) {
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      throw new ApiProblem("InternalFailure", `HTTP ${response.status}`);
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiProblem(error.code || `HTTP ${response.status}`, error.message || "");
    }
    return data;
  }

  function showMessage(node, kind, ...parts) {
    clear(node);
    node.className = `message ${kind}`;
    node.append(...parts);
  }

  function showProblem(node, err) {
    if (err instanceof ApiProblem) {
      showMessage(node, "error", el("span", { class: "code", text: err.code }), `: ${err.message}`);
    } else {
      showMessage(node, "error", String(err && err.message ? err.message : err));
    }
  }

  function pretty(text) {
    if (text === null || text === undefined) return "";
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (err) {
      return String(text);
    }
  }

  function when(iso) {
    return iso ? iso.replace("T", " ").replace("Z", " UTC") : "";
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return "";
    if (ms < 1000) return `${ms} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(1)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h} h ${m % 60} min`;
    return `${Math.floor(h / 24)} d ${h % 24} h`;
  }

  function badge(status) {
    return el("span", { class: `badge status-${String(status).toLowerCase()}`, "data-status": status, text: status });
  }

  function jsonBlock(text, id) {
    return el("pre", { class: "json", id, text: pretty(text) });
  }

  function setupGraph(onSelect) {
    const graph = document.getElementById("graph");
    const fit = document.getElementById("graph-fit");
    if (fit && graph) fit.addEventListener("click", () => graph.classList.toggle("fit"));
    const drawing = graph && graph.querySelector("svg");
    if (drawing && drawing.getBoundingClientRect().height > graph.clientHeight + 1) graph.classList.add("fit");
    const nodes = new Map();
    if (!graph) return nodes;
    for (const g of graph.querySelectorAll("g.node[data-id], g.marker[data-id]")) {
      nodes.set(g.getAttribute("data-id"), g);
      if (onSelect && g.classList.contains("node")) {
        g.addEventListener("click", (event) => {
          event.stopPropagation();
          onSelect(g.getAttribute("data-id"));
        });
      }
    }
    return nodes;
  }

  function setStatusClass(g, status) {
    for (const cls of Array.from(g.classList)) if (cls.startsWith("status-")) g.classList.remove(cls);
    if (status) g.classList.add(`status-${status}`);
  }

  // ------------------------------------------------------------------ execution page
  function executionPage(body) {
    const arn = body.dataset.arn;
    const state = {
      status: body.dataset.status,
      selected: null,
      selectedStamp: null,
      eventsAfter: 0,
      eventsTotal: 0,
      followEvents: false,
      logsAfter: 0,
      logsState: null,
      polling: false,
      eventCount: -1,
    };
    const nodes = setupGraph(select);
    const $ = (id) => document.getElementById(id);
    const message = $("action-message");

    // ---- actions
    const stop = $("action-stop");
    stop.addEventListener("click", async () => {
      if (stop.dataset.armed !== "1") {  // a second click confirms (no native dialogs here)
        stop.dataset.armed = "1";
        stop.textContent = "Click again to stop";
        window.setTimeout(() => {
          stop.dataset.armed = "";
          stop.textContent = "Stop";
        }, 5000);
        return;
      }
      stop.dataset.armed = "";
      stop.textContent = "Stop";
      await act("stop", { executionArn: arn }, "Stopped.");
    });
    $("action-redrive").addEventListener("click", async () => {
      await act("redrive", { executionArn: arn }, "Redriven: the execution runs again from where it failed.");
    });

    async function act(name, request, done) {
      showMessage(message, "", "Working…");
      try {
        await action(name, request);
        showMessage(message, "ok", done);
      } catch (err) {
        showProblem(message, err);
      }
      await refresh();
      startPolling();
    }

    // ---- the execution and its nodes
    async function refresh() {
      let data;
      try {
        data = await getJson("/execution", { arn });
      } catch (err) {
        $("live").textContent = `update failed: ${err.code || ""} ${err.message}`;
        return;
      }
      const ex = data.execution;
      const changed = ex.status !== state.status;
      state.status = ex.status;
      body.dataset.status = ex.status;
      clear($("exec-status")).append(badge(ex.status));
      $("fact-stop").textContent = when(ex.stopDate);
      $("fact-duration").textContent = duration(ex.durationMs);
      $("fact-redrives").textContent = String(ex.redriveCount || 0);
      $("action-stop").hidden = ex.status !== "RUNNING";
      $("action-redrive").hidden = ex.redriveStatus !== "REDRIVABLE";
      const failure = clear($("exec-failure"));
      if (ex.error || ex.cause) {
        failure.append(
          el("div", { class: "failure" }, el("strong", { id: "exec-error", text: ex.error || "" }),
            el("pre", { id: "exec-cause", class: "cause", text: ex.cause || "" })));
      }
      for (const [id, g] of nodes) setStatusClass(g, data.nodes[id] ? data.nodes[id].status : null);
      renderCallbacks(data.waiting || []);
      $("live").textContent = ex.status === "RUNNING" ? "live: updating every second" : "";
      if (changed && ex.status !== "RUNNING") await loadIo();
      if (data.eventCount !== state.eventCount) {
        state.eventCount = data.eventCount;
        if (state.followEvents) await loadEvents(Math.max(0, data.eventCount - 100));
        else $("events-range").textContent = rangeText();
        await loadLogs(false);
        if (state.selected) {
          const entry = data.nodes[state.selected];
          const stamp = entry ? JSON.stringify(entry) : "";
          if (stamp !== state.selectedStamp) await select(state.selected, true);
        }
      }
      if (ex.status !== "RUNNING") state.polling = false;
    }

    async function loadIo() {
      try {
        const data = await getJson("/execution", { arn, full: "1" });
        $("exec-input").textContent = pretty(data.execution.input);
        $("exec-output").textContent = pretty(data.execution.output);
      } catch (err) {
        /* the next update tries again */
      }
    }

    function startPolling() {
      if (state.polling || state.status !== "RUNNING") return;
      state.polling = true;
      const tick = async () => {
        if (!state.polling) return;
        await refresh();
        if (state.polling) window.setTimeout(tick, POLL_MS);
      };
      window.setTimeout(tick, POLL_MS);
    }

    // ---- callbacks
    function renderCallbacks(waiting) {
      const card = $("callbacks");
      const list = $("callback-list");
      const shown = Array.from(list.children).map((c) => c.dataset.token).join("\n");
      const wanted = waiting.map((w) => w.taskToken).join("\n");
      card.hidden = waiting.length === 0;
      if (shown === wanted) return;
      clear(list);
      for (const wait of waiting) list.append(callbackForm(wait));
    }

    function callbackForm(wait) {
      const note = el("div", { class: "message", role: "status" });
      const output = el("textarea", { rows: "3", spellcheck: "false", class: "cb-output" });
      output.value = "{}";
      const error = el("input", { type: "text", class: "cb-error", placeholder: "error (optional)" });
      const cause = el("input", { type: "text", class: "cb-cause", placeholder: "cause (optional)" });
      const send = async (name, request) => {
        try {
          await action(name, request);
          showMessage(note, "ok", name === "send-task-success" ? "Success sent." : "Failure sent.");
        } catch (err) {
          showProblem(note, err);
        }
        await refresh();
      };
      const form = el("form", { onsubmit: (ev) => ev.preventDefault() },
        el("label", { class: "wide" }, "Output (JSON) ", output),
        el("div", { class: "wide" }, el("button", { type: "button", class: "cb-success",
          onclick: () => send("send-task-success", { taskToken: wait.taskToken, output: output.value }) },
          "Send task success")),
        el("label", {}, "Error ", error),
        el("label", {}, "Cause ", cause),
        el("div", { class: "wide" }, el("button", { type: "button", class: "danger cb-failure",
          onclick: () => send("send-task-failure", { taskToken: wait.taskToken,
            ...(error.value ? { error: error.value } : {}), ...(cause.value ? { cause: cause.value } : {}) }) },
          "Send task failure")));
      const stateLink = el("button", { type: "button", class: "linkish", text: wait.state || "(state)",
        onclick: () => wait.node && select(wait.node) });
      return el("div", { class: "callback", "data-token": wait.taskToken },
        el("div", {}, el("strong", {}, "State: "), stateLink),
        el("div", { class: "token", text: wait.taskToken }), form, note);
    }

    // ---- the selected state
    async function select(node, quiet) {
      state.selected = node;
      for (const [id, g] of nodes) g.classList.toggle("selected", id === node);
      const title = $("state-title");
      const panel = $("state-body");
      if (!quiet) {
        title.textContent = "Loading…";
        clear(panel);
      }
      let data;
      try {
        data = await getJson("/execution/state", { arn, node });
      } catch (err) {
        title.textContent = "State";
        showProblem(clear(panel), err);
        return;
      }
      state.selectedStamp = data.status ? JSON.stringify(data.status) : "";
      title.textContent = data.name || node;
      clear(panel).className = "";
      panel.append(stateView(data));
      if (!quiet || state.logsState !== data.name) {
        state.logsState = data.name;
        await loadLogs(true);
      }
    }

    function stateView(data) {
      const s = data.status || {};
      const facts = el("dl", { class: "state-facts" });
      const fact = (k, v) => facts.append(el("dt", { text: k }), el("dd", {}, v));
      fact("Type", data.type);
      fact("Status", badge(s.status || "not_reached"));
      if (s.visits > 1) fact("Runs", `${s.visits} (${Object.entries(s.counts || {}).map(([k, v]) => `${v} ${k}`).join(", ")})`);
      if (s.attempts) fact("Attempts", `${s.attempts}${s.retries ? ` (${s.retries} retried)` : ""}`);
      if (s.beforeRedrive) fact("Before redrive", `${s.beforeRedrive} failed or aborted`);
      if (data.enteredAt) fact("Entered", when(data.enteredAt));
      if (data.exitedAt) fact("Exited", when(data.exitedAt));
      const out = el("div", {}, facts);
      if (s.error || s.cause) {
        out.append(el("div", { class: "failure", id: "state-error" }, el("strong", { text: s.error || "" }),
          el("pre", { class: "cause", text: pretty(s.cause || "") })));
      }
      if (s.visits > 1) out.append(el("p", { class: "note", text: "Shown: the last failed run, else the last run." }));
      out.append(el("h3", { text: "Input" }), jsonBlock(data.input, "state-input"));
      if (data.task && data.task.sent && data.task.sent.parameters !== undefined) {
        out.append(el("h3", { text: "Sent to the task" }), jsonBlock(data.task.sent.parameters));
      }
      if (data.task && data.task.result) {
        const r = data.task.result;
        if (r.ok) out.append(el("h3", { text: "Task result" }), jsonBlock(r.output));
        else out.append(el("h3", { text: "Task error" }), el("pre", { class: "json", text: `${r.error || ""}\n${pretty(r.cause || "")}` }));
      }
      out.append(el("h3", { text: "Output" }), jsonBlock(data.output, "state-output"));
      const steps = data.steps || {};
      const flow = el("details", { class: "dataflow" }, el("summary", { text: "Data-flow steps" }));
      if (steps.available) {
        const list = el("ol", { class: "steps" });
        for (const step of steps.steps) {
          list.append(el("li", {}, el("div", { class: "label", text: step.label }), jsonBlock(step.value)));
        }
        flow.append(list);
        if (steps.status) flow.append(el("p", { class: "note", text: `Replayed: ${steps.status}${steps.error ? ` (${steps.error})` : ""}` }));
        flow.append(el("p", { class: "note", text: steps.note }));
      } else {
        flow.append(el("p", { class: "note", text: steps.reason || "Not available." }));
      }
      out.append(flow);
      return out;
    }

    // ---- logs
    $("logs-all").addEventListener("click", () => {
      state.logsState = null;
      loadLogs(true);
    });
    $("logs-more").addEventListener("click", () => loadLogs(false, true));

    async function loadLogs(reset, more) {
      const tbody = $("logs-body");
      if (reset) {
        state.logsAfter = 0;
        clear(tbody);
      } else if (!more && state.logsAfter === null) {
        return;
      }
      $("logs-scope").textContent = state.logsState ? `state: ${state.logsState}` : "all states";
      let data;
      try {
        data = await getJson("/execution/logs", { arn, state: state.logsState, after: state.logsAfter || 0, limit: 200 });
      } catch (err) {
        return;
      }
      if (!data.supported) {
        clear(tbody).append(el("tr", {}, el("td", { colspan: "5", class: "empty", text: "This store keeps no logs." })));
        return;
      }
      for (const line of data.logs) {
        const level = String(line.level || "");
        tbody.append(el("tr", { "data-seq": line.seq },
          el("td", { class: "nowrap", text: when(line.time) }),
          el("td", { class: `level-${level.toLowerCase()}`, text: level }),
          el("td", { text: line.state || "" }),
          el("td", { text: line.attempt === null || line.attempt === undefined ? "" : line.attempt }),
          el("td", { class: "message-cell" }, el("pre", { text: line.message || "" }))));
        state.logsAfter = line.seq;
      }
      if (!tbody.children.length) {
        tbody.append(el("tr", { class: "no-logs" }, el("td", { colspan: "5", class: "empty", text: "No log lines." })));
      } else {
        for (const row of tbody.querySelectorAll("tr.no-logs")) row.remove();
      }
      $("logs-more").hidden = data.nextAfter === null;
    }

    // ---- events
    for (const button of document.querySelectorAll("#events-pager button")) {
      button.addEventListener("click", () => {
        const go = button.dataset.go;
        const size = 100;
        const last = Math.max(0, state.eventsTotal - size);
        const target = go === "first" ? 0 : go === "last" ? last : go === "prev" ? Math.max(0, state.eventsAfter - size) : Math.min(last, state.eventsAfter + size);
        state.followEvents = go === "last";
        loadEvents(target);
      });
    }

    function rangeText() {
      return `events ${Math.min(state.eventsAfter + 1, state.eventsTotal)}–${Math.min(state.eventsAfter + 100, state.eventsTotal)} of ${state.eventCount >= 0 ? state.eventCount : state.eventsTotal}`;
    }

    async function loadEvents(after) {
      let data;
      try {
        data = await getJson("/execution/events", { arn, after, limit: 100 });
      } catch (err) {
        return;
      }
      state.eventsAfter = data.after;
      state.eventsTotal = data.total;
      const tbody = clear($("events-body"));
      for (const event of data.events) tbody.append(...eventRows(event));
      $("events-range").textContent = rangeText();
    }

    function eventRows(event) {
      const detailsKey = Object.keys(event).find((k) => k.endsWith("EventDetails"));
      const details = detailsKey ? event[detailsKey] : null;
      const summary = details ? [details.error, details.name && !event.state ? details.name : null, details.resource].filter(Boolean).join(" · ") : "";
      const full = el("tr", { class: "event-details", hidden: true },
        el("td", { colspan: "5" }, el("pre", { text: details ? JSON.stringify(details, null, 2) : "(no details)" })));
      const toggle = el("button", { type: "button", class: "linkish", text: details ? "show" : "" ,
        onclick: () => { full.hidden = !full.hidden; row.classList.toggle("open", !full.hidden); } });
      const stateCell = event.node
        ? el("button", { type: "button", class: "linkish", text: event.state || event.node, onclick: () => select(event.node) })
        : "";
      const row = el("tr", { "data-id": event.id },
        el("td", { text: event.id }), el("td", { text: event.type }), el("td", {}, stateCell),
        el("td", { class: "nowrap", text: when(event.timestamp) }),
        el("td", { class: "details" }, summary ? el("span", { text: `${summary} ` }) : null, details ? toggle : null));
      return [row, full];
    }

    // ---- start
    (async () => {
      await loadEvents(0);
      await refresh();
      // open on the state that failed (the innermost one: a Task rather than its Parallel)
      const failing = Array.from(nodes.entries()).filter(([, g]) => g.classList.contains("node") && g.classList.contains("status-failed"));
      const failed = failing.find(([, g]) => !g.classList.contains("compound")) || failing[failing.length - 1];
      if (failed) await select(failed[0]);
      else await loadLogs(true);
      startPolling();
      body.dataset.ready = "1";
    })();
  }

  // ------------------------------------------------------------------ state machine page
  function machinePage(body) {
    const arn = body.dataset.arn;
    setupGraph(null);
    const form = document.getElementById("start-form");
    const message = document.getElementById("start-message");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = document.getElementById("start-name").value.trim();
      const input = document.getElementById("start-input").value;
      const request = { stateMachineArn: arn, input };
      if (name) request.name = name;
      showMessage(message, "", "Starting…");
      try {
        const started = await action("start", request);
        showMessage(message, "ok", "Started: ", el("a", { href: `/console/execution?arn=${encodeURIComponent(started.executionArn)}`, text: started.executionArn }));
        window.location.assign(`/console/execution?arn=${encodeURIComponent(started.executionArn)}`);
      } catch (err) {
        showProblem(message, err);
      }
    });
    body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const body = document.body;
    const page = body.dataset.page;
    if (page === "execution") executionPage(body);
    else if (page === "machine") machinePage(body);
    else body.dataset.ready = "1";
  });
})();
