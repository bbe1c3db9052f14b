"""The HTML player's script and style sheet (see :mod:`deconv_anim.player`).

The script is one function run on the player's own root: it finds the root from
``document.currentScript`` (or, where a host runs scripts some other way, every root not yet
started), keeps every name local and reads its data from the root's
``<script type="application/json">``. One drawing, whose moving parts it changes: the
window, the highlighted cell, the connector lines, the max-pool marker, the output cells'
fills and numbers and the caption. Per step it reads small arrays of indices. The steps run on
one clock (``view: both``: a panel of m of the clock's n steps shows its step i from clock
step floor(i·n/m) on, as the GIF), then the held clean final frame (position n: the
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
[data-deconv-anim] [data-controls]{display:flex;flex-wrap:wrap;gap:4px;align-items:center;\
margin-top:4px}
[data-deconv-anim] [data-controls] button{min-width:2.2em}
[data-deconv-anim] [data-controls] input[type=range]{flex:1;min-width:6em}
[data-deconv-anim] [data-readout]{margin-top:2px;white-space:pre-wrap;font-family:monospace}
"""

SCRIPT = r"""(function (me) {
"use strict";
function start(root) {
  if (root.hasAttribute("data-ready")) return;
  root.setAttribute("data-ready", "");
  var D = JSON.parse(root.querySelector("script[data-figure]").textContent);
  var fallback = root.querySelector("[data-fallback]");
  if (fallback) fallback.parentNode.removeChild(fallback);
  var box = root.querySelector("[data-player]");
  box.hidden = false;
  var q = function (sel) { return box.querySelector(sel); };
  var n = D.steps, step = 0, playing = false, timer = 0, speed = 1, loop = true;
  var scrub = q("[data-action=scrub]"), readout = q("[data-readout]");
  var toggle = q("[data-action=toggle]");
  var groups = box.querySelectorAll("[data-panel]");
  function num(v) { return String(Math.round(v * 100) / 100); }
  var panels = D.panels.map(function (p, i) {
    var g = groups[i];
    var part = function (name) { return g.querySelector("[data-part=" + name + "]"); };
    var found = {};
    g.querySelectorAll("[data-cell^=output], [data-num]").forEach(function (el) {
      var k = el.getAttribute("data-num"), at = k === null ? 0 : 1;
      if (k === null) k = el.getAttribute("data-cell").slice(7);
      (found[k] = found[k] || [null, null])[at] = el;
    });
    var cells = p.cells.map(function (rc) { return found[rc] || [null, null]; });
    return {p: p, cur: -1, fill: [], txt: [], shown: [], win: part("window"),
            tgt: part("target"), links: part("links"), marker: part("marker"),
            caption: part("caption"), cells: cells};
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
    p.pairs.forEach(function (ij) {
      var u = a[ij[0]], v = b[ij[1]];
      d += "M" + num(u[0]) + " " + num(u[1]) + "L" + num(v[0]) + " " + num(v[1]);
    });
    P.links.setAttribute("d", d);
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
    var eq = D.panels[0].equations;
    if (eq && step < n) out += "   " + eq[atClock(panels[0], step)];
    if (key) out += "\n" + describe(key);
    readout.textContent = out;
  }
  function go(k) {
    step = Math.max(0, Math.min(n, k));
    panels.forEach(function (P) {
      goPanel(P, step === n ? P.p.n - 1 : atClock(P, step), step === n);
    });
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
  var L = D.links, byCell = {}, reach = {};
  box.querySelectorAll("[data-cell], [data-tap]").forEach(function (el) {
    var k = el.getAttribute("data-cell") || "tap:" + el.getAttribute("data-tap");
    (byCell[k] = byCell[k] || []).push(el);
  });
  L.taps.forEach(function (ins, o) {
    ins.forEach(function (i) { (reach[i] = reach[i] || []).push(o); });
  });
  function parse(key) {
    var m = /^(input|output):(-?\d+),(-?\d+)$/.exec(key);
    return m && [m[1], +m[2], +m[3]];
  }
  function tapKey(k) { return "tap:" + Math.floor(k / L.k) + "," + (k % L.k); }
  function linked(key) {
    var c = parse(key), out = [], taps = {};
    if (!c) return out;
    if (c[0] === "output") {
      if (c[1] < 0 || c[2] < 0 || c[2] >= L.out[1] || c[1] >= L.out[0]) return out;
      var o = c[1] * L.out[1] + c[2];
      (L.taps[o] || []).forEach(function (i, j) {
        out.push("input:" + Math.floor(i / L.in[1]) + "," + (i % L.in[1]));
        taps[tapKey(L.kern[o][j])] = 1;
      });
    } else {
      if (c[2] < 0 || c[2] >= L.in[1]) return out;
      var i = c[1] * L.in[1] + c[2];
      (reach[i] || []).forEach(function (o) {
        out.push("output:" + Math.floor(o / L.out[1]) + "," + (o % L.out[1]));
        taps[tapKey(L.kern[o][L.taps[o].indexOf(i)])] = 1;
      });
    }
    return out.concat(Object.keys(taps));
  }
  function describe(key) {
    var c = parse(key), flat;
    if (c[0] === "output") {
      flat = c[1] * L.out[1] + c[2];
      return (L.sums && L.sums[flat]) || ("out[" + c[1] + ", " + c[2] + "]: " +
        (L.taps[flat] || []).length + " input cells");
    }
    flat = c[1] * L.in[1] + c[2];
    return "x[" + c[1] + ", " + c[2] + "]" + (L.inputs ? " = " + L.inputs[flat] : "") +
      " reaches " + (reach[flat] || []).length + " output cells";
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
      (byCell[show] || []).forEach(function (el) {
        el.setAttribute("data-hover", "");
        marked.push(el);
      });
      linked(show).forEach(function (k) {
        (byCell[k] || []).forEach(function (el) {
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
  setPlaying(D.autoplay);
}
var parent = me && me.parentNode;
var root = parent && parent.closest ? parent.closest("[data-deconv-anim]") : null;
if (root) start(root);
else Array.prototype.forEach.call(document.querySelectorAll("[data-deconv-anim]"), start);
})(document.currentScript);
"""
