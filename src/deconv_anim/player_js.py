"""The HTML player's script and style sheet (see :mod:`deconv_anim.player`).

The script is one function run on the player's own root: it finds the root from
``document.currentScript`` (or, where a host runs scripts some other way, every root not yet
started), keeps every name local and reads its data from the root's
``<script type="application/json">``. One drawing, whose moving parts it changes: the
window, the highlighted cell, the connector lines, the max-pool marker, the output cells'
fills and numbers, the numbers over the window and the caption (in channel mode: the step's
shapes). Per step it reads small arrays of indices. Each cell's own element (hover target,
output state) it makes itself from runs of cells: at once for a small figure, after the first
paint (a chunk of cells a task) for a large one, so a 4,096-step figure paints as soon as an
empty page does; the links' JSON is read after the first paint too. It marks its timings in
the page's performance timeline (``deconv-anim init``, ``deconv-anim cells``).
The steps run on one clock (``view: both``: a panel of m of the clock's n steps shows its step i
from clock step floor(i·n/m) on, as the GIF), then the held clean final frame (position n: the
finished output, without window, highlight, marker, lines or caption), then it loops.
"""

from __future__ import annotations

__all__ = ["SCRIPT", "STYLE"]

STYLE = """\
[data-deconv-anim]{display:inline-block;font:13px/1.4 sans-serif;outline:none}
[data-deconv-anim] svg{display:block;max-width:100%;height:auto}
[data-deconv-anim] svg *{pointer-events:none}
[data-deconv-anim] svg [data-cell]{pointer-events:auto;cursor:pointer;outline:none}
[data-deconv-anim] [data-linked]{fill:var(--da-linked)}
[data-deconv-anim] [data-tap][data-linked]{fill-opacity:.7}
[data-deconv-anim] [data-hover]{fill:var(--da-hover)}
[data-deconv-anim] [data-cells=slabs] [data-cell]{fill-opacity:.6}
[data-deconv-anim] [data-controls]{display:flex;flex-wrap:wrap;gap:4px;align-items:center;\
margin-top:4px}
[data-deconv-anim] [data-controls] button{min-width:2.2em}
[data-deconv-anim] [data-controls] input[type=range]{flex:1;min-width:6em}
[data-deconv-anim] [data-readout]{margin-top:2px;white-space:pre-wrap;font-family:monospace}
"""

SCRIPT = r"""(function (me) {
"use strict";
function now() { return window.performance ? performance.now() : 0; }
function measure(name, t0) {  // in the browser's performance timeline, where it has one
  try { performance.measure(name, {start: t0, end: now()}); } catch (e) { /* old browser */ }
}
function start(root) {
  if (root.hasAttribute("data-ready")) return;
  var t0 = now();
  root.setAttribute("data-ready", "");
  var D = JSON.parse(root.querySelector("script[data-figure]").textContent);
  var fallback = root.querySelector("[data-fallback]");
  if (fallback) fallback.parentNode.removeChild(fallback);
  var box = root.querySelector("[data-player]");
  box.hidden = false;
  var q = function (sel) { return box.querySelector(sel); };
  var CHUNK = 1024;  // cells made in one task
  var n = D.steps, step = 0, playing = false, timer = 0, speed = 1, loop = true;
  var scrub = q("[data-action=scrub]"), readout = q("[data-readout]");
  var toggle = q("[data-action=toggle]");
  var groups = box.querySelectorAll("[data-panel]");
  function num(v) { return String(Math.round(v * 100) / 100); }
  var panels = D.panels.map(function (p, i) {
    var g = groups[i];
    var part = function (name) { return g.querySelector("[data-part=" + name + "]"); };
    var at = {}, fill = [], txt = [];
    p.cells.forEach(function (rc, k) {
      at[rc] = k; fill[k] = p.start[2 * k]; txt[k] = p.start[2 * k + 1];
    });
    return {p: p, g: g, cur: -1, fill: fill, txt: txt, shown: [], win: part("window"),
            tgt: part("target"), links: part("links"), marker: part("marker"),
            caption: part("caption"), over: part("over"), at: at,
            wts: g.querySelectorAll("[data-w]"),
            cells: p.cells.map(function () { return [null, null]; })};
  });
  function corner(p, grid, r, c) {
    var o = p.origins[grid], k = p.rows[grid] - r;
    return [o[0] + c * p.ex[0] + k * p.ey[0], o[1] + c * p.ex[1] + k * p.ey[1]];
  }
  function poly(p, grid, r, c, h, w) {
    var a = corner(p, grid, r, c), ex = p.ex, ey = p.ey;
    return [a, [a[0] + w * ex[0], a[1] + w * ex[1]],
            [a[0] + w * ex[0] - h * ey[0], a[1] + w * ex[1] - h * ey[1]],
            [a[0] - h * ey[0], a[1] - h * ey[1]]];
  }
  function shift(p, r, c) {
    return "translate(" + num(c * p.ex[0] - r * p.ey[0]) + " " +
      num(c * p.ex[1] - r * p.ey[1]) + ")";
  }
  function setCell(P, idx, fill, text) {
    var pair = P.cells[idx], f = P.p.fills[fill];
    if (pair[0]) pair[0].setAttribute("fill", f[0]);
    if (pair[1]) {
      pair[1].textContent = text < 0 ? "" : P.p.texts[text];
      pair[1].setAttribute("fill", f[1]);
    }
  }
  // each cell's own element (data-cell, data-num): made after the first paint when there
  // are many (a 64x64 figure has 8,192), at once before anything needs them
  function esc(t) { return String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;"); }
  function d4(q) {
    return "M" + num(q[0][0]) + " " + num(q[0][1]) + "L" + num(q[1][0]) + " " + num(q[1][1]) +
      "L" + num(q[2][0]) + " " + num(q[2][1]) + "L" + num(q[3][0]) + " " + num(q[3][1]) + "Z";
  }
  function cellJob(P, grid, hole, list) {  // list: [op_r, op_c, r, c, fill] of each cell
    return function () {
      var p = P.p, out = [];
      list.forEach(function (x) {
        var f = x[4], idx = P.at[x[2] + "," + x[3]];
        if (f < 0) f = idx === undefined ? -1 : P.fill[idx];
        out.push('<path d="' + d4(poly(p, grid, x[2], x[3], 1, 1)) + '" fill="' +
          (f < 0 ? "none" : p.fills[f][0]) + '" data-cell="' + grid + ":" + x[0] + "," + x[1] +
          '" tabindex="0"/>');
      });
      hole.insertAdjacentHTML("beforeend", out.join(""));
      if (grid !== "output") return;
      for (var el = hole.lastElementChild, k = list.length - 1; k >= 0; k--) {
        var idx = P.at[list[k][2] + "," + list[k][3]];
        if (idx !== undefined) {
          P.cells[idx][0] = el;
          P.shown[idx] = P.cells[idx][1] ? -1 : P.fill[idx] * 65536 + P.txt[idx];
        }
        el = el.previousElementSibling;
      }
    };
  }
  function numJob(P, hole, from, to) {
    return function () {
      var p = P.p, out = [], k;
      for (k = from; k < to; k++) {
        var m = p.cells[k].split(","), q = poly(p, "output", +m[0], +m[1], 1, 1);
        out.push('<text x="' + num((q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4) + '" y="' +
          num((q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4) + '" data-num="' + p.cells[k] +
          '"></text>');
      }
      hole.insertAdjacentHTML("beforeend", out.join(""));
      for (var el = hole.lastElementChild, j = to - 1; j >= from; j--) {
        P.cells[j][1] = el;
        el = el.previousElementSibling;
      }
      for (k = from; k < to; k++) {  // these cells' state now
        P.shown[k] = P.fill[k] * 65536 + P.txt[k];
        setCell(P, k, P.fill[k], P.txt[k]);
      }
    };
  }
  function plan() {
    var jobs = [];
    panels.forEach(function (P) {
      ["output", "input"].forEach(function (grid) {
        var hole = P.g.querySelector("[data-cells=" + grid + "]"), list = [];
        if (!hole) return;
        P.p.grid_cells[grid].forEach(function (run) {
          for (var k = 0; k < run[2]; k++)
            list.push([run[0], run[1] + k, run[3], run[4] + k * run[5], run[6]]);
        });
        for (var a = 0; a < list.length; a += CHUNK)
          jobs.push(cellJob(P, grid, hole, list.slice(a, a + CHUNK)));
      });
      var hole = P.g.querySelector("[data-nums]"), cells = P.p.cells.length;
      for (var a = 0; hole && a < cells; a += CHUNK)
        jobs.push(numJob(P, hole, a, Math.min(a + CHUNK, cells)));
    });
    return jobs;
  }
  var jobs = null, built = false, t1 = 0;
  function build(some) {  // some: one chunk now, the next in a later task
    if (built) return;
    if (!jobs) { jobs = plan(); t1 = now(); }
    do { if (jobs.length) jobs.shift()(); } while (!some && jobs.length);
    if (jobs.length) { setTimeout(function () { build(true); }, 0); return; }
    built = true;
    byCell = null;
    cellsOf(null);  // the index of the cells and the links' reach, before any hover
    reaches(0);
    root.setAttribute("data-built", "");
    measure("deconv-anim cells", t1);
  }
  function atClock(P, s) { return Math.floor(((s + 1) * P.p.n - 1) / n); }
  function goPanel(P, s, fin) {
    var p = P.p, w = p.window, t = p.target;
    if (P.cur === s && P.fin === fin) return;
    [P.win, P.tgt, P.links, P.marker].forEach(function (el) {
      if (el) el.setAttribute("visibility", fin ? "hidden" : "visible");
    });
    P.fin = fin;
    P.win.setAttribute("transform", shift(p, w[2 * s], w[2 * s + 1]));
    P.tgt.setAttribute("transform", shift(p, t[2 * s], t[2 * s + 1]));
    var a = poly(p, p.window_grid, w[2 * s], w[2 * s + 1], p.extent[0], p.extent[1]);
    var b = poly(p, p.target_grid, t[2 * s], t[2 * s + 1], 1, 1), d = "";
    if (p.link_d) d = p.link_d[s];  // flat: the lines as drawn (inset, broken at numbers)
    else p.pairs.forEach(function (ij) {
      var u = a[ij[0]], v = b[ij[1]];
      d += "M" + num(u[0]) + " " + num(u[1]) + "L" + num(v[0]) + " " + num(v[1]);
    });
    P.links.setAttribute("d", d);
    for (var e = 0, kw = P.wts.length; p.weights && e < kw; e++) {
      P.wts[e].textContent = p.texts[p.weights[s * kw + e]];
    }
    if (P.marker && p.marker) {
      var m = p.marker;
      for (var j = s; j >= 0 && m[2 * j] === null; j--);
      if (j < 0) for (j = s; j < p.n && m[2 * j] === null; j++);
      P.marker.setAttribute("transform", shift(p, m[2 * j], m[2 * j + 1]));
    }
    if (P.caption) {
      var lines = fin ? [] : (p.captions[p.caption[s]] || "").split("\n");
      var spans = P.caption.children;
      for (var k = 0; k < spans.length; k++) spans[k].textContent = lines[k] || "";
    }
    if (P.over && p.over) {  // the numbers over the window and the highlight, this step's
      var o = fin ? [] : p.over[s], h = [];  // (the final frame: no window, no highlight)
      for (var y = 0; y < o.length; y += 6) {
        var q = poly(p, o[y] ? "output" : "input", o[y + 1], o[y + 2], 1, 1), wt = o[y + 5];
        var cx = (q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4;
        var cy = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4;
        if (wt) { cx += p.weight_at * (q[2][0] - cx); cy += p.weight_at * (q[2][1] - cy); }
        h.push('<text x="' + num(cx) + '" y="' + num(cy) + '" font-size="' + p.sizes[wt] +
          '" fill="' + p.colors[o[y + 4]] + (wt ? '" class="weight">' : '">') +
          esc(p.texts[o[y + 3]]) + "</text>");
      }
      P.over.innerHTML = h.join("");
    }
    // the cells' states as numbers first, then one DOM write per cell that changed
    var fill = P.fill, txt = P.txt, dirty = {};
    if (s < P.cur) {
      P.cur = -1;
      for (var c = 0; c < p.start.length; c += 2) {
        fill[c / 2] = p.start[c]; txt[c / 2] = p.start[c + 1]; dirty[c / 2] = 1;
      }
    }
    for (var x = P.cur + 1; x <= s; x++) {
      var ch = p.changes[x];
      for (var y = 0; y < ch.length; y += 3) {
        fill[ch[y]] = ch[y + 1]; txt[ch[y]] = ch[y + 2]; dirty[ch[y]] = 1;
      }
    }
    for (var z in dirty) {
      if (P.shown[z] !== fill[z] * 65536 + txt[z]) {
        P.shown[z] = fill[z] * 65536 + txt[z];
        setCell(P, +z, fill[z], txt[z]);
      }
    }
    P.cur = s;
  }
  var hoverKey = null, pinned = null;
  function text() {
    var key = pinned || hoverKey, out = step === n ? "finished: " + n + " steps" :
      "step " + (step + 1) + " / " + n;
    var eq = D.panels.length ? D.panels[0].equations : null;
    if (eq && step < n) out += "   " + eq[atClock(panels[0], step)];
    if (key) out += "\n" + describe(key);
    readout.textContent = out;
  }
  var C = D.channels, layer = C && box.querySelector("[data-part=step]"), shownStep = -1;
  var decoded = [];
  function stepShapes(s) {  // a step's list: the previous one's runs (-(i + 1), n) and more
    for (var k = decoded.length; k <= s; k++) {
      var enc = C.steps[k], prev = k ? decoded[k - 1] : [], cur = [];
      for (var j = 0; j < enc.length; j++) {
        var at = -enc[j] - 1;
        if (enc[j] < 0) { cur = cur.concat(prev.slice(at, at + enc[j + 1])); j++; }
        else cur.push(enc[j]);
      }
      decoded.push(cur);
    }
    return decoded[s];
  }
  function go(k) {
    step = Math.max(0, Math.min(n, k));
    if (step !== 0) build();  // the rest of the cells now, if any
    panels.forEach(function (P) {
      goPanel(P, step === n ? P.p.n - 1 : atClock(P, step), step === n);
    });
    if (C && shownStep !== step) {  // channel mode: this step's shapes (n: the final frame)
      layer.innerHTML = stepShapes(step).map(function (i) { return C.shapes[i]; }).join("");
      shownStep = step;
    }
    root.setAttribute("data-step", String(step));
    scrub.value = String(step);
    text();
  }
  function tick() {
    if (!root.isConnected) { playing = false; return; }
    var wait = (step === n ? D.hold || D.duration : D.duration) / speed;
    timer = setTimeout(function () {
      if (step === n && !loop) { setPlaying(false); return; }
      go(step === n ? 0 : step + 1);
      if (playing) tick();
    }, wait);
  }
  function setPlaying(on) {
    clearTimeout(timer);
    playing = on;
    toggle.textContent = on ? "pause" : "play";
    toggle.setAttribute("aria-label", on ? "pause" : "play");
    root.setAttribute("data-playing", on ? "true" : "false");
    if (on) {
      if (step === n && !loop) go(0);
      tick();
    }
  }
  var actions = {
    toggle: function () { setPlaying(!playing); },
    prev: function () { setPlaying(false); go(step - 1); },
    next: function () { setPlaying(false); go(step + 1); },
    first: function () { setPlaying(false); go(0); },
    last: function () { setPlaying(false); go(n); }
  };
  box.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-action]");
    if (b && actions[b.getAttribute("data-action")]) actions[b.getAttribute("data-action")]();
  });
  scrub.addEventListener("input", function () { setPlaying(false); go(+scrub.value); });
  q("[data-action=speed]").addEventListener("change", function (ev) {
    speed = +ev.target.value;
    if (playing) setPlaying(true);
  });
  q("[data-action=loop]").addEventListener("change", function (ev) { loop = ev.target.checked; });
  var keys = {ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last", " ": "toggle"};
  root.addEventListener("keydown", function (ev) {
    var a = keys[ev.key];
    if (a === undefined || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.target.tagName === "SELECT") return;
    ev.preventDefault();
    actions[a]();
  });
  // links: the gather trace, for every panel
  var L = null, byCell = null, reach = null;
  function readLinks() {  // their own JSON, read once something needs it
    if (!L) L = JSON.parse(root.querySelector("script[data-links]").textContent);
  }
  function cellsOf(key) {
    build();
    if (!byCell) {
      byCell = {};
      box.querySelectorAll("[data-cell], [data-tap]").forEach(function (el) {
        var k = el.getAttribute("data-cell") || "tap:" + el.getAttribute("data-tap");
        (byCell[k] = byCell[k] || []).push(el);
      });
    }
    return byCell[key] || [];
  }
  function reaches(i) {
    readLinks();
    if (!reach) {
      reach = {};
      L.taps.forEach(function (ins, o) {
        ins.forEach(function (j) { (reach[j] = reach[j] || []).push(o); });
      });
    }
    return reach[i] || [];
  }
  function parse(key) {  // [grid, r, c], or in channel mode [grid, r, c, channel]
    var m = /^(input|output):(-?\d+),(-?\d+)(?:,(-?\d+))?$/.exec(key);
    if (!m || (m[4] === undefined) !== !C) return null;
    return C ? [m[1], +m[3], +m[4], +m[2]] : [m[1], +m[2], +m[3]];
  }
  function channelsOf(c) {  // the channels a cell of channel c[3] links to: its group's
    var per = c[0] === "output" ? L.out_per : L.in_per;
    var other = c[0] === "output" ? L.in_per : L.out_per, g = Math.floor(c[3] / per), out = [];
    for (var k = g * other; k < (g + 1) * other; k++) out.push(k);
    return out;
  }
  function tapKey(k) { return "tap:" + Math.floor(k / L.k) + "," + (k % L.k); }
  function linked(key) {
    var c = parse(key), out = [], taps = {};
    if (!c) return out;
    readLinks();
    var chans = C ? channelsOf(c) : [null];
    function add(grid, rc) {
      chans.forEach(function (ch) { out.push(grid + ":" + (ch === null ? "" : ch + ",") + rc); });
    }
    if (c[0] === "output") {
      if (c[1] < 0 || c[2] < 0 || c[2] >= L.out[1] || c[1] >= L.out[0]) return out;
      var o = c[1] * L.out[1] + c[2];
      (L.taps[o] || []).forEach(function (i, j) {
        add("input", Math.floor(i / L.in[1]) + "," + (i % L.in[1]));
        taps[tapKey(L.kern[o][j])] = 1;
      });
    } else {
      if (c[2] < 0 || c[2] >= L.in[1]) return out;
      var i = c[1] * L.in[1] + c[2];
      reaches(i).forEach(function (o) {
        add("output", Math.floor(o / L.out[1]) + "," + (o % L.out[1]));
        taps[tapKey(L.kern[o][L.taps[o].indexOf(i)])] = 1;
      });
    }
    return out.concat(Object.keys(taps));
  }
  function describe(key) {
    var c = parse(key), flat;
    readLinks();
    var at = (C ? c[3] + ", " : "") + c[1] + ", " + c[2], chans = C ? channelsOf(c) : [0];
    var which = C ? " on channels " + chans[0] + "-" + chans[chans.length - 1] : "";
    if (c[0] === "output") {
      flat = c[1] * L.out[1] + c[2];
      return (L.sums && L.sums[flat]) || ("out[" + at + "]: " +
        (L.taps[flat] || []).length * chans.length + " input cells" + which);
    }
    flat = c[1] * L.in[1] + c[2];
    return "x[" + at + "]" + (L.inputs ? " = " + L.inputs[flat] : "") +
      " reaches " + reaches(flat).length * chans.length + " output cells" + which;
  }
  var marked = [];
  function mark(key) {
    marked.forEach(function (el) {
      el.removeAttribute("data-linked");
      el.removeAttribute("data-hover");
    });
    marked = [];
    hoverKey = key;
    var show = pinned || key;
    if (show) {
      cellsOf(show).forEach(function (el) {
        el.setAttribute("data-hover", "");
        marked.push(el);
      });
      linked(show).forEach(function (k) {
        cellsOf(k).forEach(function (el) {
          el.setAttribute("data-linked", "");
          marked.push(el);
        });
      });
    }
    text();
  }
  function cellOf(ev) {
    var el = ev.target.closest && ev.target.closest("[data-cell]");
    return el && box.contains(el) ? el.getAttribute("data-cell") : null;
  }
  var svg = box.querySelector("svg");
  svg.addEventListener("mouseover", function (ev) { mark(cellOf(ev)); });
  svg.addEventListener("mouseleave", function () { mark(null); });
  svg.addEventListener("focusin", function (ev) { mark(cellOf(ev)); });
  svg.addEventListener("focusout", function () { mark(null); });
  svg.addEventListener("click", function (ev) {
    var k = cellOf(ev);
    pinned = k && k !== pinned ? k : null;
    if (pinned) root.setAttribute("data-pinned", pinned); else root.removeAttribute("data-pinned");
    mark(k);
  });
  scrub.max = String(n);
  go(0);
  var count = 0;
  D.panels.forEach(function (p) {
    p.grid_cells.input.concat(p.grid_cells.output).forEach(function (r) { count += r[2]; });
  });
  if (count <= CHUNK) build();  // else the cells after the first paint, a chunk a task
  else requestAnimationFrame(function () { setTimeout(function () { build(true); }, 0); });
  setPlaying(D.autoplay);
  measure("deconv-anim init", t0);
}
var parent = me && me.parentNode;
var root = parent && parent.closest ? parent.closest("[data-deconv-anim]") : null;
if (root) start(root);
else Array.prototype.forEach.call(document.querySelectorAll("[data-deconv-anim]"), start);
})(document.currentScript);
"""
