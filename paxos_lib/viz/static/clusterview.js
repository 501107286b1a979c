// The browser half of paxos_lib.viz.ClusterView (see clusterview.py for the design).
//
// Python sends one JSON `view` after each step; this module draws it and sends clicks back
// as {do: ...} messages.  It holds no protocol rule: whether a button is enabled, and why
// not, comes from view.controls (the engine's why_not).  Nodes and message tokens are SVG
// elements kept across steps (keyed by node id and message-copy id), so a delivered token
// moves along its edge and a dropped one fades through CSS transitions; the space-time
// diagram is rebuilt from view.timeline (one innerHTML per step), its steps spread over the
// width and its labels placed clear of each other, of arrowheads and marks, or shortened.

const SVG = "http://www.w3.org/2000/svg";
const GW = 400, GH = 290;            // graph viewBox
const TW = 560, TH = 290;            // space-time viewBox
const R = 17;                        // node radius
const PHASES = ["1a", "1b", "2a", "2b", "nack", "dec"];
const SPEEDS = [100, 200, 400, 700, 1000, 1500];

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

function h(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  if (text !== null) e.textContent = text;
  return e;
}

function s(tag, attrs = {}, text = null) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

function phaseClass(p) {
  return PHASES.includes(p) ? "k-" + p : "k-other";
}

function markerDefs() {
  return PHASES.concat(["other"]).map((p) =>
    `<marker id="pxv-m-${p}" class="k-${p}" viewBox="0 0 8 8" refX="7" refY="4" ` +
    `markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0,0 L8,4 L0,8 z" class="pxv-head"/></marker>`).join("");
}

function render({ model, el }) {
  let view = model.get("view");
  let selected = null;         // copy id of the selected token
  let playing = false;
  let timer = null;
  const pending = new Map();   // Play's request id -> when it was sent
  const MAX_AHEAD = 3;         // Play keeps at most this many steps asked and unanswered
  let owed = 0;                // ticks that found MAX_AHEAD asked: sent as answers come
  let reqCount = 0;
  let nextTick = 0;
  const tokens = new Map();    // copy id -> <g>
  const nodeEls = new Map();   // node id -> {g, lines}
  const edges = new Map();     // "a|b" -> <line>
  const lineShift = new Map(); // node id -> how far its state lines moved in from the edge

  // -- skeleton --------------------------------------------------------------------------------
  const root = h("div", { class: "pxv", tabindex: "0", "data-lm-suppress-shortcuts": "true" });
  const status = h("div", { class: "pxv-status" });
  const note = h("div", { class: "pxv-note", role: "status" });
  const ctr = h("div", { class: "pxv-controls" });
  const main = h("div", { class: "pxv-main" });
  const graph = s("svg", { class: "pxv-graph", viewBox: `0 0 ${GW} ${GH}`,
                           preserveAspectRatio: "xMidYMid meet", role: "img",
                           "aria-label": "message-flow graph" });
  const time = s("svg", { class: "pxv-time", viewBox: `0 0 ${TW} ${TH}`,
                          preserveAspectRatio: "xMidYMid meet", role: "img",
                          "aria-label": "space-time diagram" });
  const legend = h("div", { class: "pxv-legend" });
  const logs = h("div", { class: "pxv-logs" });
  const foot = h("div", { class: "pxv-foot" });   // the logs beside the key, when wide enough
  const table = h("details", { class: "pxv-table" });
  const tip = h("div", { class: "pxv-tip", role: "tooltip" });
  main.append(graph, time);
  table.append(h("summary", {}, "state of every node (table)"), h("div", { class: "pxv-tables" }));
  foot.append(logs, legend);
  root.append(status, note, ctr, main, foot, table, tip);
  el.append(root);

  graph.innerHTML = `<defs>${markerDefs()}</defs><g class="pxv-split"></g>` +
    `<g class="pxv-edges"></g><g class="pxv-nodes"></g><g class="pxv-tokens"></g>` +
    `<text class="pxv-banner" x="6" y="14"></text>`;
  const gSplit = graph.querySelector(".pxv-split");
  const gEdges = graph.querySelector(".pxv-edges");
  const gNodes = graph.querySelector(".pxv-nodes");
  const gTokens = graph.querySelector(".pxv-tokens");
  const banner = graph.querySelector(".pxv-banner");

  // the key names the message kinds of the protocol on show (Paxos, Multi-Paxos or Raft) and,
  // when the nodes keep logs, what a log slot's mark means
  const PAXOS_KEY =
    '<span class="tok-key k-1a">1a</span> prepare ' +
    '<span class="tok-key k-1b">1b</span> promise ' +
    '<span class="tok-key k-2a">2a</span> accept ' +
    '<span class="tok-key k-2b">2b</span> accepted ' +
    '<span class="tok-key k-nack">nack</span> ' +
    '<span class="tok-key k-dec">dec</span> decided · ';
  const KEYS = {
    paxos: PAXOS_KEY,
    multi: PAXOS_KEY + "cm commit · fw forward · cu catch-up · cr catch-up reply · ",
    raft: "rv request-vote · vt vote · ae append · ar append-reply · ",
  };
  // Raft has no "chosen" of its own in the view (an entry is committed, which its log marks
  // say), and its servers apply entries rather than learn values: its key and status say so
  const GLYPHS =
    '<span class="lg-dash">- - -</span> in flight · ✗ dropped · + copy · ✖ crash · ▲ recover · ' +
    '● propose · ◷ timeout · ◆ chosen (a quorum accepted) · ✓ learned · ▣ on disk · ▦ partition';
  const RAFT_GLYPHS =
    '<span class="lg-dash">- - -</span> in flight · ✗ dropped · + copy · ✖ crash · ▲ recover · ' +
    '● propose · ◷ timeout · ▣ on disk · ▦ partition';
  const LOG_KEY = '<span class="lg-log"> · log slots: ✓ applied · ● committed (known chosen) · ' +
    "? accepted (outcome unknown) · · gap · no-op fills a gap</span>";
  const RAFT_LOG_KEY = '<span class="lg-log"> · log entries: ✓ applied · ● committed · ' +
    "? stored, not known committed</span>";
  const protocolOf = (v) => {
    const roles = new Set(v.nodes.map((n) => n.role));
    return roles.has("server") ? "raft" : roles.has("replica") ? "multi" : "paxos";
  };
  function drawLegend(v) {
    const kind = protocolOf(v);
    const logged = v.nodes.some((n) => n.log !== null);
    const key = `${kind}|${logged}`;
    if (legend.dataset.key === key) return;
    legend.dataset.key = key;
    legend.classList.toggle("multi", kind !== "paxos");
    const raft = kind === "raft";
    legend.innerHTML = KEYS[kind] + (raft ? RAFT_GLYPHS : GLYPHS) +
      (logged ? (raft ? RAFT_LOG_KEY : LOG_KEY) : "");
  }

  // -- controls ----------------------------------------------------------------------------------
  function button(text, cls, onclick) {
    const b = h("button", { class: "pxv-btn " + cls, type: "button" }, text);
    b.addEventListener("click", (ev) => { ev.stopPropagation(); onclick(); });
    return b;
  }
  function group(label) {
    const g = h("span", { class: "pxv-group" });
    if (label) g.append(h("b", {}, label));
    return g;
  }
  const bReplay = button("⟲ Replay from the start", "pxv-replay", () => send({ do: "replay" }));
  const bUndo = button("◀ Undo", "pxv-undo", () => send({ do: "undo" }));
  const bFwd = button("Step ▶", "pxv-forward", () => send({ do: "forward" }));
  const bPlay = button("▶ Play", "pxv-play", () => togglePlay());
  const speed = h("select", { class: "pxv-speed", title: "ms per step of Play" });
  for (const ms of SPEEDS) speed.append(h("option", { value: String(ms) }, `${ms} ms/step`));
  const slider = h("input", { type: "range", class: "pxv-slider", min: "0", max: "0",
                              value: "0", "aria-label": "step" });
  slider.addEventListener("change", () => send({ do: "goto", step: Number(slider.value) }));
  const stepText = h("span", { class: "pxv-steptext" });
  const bReset = button("Reset", "pxv-reset", () => { stopPlay(); send({ do: "reset" }); });
  const runs = h("select", { class: "pxv-runs", title: "which run to show" });
  runs.addEventListener("change", () => { stopPlay(); send({ do: "run", name: runs.value }); });

  const selText = h("span", { class: "pxv-selected" });
  const bDeliver = button("Deliver", "pxv-deliver", () => act("deliver"));
  const bDrop = button("Drop", "pxv-drop", () => act("drop"));
  const bDup = button("Duplicate", "pxv-duplicate", () => act("duplicate"));
  const bRandom = button("Deliver random", "pxv-random", () => send({ do: "random" }));
  const proposer = h("select", { class: "pxv-proposer", "aria-label": "proposer" });
  const value = h("input", { class: "pxv-value", type: "text", size: "9",
                             "aria-label": "value to propose" });
  value.addEventListener("change", () => send({ do: "value", value: value.value }));
  value.addEventListener("keydown", (ev) => ev.stopPropagation());
  const bPropose = button("Propose", "pxv-propose",
                          () => send({ do: "propose", node: proposer.value, value: value.value }));
  const bTimeout = button("Timeout", "pxv-timeout",
                          () => send({ do: "timeout", node: proposer.value }));
  proposer.addEventListener("change", () => syncControls());

  const nodeBox = group("crash");
  const parts = h("select", { class: "pxv-parts", "aria-label": "partition" });
  const bSplit = button("Split", "pxv-partition",
                        () => send({ do: "partition", index: Number(parts.value) }));
  const bHeal = button("Heal", "pxv-heal", () => send({ do: "heal" }));
  const bDurable = button("durable", "pxv-durable", () => send({ do: "storage", value: "durable" }));
  const bVolatile = button("volatile", "pxv-volatile",
                           () => send({ do: "storage", value: "volatile" }));

  const row1 = h("div", { class: "pxv-row" });
  const gTime = group("time");
  gTime.append(bReplay, bUndo, bFwd, bPlay, speed, slider, stepText, bReset);
  const gRuns = group("run");
  gRuns.append(runs);
  row1.append(gTime, gRuns);
  const row2 = h("div", { class: "pxv-row" });
  const gMsg = group("message");
  gMsg.append(selText, bDeliver, bDrop, bDup, bRandom);
  const gProp = group("client");
  gProp.append(proposer, value, bPropose, bTimeout);
  row2.append(gMsg, gProp);
  const row3 = h("div", { class: "pxv-row" });
  const gNet = group("network");
  gNet.append(parts, bSplit, bHeal);
  const gStore = group("acceptor storage");
  gStore.append(bDurable, bVolatile);
  row3.append(nodeBox, gNet, gStore);
  ctr.append(row1, row2, row3);

  // -- talking to Python -----------------------------------------------------------------------------
  function send(msg) {
    reqCount += 1;
    msg.req = reqCount;
    if (msg.do === "auto") pending.set(reqCount, performance.now());
    root.dataset.busy = "1";
    model.send(msg);
  }
  function act(what) {
    if (selected === null) return;
    send({ do: what, id: selected });
  }

  // -- Play ------------------------------------------------------------------------------------------
  function interval() { return Number(speed.value) || 700; }
  function togglePlay() { if (playing) stopPlay(); else startPlay(); }
  function startPlay() {
    playing = true;
    bPlay.textContent = "⏸ Pause";
    bPlay.classList.add("on");
    nextTick = performance.now();
    tick();
  }
  function stopPlay() {
    playing = false;
    pending.clear();
    owed = 0;
    bPlay.textContent = "▶ Play";
    bPlay.classList.remove("on");
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }
  function tick() {
    if (!playing) return;
    const now = performance.now();
    for (const [id, since] of pending) if (now - since > 5000) pending.delete(id);  // lost
    if (pending.size < MAX_AHEAD) send({ do: "auto" }); else owed = Math.min(owed + 1, 5);
    nextTick = Math.max(nextTick + interval(), now + 5);
    timer = setTimeout(tick, nextTick - now);
  }

  // -- keyboard and hover --------------------------------------------------------------------------
  // Listened for on the window, in the capture phase, so that the notebook's own shortcuts
  // (which Notebook 7 also binds to the arrow keys) do not see keys meant for the view.
  function onKey(ev) {
    if (!root.contains(ev.target) || ev.target === value || ev.target.tagName === "SELECT") {
      return;
    }
    if (ev.key === "ArrowRight") {
      send({ do: view.controls.forward === null ? "forward" : "auto" });
    } else if (ev.key === "ArrowLeft") {
      send({ do: "undo" });
    } else if ((ev.key === "Enter" || ev.key === " ") && selected !== null &&
               ev.target === root) {
      act("deliver");
    } else {
      return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  }
  window.addEventListener("keydown", onKey, true);
  root.addEventListener("mouseover", (ev) => {
    const t = ev.target.closest ? ev.target.closest("[data-tip]") : null;
    if (!t || !root.contains(t)) { tip.classList.remove("show"); return; }
    tip.textContent = t.getAttribute("data-tip");
    const box = root.getBoundingClientRect();
    const r = t.getBoundingClientRect();
    tip.style.left = `${Math.max(0, Math.min(r.left - box.left, box.width - 320))}px`;
    tip.style.top = `${r.bottom - box.top + 4}px`;
    tip.classList.add("show");
  });
  root.addEventListener("mouseleave", () => tip.classList.remove("show"));

  // -- the graph -----------------------------------------------------------------------------------
  function npos(n) {
    return [70 + n.x * (GW - 140), 38 + n.y * (GH - 100)];
  }
  function nodeShape(role) {
    if (role === "proposer") return s("rect", { x: -R, y: -R, width: 2 * R, height: 2 * R, rx: 5 });
    if (role === "learner") {
      return s("polygon", { points: `0,${-R - 3} ${R + 3},0 0,${R + 3} ${-R - 3},0` });
    }
    return s("circle", { r: R });
  }
  function drawNodes(v) {
    const pos = new Map();
    const chosenBy = new Set();
    for (const c of v.chosen) for (const a of c.acceptors) chosenBy.add(a);
    const sides = new Map();
    if (v.partition) v.partition.forEach((g, i) => g.forEach((n) => sides.set(n, i)));
    for (const n of v.nodes) {
      const [x, y] = npos(n);
      pos.set(n.id, [x, y]);
      let e = nodeEls.get(n.id);
      if (!e) {
        const g = s("g", { class: `pxv-node role-${n.role}`, "data-node": n.id });
        g.append(s("circle", { class: "pxv-side", r: R + 9 }));
        g.append(nodeShape(n.role));
        g.append(s("text", { class: "pxv-id", y: 4 }, n.id));
        g.append(s("text", { class: "pxv-badge", x: R + 4, y: -R + 2 }));
        const lines = s("text", { class: "pxv-lines", y: R + 14 });
        g.append(lines);
        gNodes.append(g);
        e = { g, lines, badge: g.querySelector(".pxv-badge"), side: g.querySelector(".pxv-side") };
        nodeEls.set(n.id, e);
      }
      e.g.setAttribute("transform", `translate(${x},${y})`);
      e.g.classList.toggle("down", !n.up);
      e.g.classList.toggle("changed", n.changed);
      const side = sides.has(n.id) ? sides.get(n.id) : null;
      e.g.classList.toggle("side-0", side === 0);
      e.g.classList.toggle("side-1", side === 1);
      e.g.classList.toggle("side-2", side !== null && side > 1);
      const lines = (n.up ? [] : ["✖ down"]).concat(n.lines).slice(0, 3);
      // a node near the edge moves its state lines inwards so that none is clipped
      const half = Math.max(0, ...lines.map((t) => widthOf(t, false) * 1.05)) / 2;
      const shift = x - half < 3 ? 3 - (x - half) : x + half > GW - 3 ? GW - 3 - (x + half) : 0;
      lineShift.set(n.id, shift);
      e.lines.textContent = "";
      lines.forEach((t, i) => {
        e.lines.append(s("tspan", { x: shift.toFixed(1), dy: i === 0 ? 0 : 12 }, t));
      });
      let badge = "";
      if (chosenBy.has(n.id)) badge += "◆";
      if (n.learned !== null) badge += "✓";
      if (side !== null) badge += " " + "ABCDEFG"[side];
      if (n.timer) badge += " ◷";
      e.badge.textContent = badge;
      const detail = n.fields.map((f) => `${f.name}${f.durable ? " ▣" : ""}: ${f.value}`);
      e.g.setAttribute("data-tip", [`${n.id} (${n.role}, ${n.up ? "up" : "crashed"})`]
        .concat(chosenBy.has(n.id) ? ["◆ in a quorum that chose a value"] : [])
        .concat(detail).join("\n"));
    }
    return { pos, sides };
  }

  function drawEdges(v, pos, sides) {
    const want = new Set();
    const pairs = v.messages.map((m) => [m.from, m.to])
      .concat(v.timeline.arrows.map((a) => [a.from, a.to]));
    for (const [a, b] of pairs) {
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      want.add(key);
      let line = edges.get(key);
      if (!line) {
        line = s("line", { class: "pxv-edge" });
        gEdges.append(line);
        edges.set(key, line);
      }
      const [p, q] = key.split("|").map((k) => pos.get(k));
      line.setAttribute("x1", p[0]); line.setAttribute("y1", p[1]);
      line.setAttribute("x2", q[0]); line.setAttribute("y2", q[1]);
      const [k1, k2] = key.split("|");
      const cut = sides.size > 0 && sides.get(k1) !== sides.get(k2);
      line.classList.toggle("cut", cut);
    }
    for (const [key, line] of edges) {
      if (!want.has(key)) { line.remove(); edges.delete(key); }
    }
    gSplit.textContent = "";
    banner.textContent = v.partition
      ? "▦ partition: " + v.partition.map((g) => g.join(",")).join("  |  ") : "";
    if (v.partition) {
      // a dashed wall between the sides: across each cut edge, at its middle
      for (const [key, line] of edges) {
        if (!line.classList.contains("cut")) continue;
        const [p, q] = key.split("|").map((k) => pos.get(k));
        const mx = (p[0] + q[0]) / 2, my = (p[1] + q[1]) / 2;
        const dx = q[0] - p[0], dy = q[1] - p[1];
        const len = Math.hypot(dx, dy) || 1;
        const nx = -dy / len * 10, ny = dx / len * 10;
        gSplit.append(s("line", { class: "pxv-wall", x1: mx - nx, y1: my - ny,
                                  x2: mx + nx, y2: my + ny }));
      }
    }
  }

  // Where a token sits: on its edge (each direction on its own side), at the first spot
  // along it that overlaps no node, no node's state lines and no token placed before it.
  function tokenSpot(m, pos, taken) {
    const p = pos.get(m.from), q = pos.get(m.to);
    const dx = q[0] - p[0], dy = q[1] - p[1];
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len, uy = dy / len;
    const ts = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.45, 0.55, 0.35, 0.65, 0.15, 0.85];
    let best = null;
    for (const side of [10, 26, -6, 42, -22]) {
      for (const t of ts) {
        const xy = [p[0] + dx * t - uy * side, p[1] + dy * t + ux * side];
        const box = { x: xy[0] - 15, y: xy[1] - 9, w: 30, h: 18 };
        if (!taken.some((o) => box.x < o.x + o.w && o.x < box.x + box.w &&
                               box.y < o.y + o.h && o.y < box.y + box.h)) {
          taken.push(box);
          return xy;
        }
        if (best === null) best = [xy, box];
      }
    }
    taken.push(best[1]);
    return best[0];
  }
  function place(g, xy) {
    g.style.transform = `translate(${xy[0].toFixed(1)}px, ${xy[1].toFixed(1)}px)`;
  }

  function drawTokens(v, pos, animate) {
    // nodes and their state lines are taken before any token
    const taken = [];
    for (const n of v.nodes) {
      const [x, y] = pos.get(n.id);
      const w = Math.max(...n.lines.map((t) => t.length), 6) * 5.6;
      taken.push({ x: x - R - 5, y: y - R - 5, w: 2 * R + 10, h: 2 * R + 10 });
      taken.push({ x: x - w / 2 + (lineShift.get(n.id) || 0), y: y + R + 3, w,
                   h: 12 * Math.min(n.lines.length + (n.up ? 0 : 1), 3) });
    }
    const keep = new Set(v.messages.map((m) => m.id));
    if (!animate) gTokens.classList.add("noanim");
    // copies that left flight: delivered ones travel to their receiver, dropped ones fade
    for (const [id, g] of tokens) {
      if (keep.has(id)) continue;
      tokens.delete(id);
      const last = v.last;
      if (animate && last && last.copy && last.copy.id === id && last.how === "delivered") {
        g.classList.add("arrive");
        place(g, pos.get(last.copy.to));
        setTimeout(() => g.remove(), 450);
      } else if (animate && last && last.copy && last.copy.id === id && last.how === "dropped") {
        g.classList.add("dropped");
        setTimeout(() => g.remove(), 450);
      } else {
        g.remove();
      }
    }
    for (const m of v.messages) {
      {
        let g = tokens.get(m.id);
        const xy = tokenSpot(m, pos, taken);
        if (!g) {
          g = s("g", { class: `pxv-tok ${phaseClass(m.phase)}`, "data-id": String(m.id) });
          g.append(s("rect", { x: -14, y: -8, width: 28, height: 16, rx: 4 }));
          g.append(s("text", { y: 4 }, m.phase + (m.duplicate ? "+" : "")));
          g.addEventListener("click", (ev) => { ev.stopPropagation(); select(m.id); });
          g.addEventListener("dblclick", (ev) => {
            ev.stopPropagation(); select(m.id); send({ do: "deliver", id: m.id });
          });
          gTokens.append(g);
          tokens.set(m.id, g);
          if (animate) {
            const src = pos.get(m.from);
            g.classList.add("noanim1");
            place(g, src);
            g.getBoundingClientRect();  // start from the sender, then glide to the slot
            g.classList.remove("noanim1");
          }
        }
        place(g, xy);
        g.classList.toggle("blocked", !m.deliverable);
        g.setAttribute("data-tip", m.text + (m.why ? `  (cannot be delivered: ${m.why})` : "") +
                       `\nsent at step ${m.sent}${m.duplicate ? " (a network copy)" : ""}` +
                       "\nclick: select · double-click: deliver");
        g.setAttribute("aria-label", m.text);
      }
    }
    if (!animate) {
      gTokens.getBoundingClientRect();
      gTokens.classList.remove("noanim");
    }
  }

  function select(id) {
    selected = id;
    for (const [tid, g] of tokens) g.classList.toggle("sel", tid === id);
    syncControls();
  }

  // -- the space-time diagram ------------------------------------------------------------------------
  // One lane per node, one column per step.  The steps the view model sends (tl.first .. tl.now,
  // its window of the last steps of a long run) are spread over the whole width, with one column
  // right of "now" for the messages still in flight.  Labels are placed last, newest arrow first,
  // each at the first spot beside its arrow whose box overlaps nothing placed before it: no other
  // label, arrowhead, event glyph, chosen mark, tick or the "now" line.  A label is the message's
  // kind and ballot ("prepare 1.p1") when every arrow has room for that; otherwise its phase, as
  // on the graph's tokens, and ballot ("1a 1.p1"), or the phase alone where that does not fit;
  // the full text is in the label's hover text.  It goes first on a spot that also
  // keeps off the lanes and the other arrows, then, for the arrows still unlabelled, on any free
  // spot; an arrow left with no room keeps its colour and its hover text.  A halo in the
  // background colour (paint-order: stroke, see the CSS) keeps a label legible over a line.
  const textWidths = new Map();
  let measure = null;
  function widthOf(t, bold) {
    const key = (bold ? "b|" : "|") + t;
    let w = textWidths.get(key);
    if (w !== undefined) return w;
    if (measure === null && root.isConnected) {
      const family = getComputedStyle(time).fontFamily;
      if (family) measure = document.createElement("canvas").getContext("2d");
      if (measure) measure.fontFamily = family;
    }
    if (measure === null) return t.length * 6.4 + 2;  // not in the page yet: a generous guess
    measure.font = `${bold ? "bold " : ""}10px ${measure.fontFamily}`;
    w = measure.measureText(t).width + 2;
    textWidths.set(key, w);
    return w;
  }
  // does the segment (x1,y1)-(x2,y2) pass through box b?  (Liang-Barsky clipping)
  function crosses(b, x1, y1, x2, y2) {
    let t0 = 0, t1 = 1;
    const dx = x2 - x1, dy = y2 - y1;
    for (const [p, q] of [[-dx, x1 - b.x], [dx, b.x + b.w - x1], [-dy, y1 - b.y],
                          [dy, b.y + b.h - y1]]) {
      if (p === 0) { if (q < 0) return false; continue; }
      const r = q / p;
      if (p < 0) { if (r > t1) return false; if (r > t0) t0 = r; }
      else { if (r < t0) return false; if (r < t1) t1 = r; }
    }
    return true;
  }
  const overlaps = (b, o) => b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h;
  // the box an arrowhead covers (see markerDefs: 7 stroke widths long, tip 1/8 past the end)
  function headBox(x1, y1, x2, y2, sw) {
    const len = Math.hypot(x2 - x1, y2 - y1) || 1;
    const ux = (x2 - x1) / len, uy = (y2 - y1) / len;
    const tip = [x2 + ux * 0.875 * sw, y2 + uy * 0.875 * sw];
    const bx = x2 - ux * 6.125 * sw, by = y2 - uy * 6.125 * sw;
    const half = 3.5 * sw;
    const xs = [tip[0], bx - uy * half, bx + uy * half];
    const ys = [tip[1], by + ux * half, by - ux * half];
    const x = Math.min(...xs) - 1, y = Math.min(...ys) - 1;
    return { x, y, w: Math.max(...xs) + 1 - x, h: Math.max(...ys) + 1 - y };
  }

  function drawTime(v) {
    const tl = v.timeline;
    const ids = v.nodes.map((n) => n.id);
    const gutter = 34, top = 30, bottom = 20, LH = 13, ARROW_W = 1.6;
    const rowH = (TH - top - bottom) / Math.max(ids.length - 1, 1);
    const lane = new Map(ids.map((n, i) => [n, top + i * rowH]));
    const span = Math.max(tl.now - tl.first, 3);
    const colw = (TW - gutter - 16) / (span + 1.6);
    const X = (st) => gutter + 12 + (Math.max(st, tl.first - 0.3) - tl.first) * colw;
    const taken = [];
    const out = [];
    const free = (b) => b.x >= gutter + 1 && b.x + b.w <= TW - 1 && b.y >= 0 &&
      b.y + b.h <= TH - 13 && !taken.some((o) => overlaps(b, o));
    // a label of width w whose left edge is x0 and whose middle is cy, if that spot is free
    // in the first, strict pass a label must also keep off the lanes and the other arrows
    const lines = [];
    let strict = true;
    const clear = (b, own) => !ids.some((n) => lane.get(n) > b.y && lane.get(n) < b.y + b.h) &&
      !lines.some((l) => l !== own && crosses(b, l[0], l[1], l[2], l[3]));
    function put(text, x0, cy, cls, tipText, bold, extra = "", own = null) {
      const w = widthOf(text, bold);
      const b = { x: x0, y: cy - LH / 2, w, h: LH };
      if (!free(b) || (strict && !clear(b, own))) return false;
      taken.push(b);
      out.push(`<text class="pxv-tl ${cls}" x="${(x0 + w / 2).toFixed(1)}" ` +
               `y="${(cy + 3.5).toFixed(1)}" data-tip="${esc(tipText)}"${extra}>${esc(text)}</text>`);
      return true;
    }
    out.push(`<defs>${markerDefs()}</defs>`);
    for (const p of tl.partitions) {
      const x1 = X(p.start), x2 = p.end === null ? X(tl.now) + colw * 0.6 : X(p.end);
      out.push(`<rect class="pxv-tsplit" x="${x1.toFixed(1)}" y="${top - 12}" ` +
               `width="${Math.max(x2 - x1, 2).toFixed(1)}" height="${TH - top - bottom + 20}" ` +
               `data-tip="partition ${esc(p.groups.map((g) => g.join(",")).join(" | "))}"/>`);
    }
    for (const n of v.nodes) {
      const y = lane.get(n.id);
      out.push(`<line class="pxv-lane${n.up ? "" : " down"}" x1="${gutter}" y1="${y}" ` +
               `x2="${TW - 4}" y2="${y}"/>`);
      out.push(`<text class="pxv-lname" x="${gutter - 4}" y="${y + 4}">${esc(n.id)}</text>`);
    }
    // the step axis along the bottom, a tick every 1, 2, 5, ... steps; the current step in bold
    const every = [1, 2, 5, 10, 20, 50].find((k) => k * colw >= 24) || 100;
    for (let st = Math.ceil(tl.first / every) * every; st <= tl.now; st += every) {
      if (Math.abs(X(st) - X(tl.now)) < 34) continue;
      out.push(`<text class="pxv-tick" x="${X(st).toFixed(1)}" y="${TH - 4}">${st}</text>`);
    }
    const xNow = X(tl.now);
    out.push(`<line class="pxv-now" x1="${xNow.toFixed(1)}" y1="${top - 14}" ` +
             `x2="${xNow.toFixed(1)}" y2="${TH - bottom + 2}"/>`);
    out.push(`<text class="pxv-tick now" x="${xNow.toFixed(1)}" y="${TH - 4}">` +
             `step ${tl.now}</text>`);
    taken.push({ x: xNow - 2.5, y: 0, w: 5, h: TH });
    const toLabel = [];
    for (const a of tl.arrows) {
      const x1 = X(a.sent), y1 = lane.get(a.from);
      let x2, y2;
      if (a.status === "delivered") { x2 = X(a.ended); y2 = lane.get(a.to); }
      else if (a.status === "dropped") { x2 = X(a.ended); y2 = (y1 + lane.get(a.to)) / 2; }
      else { x2 = X(tl.now + 1.1); y2 = y1 + (lane.get(a.to) - y1) * 0.8; }
      const pc = PHASES.includes(a.phase) ? a.phase : "other";
      const cls = `pxv-arrow k-${pc} ${a.status}`;
      const tipText = `${a.text}\nsent at step ${a.sent}` +
        (a.status === "delivered" ? `, delivered at step ${a.ended}` :
          a.status === "dropped" ? `, dropped at step ${a.ended}` : ", still in flight") +
        (a.duplicate ? " (a network copy)" : "");
      const head = a.status === "dropped" ? "" : ` marker-end="url(#pxv-m-${pc})"`;
      out.push(`<g data-tip="${esc(tipText)}" data-arrow="${a.id}"><line class="pxv-hit" ` +
               `x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" ` +
               `y2="${y2.toFixed(1)}"/><line class="${cls}" x1="${x1.toFixed(1)}" ` +
               `y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}"${head}/></g>`);
      if (a.status === "dropped") {
        out.push(`<text class="pxv-mark" x="${x2.toFixed(1)}" y="${(y2 + 4).toFixed(1)}">✗</text>`);
        taken.push({ x: x2 - 5, y: y2 - 7, w: 10, h: 13 });
      } else {
        taken.push(headBox(x1, y1, x2, y2, ARROW_W));
      }
      const seg = [x1, y1, x2, y2];
      lines.push(seg);
      toLabel.push({ a, x1, y1, x2, y2, tipText, seg });
    }
    const glyph = { crash: "✖", recover: "▲", propose: "●", timeout: "◷", learn: "✓" };
    for (const e of tl.events) {
      const x = X(e.step), y = lane.get(e.node);
      out.push(`<text class="pxv-ev ev-${e.kind}" x="${x.toFixed(1)}" y="${(y + 4).toFixed(1)}" ` +
               `data-tip="step ${e.step}: ${esc(e.node)} ${esc(e.text)}">` +
               `${glyph[e.kind] || "•"}</text>`);
      taken.push({ x: x - 7, y: y - 8, w: 14, h: 15 });
    }
    // chosen marks along the top; two values chosen at the same step stand side by side
    const atStep = new Map();
    const chosenMarks = [];
    for (const c of v.chosen) {
      if (c.step === null || c.step < tl.first) continue;
      const k = atStep.get(c.step) || 0;
      atStep.set(c.step, k + 1);
      const x = X(c.step) + k * 14, y = top - 16;
      const tipText = `step ${c.step}: '${c.value}' chosen at ${c.ballot} by ` +
        `${c.acceptors.join(", ")}${c.violation ? " — a SECOND value: agreement is broken" : ""}`;
      // a second value chosen is marked by shape and text too, not by colour alone
      out.push(`<text class="pxv-chosen${c.violation ? " bad" : ""}" x="${x.toFixed(1)}" ` +
               `y="${(y + 5).toFixed(1)}" data-tip="${esc(tipText)}">${c.violation ? "◆✗" : "◆"}</text>`);
      const mw = c.violation ? 22 : 12;
      taken.push({ x: x - mw / 2, y: y - 8, w: mw, h: 15 });
      chosenMarks.push({ c, x, y, mw, tipText });
    }
    for (const { c, x, y, mw, tipText } of chosenMarks) {
      const cls = "chosen-label" + (c.violation ? " bad" : "");
      const texts = [c.violation ? `2nd value '${c.value}'` : `chosen '${c.value}'`, `'${c.value}'`];
      texts.some((t) => {
        const w = widthOf(t, true);
        return [[x + mw / 2 + 2, y], [x - mw / 2 - 2 - w, y], [x + mw / 2 + 2, y + 12],
                [x - mw / 2 - 2 - w, y + 12]].some(([x0, cy]) => put(t, x0, cy, cls, tipText, true));
      });
    }
    // arrow labels last, newest first: beside the arrow (left or right of a steep one, above or
    // below a flat one), from its middle outwards, long form first
    const ts = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88];
    // where every arrow finds a clean spot for its kind in words ("prepare 1.p1"), all say so;
    // otherwise all use the short forms
    toLabel.reverse();
    const [nTaken, nOut] = [taken.length, out.length];
    if (!toLabel.every((p) => labelArrow(p, true))) {
      taken.length = nTaken;
      out.length = nOut;
      const unlabelled = toLabel.filter((p) => !labelArrow(p, false));
      strict = false;
      for (const p of unlabelled) labelArrow(p, false);
    }
    time.innerHTML = out.join("");

    function labelArrow({ a, x1, y1, x2, y2, tipText, seg }, long) {
      const words = a.label.split(" ");
      const ballot = words.length > 1 ? words[1].replace(/[,;:]+$/, "") : "";
      const texts = long ? [`${words[0]} ${ballot}`.trim()]
        : [...new Set([`${a.phase} ${ballot}`.trim(), a.phase])];
      const dx = x2 - x1, dy = y2 - y1;
      const slope = Math.abs(dx) / Math.max(Math.abs(dy), 1);
      const gap = 3 + Math.min(slope * LH / 2, 10);
      const cls = `k-${PHASES.includes(a.phase) ? a.phase : "other"}`;
      const extra = ` data-arrow="${a.id}"`;
      return texts.some((t) => {
        const w = widthOf(t, false);
        return ts.some((f) => {
          const px = x1 + dx * f, py = y1 + dy * f;
          const side = [[px + gap, py], [px - gap - w, py]];
          const flat = [[px - w / 2, py - LH / 2 - 3], [px - w / 2, py + LH / 2 + 3]];
          const spots = slope > 1.2 ? flat.concat(side) : side.concat(flat);
          return spots.some(([x0, cy]) => put(t, x0, cy, cls, tipText, false, extra, seg));
        });
      });
    }
  }

  // -- status, note, table, logs --------------------------------------------------------------------
  function drawStatus(v) {
    const head = `<b>step ${v.step}</b> · ${esc(v.variant)} · ${esc(v.network)} network` +
      (v.storage ? ` · ${esc(v.storage)} acceptor storage` : "");
    const badges = v.verdicts.map((x) => x.holds
      ? `<span class="prop ok" data-tip="${esc(x.text)}">✓ ${esc(x.name)}</span>`
      : `<span class="prop violated">✗ ${esc(x.name)} VIOLATED: ${esc(x.text)}</span>`).join(" ");
    // a long log chooses a value per slot: show the last few, the whole list on hover, so the
    // status stays one or two lines and the pictures stay on the screen
    const said = (c) => `'${c.value}' at ${c.ballot}` +
      (c.acceptors.length ? ` by ${c.acceptors.join(", ")}` : "");
    const SHOWN = 3;
    const chosen = v.chosen.length === 0 ? "nothing yet"
      : v.chosen.length <= SHOWN ? esc(v.chosen.map(said).join("; "))
      : `<span data-tip="${esc(v.chosen.map(said).join("; "))}">${v.chosen.length} values ` +
        `(hover for all); the last ${SHOWN}: ${esc(v.chosen.slice(-SHOWN).map(said).join("; "))}` +
        `</span>`;
    // nodes that learned the same thing share one entry: "r1, r2: ✓ 'x'; r3: —"
    const byValue = new Map();
    for (const [n, x] of Object.entries(v.learned)) {
      const said = x === null ? "—" : "✓ '" + esc(x) + "'";
      if (!byValue.has(said)) byValue.set(said, []);
      byValue.get(said).push(esc(n));
    }
    const learned = [...byValue].map(([said, ns]) => `${ns.join(", ")}: ${said}`)
      .join("; ") || "—";
    status.innerHTML = `<div>${head} ${badges}</div>` + (protocolOf(v) === "raft"
      ? `<div><span class="learned">✓ <b>applied</b> (each server's last applied entry): ` +
        `${learned}</span></div>`
      : `<div><span class="chosen">◆ <b>chosen</b> (a quorum accepted it): ${chosen}</span>` +
        ` <span class="sep">|</span> <span class="learned">✓ <b>learned</b> ` +
        `(what learners know): ${learned}</span></div>`);
    status.dataset.step = String(v.step);
  }

  function drawTable(v) {
    const box = table.querySelector(".pxv-tables");
    if (!table.open) { box.textContent = ""; return; }
    const roles = new Map();
    for (const n of v.nodes) {
      if (!roles.has(n.role)) roles.set(n.role, []);
      roles.get(n.role).push(n);
    }
    const parts = [];
    for (const [role, ns] of roles) {
      const head = ns[0].fields.map((f) =>
        `<th class="${f.durable ? "durable" : "volatile"}" data-field="${esc(f.name)}" ` +
        `title="${f.durable ? "durable: survives a crash" : "volatile: lost in a crash"}">` +
        `${esc(f.name)}${f.durable ? " ▣" : ""}</th>`).join("");
      const rows = ns.map((n) => `<tr data-node="${esc(n.id)}" class="${n.up ? "" : "down"}">` +
        `<td><b>${esc(n.id)}</b></td><td>${n.up ? "up" : "crashed"}</td>` +
        n.fields.map((f) => `<td data-field="${esc(f.name)}" class="${f.changed ? "chg" : ""}">` +
          `${esc(f.value)}${f.changed ? " •" : ""}</td>`).join("") + "</tr>").join("");
      parts.push(`<table><tr><th>${esc(role)}</th><th>status</th>${head}</tr>${rows}</table>`);
    }
    parts.push('<div class="pxv-tnote">▣ durable (on disk, survives a crash) · • changed ' +
               "by the last step</div>");
    box.innerHTML = parts.join("");
  }
  table.addEventListener("toggle", () => drawTable(view));

  // A long log shows a window of its newest slots, the same slots on every row: from the first
  // slot some node has not applied, but at most LOG_WINDOW and at least LOG_TAIL of them; the
  // slots before the window fold into one chip per row that counts them by status (its hover
  // text says more), so each row stays one line however long the run.
  const LOG_WINDOW = 4, LOG_TAIL = 3;
  const MARK = { applied: "✓", committed: "●", accepted: "?", gap: "·" };
  function logWindow(withLog) {
    const end = Math.max(0, ...withLog.flatMap((n) => n.log.map((c) => c.slot + 1)));
    const open = withLog.flatMap((n) => n.log.filter((c) => c.status !== "applied")
      .map((c) => c.slot));
    const firstOpen = open.length ? Math.min(...open) : end;
    return Math.max(0, Math.min(firstOpen, end - LOG_TAIL), end - LOG_WINDOW);
  }
  function foldChip(folded) {
    const counts = new Map();
    for (const c of folded) counts.set(c.status, (counts.get(c.status) || 0) + 1);
    const lo = folded[0].slot, hi = folded[folded.length - 1].slot;
    const range = lo === hi ? `${lo}` : `${lo}–${hi}`;
    const text = [...counts].map(([st, k]) => `${k} ${MARK[st] || st}`).join(" ");
    const said = [...counts].map(([st, k]) => `${k} ${st}`).join(", ");
    return `<span class="pxv-fold" data-tip="slots ${range} folded: ${esc(said)}; ` +
      `the newest slots stand on the right">${range}: ${esc(text)}</span>`;
  }
  function drawLogs(v) {
    const withLog = v.nodes.filter((n) => n.log !== null);
    if (withLog.length === 0) { logs.textContent = ""; logs.style.display = "none"; return; }
    logs.style.display = "";
    const start = logWindow(withLog);
    logs.dataset.first = String(start);
    const slot = (c) =>
      `<span class="slot ${c.status}${c.noop ? " noop" : ""}" data-slot="${c.slot}" ` +
      `data-tip="slot ${c.slot}: ${esc(c.status)}${c.command ? " " + esc(c.command) : ""}` +
      `${c.ballot ? " at " + esc(c.ballot) : ""}">${c.slot} ${MARK[c.status]} ` +
      `${c.noop ? "no-op" : esc((c.command || "").split(" (")[0])}</span>`;
    logs.innerHTML = withLog.map((n) => {
      const folded = n.log.filter((c) => c.slot < start);
      return `<div class="pxv-logrow" data-node="${esc(n.id)}"><b>${esc(n.id)}` +
        `${n.up ? "" : " ✖"}</b>${folded.length ? foldChip(folded) : ""}` +
        n.log.filter((c) => c.slot >= start).map(slot).join("") +
        (n.log.length ? "" : '<span class="pxv-empty">empty log</span>') + "</div>";
    }).join("");
  }

  function syncControls() {
    const c = view.controls;
    const setB = (b, why, ok) => {
      b.disabled = why !== null && why !== undefined;
      b.title = b.disabled ? why : ok;
    };
    setB(bUndo, c.undo, "go back one step (← key)");
    setB(bFwd, c.forward, c.next ? `next on the tape: ${c.next} (→ key)` : "");
    setB(bReplay, c.step === 0 ? "already at step 0" : null,
         "back to step 0, keeping the run on the tape");
    setB(bRandom, c.random, "deliver a random deliverable message");
    slider.max = String(c.tape);
    slider.value = String(c.step);
    stepText.textContent = `step ${c.step} of ${c.tape}`;
    const sel = selected !== null ? c.messages[String(selected)] : null;
    if (!sel) selected = null;
    const m = selected === null ? null : view.messages.find((x) => x.id === selected);
    selText.textContent = m ? m.text : "click a message";
    selText.title = m ? m.text : "click a token on the graph to select it";
    const none = "select a message first: click a token on the graph";
    setB(bDeliver, sel ? sel.deliver : none, m ? `deliver ${m.text}` : "");
    setB(bDrop, sel ? sel.drop : none, m ? `drop ${m.text}` : "");
    setB(bDup, sel ? sel.duplicate : none, m ? `duplicate ${m.text}` : "");
    const names = c.proposers.map((p) => p.id);
    if (proposer.options.length !== names.length ||
        [...proposer.options].some((o, i) => o.value !== names[i])) {
      proposer.textContent = "";
      for (const n of names) proposer.append(h("option", { value: n }, n));
    }
    if (document.activeElement !== value && value.value !== c.value) value.value = c.value;
    value.size = Math.max(9, Math.min(20, value.value.length + 1));  // a command fits whole
    const p = c.proposers.find((x) => x.id === proposer.value) || c.proposers[0];
    setB(bPropose, p ? p.propose : "no proposer", p ? `${p.id} proposes '${value.value}'` : "");
    setB(bTimeout, p ? p.timeout : "no proposer", p ? `fire ${p.id}'s retry timer` : "");
    const nodeIds = Object.keys(c.nodes);
    if (nodeBox.querySelectorAll("button").length !== nodeIds.length) {
      nodeBox.querySelectorAll("button").forEach((b) => b.remove());
      for (const n of nodeIds) {
        nodeBox.append(button(n, `pxv-node pxv-node-${n}`, () => send({ do: "node", node: n })));
      }
    }
    for (const n of nodeIds) {
      const b = nodeBox.querySelector(`.pxv-node-${n}`);
      const st = c.nodes[n];
      b.textContent = st.action === "recover" ? `▲ ${n}` : `✖ ${n}`;
      b.classList.toggle("recover", st.action === "recover");
      setB(b, st.why, `${st.action} ${n}`);
    }
    if (parts.options.length !== c.partitions.length) {
      parts.textContent = "";
      for (const p of c.partitions) parts.append(h("option", { value: String(p.index) }, p.text));
    }
    const pi = c.partitions[Number(parts.value) || 0];
    setB(bSplit, c.partitioned ? "the network is already split; heal it first" : (pi ? pi.why : "no split"),
         "split the network");
    parts.disabled = c.partitioned;
    setB(bHeal, c.heal, "heal the partition");
    gStore.style.display = c.storage.why !== null ? "none" : "";
    bDurable.classList.toggle("on", c.storage.value === "durable");
    bVolatile.classList.toggle("on", c.storage.value === "volatile");
    bDurable.setAttribute("aria-pressed", String(c.storage.value === "durable"));
    bVolatile.setAttribute("aria-pressed", String(c.storage.value === "volatile"));
    bDurable.title = "an acceptor keeps its promise and vote on disk through a crash";
    bVolatile.title = "an acceptor forgets everything when it crashes (amnesiac-acceptor)";
    const names2 = view.runs.names;
    gRuns.style.display = names2.length ? "" : "none";
    if (runs.options.length !== names2.length) {
      runs.textContent = "";
      for (const n of names2) runs.append(h("option", { value: n }, n));
    }
    if (view.runs.current) runs.value = view.runs.current;
    for (const [tid, g] of tokens) g.classList.toggle("sel", tid === selected);
  }

  // -- one render ----------------------------------------------------------------------------------
  function draw() {
    const t0 = performance.now();
    const v = view;
    const { pos, sides } = drawNodes(v);
    drawEdges(v, pos, sides);
    drawTokens(v, pos, v.animate);
    if (selected === null || !v.messages.some((m) => m.id === selected)) {
      const d = v.messages.find((m) => m.deliverable);
      selected = d ? d.id : (v.messages.length ? v.messages[0].id : null);
    }
    drawTime(v);
    drawStatus(v);
    drawLegend(v);
    drawLogs(v);
    drawTable(v);
    note.textContent = v.note.text;
    note.classList.toggle("error", v.note.error);
    syncControls();
    if (speed.dataset.init !== "1") {
      speed.dataset.init = "1";
      speed.value = String(SPEEDS.includes(v.interval) ? v.interval : 700);
    }
    graph.dataset.step = String(v.step);
    time.dataset.step = String(v.step);
    root.dataset.step = String(v.step);
    root.dataset.rev = String(v.rev);
    if (v.note.reply !== null && pending.has(v.note.reply)) {
      pending.delete(v.note.reply);
      if (!v.note.ok) stopPlay();
      else if (playing && owed > 0) { owed -= 1; send({ do: "auto" }); }
    }
    delete root.dataset.busy;
    root.dataset.drawMs = (performance.now() - t0).toFixed(1);
  }

  const onChange = () => { view = model.get("view"); draw(); };
  model.on("change:view", onChange);
  draw();
  return () => {
    stopPlay();
    window.removeEventListener("keydown", onKey, true);
    model.off("change:view", onChange);
  };
}

export default { render };
