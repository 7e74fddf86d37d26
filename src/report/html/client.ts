/**
 * The HTML report's script and style, inlined into the page (no network at view time). Plain
 * browser JavaScript in a string: it runs in the viewer's browser, not in Node. It reads the
 * page's data from `<script id="alloctrace-data" type="application/json">`.
 */

export const CLIENT_CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px; color: #1d2330; }
body { margin: 0; padding: 0 20px 40px; background: #fafbfc; }
h1 { font-size: 20px; margin: 16px 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 1px solid #dde1e6; padding-bottom: 4px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; color: #444; }
.meta dt { font-weight: 600; } .meta dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.notes { font-size: 13px; color: #555; margin: 6px 0; padding-left: 18px; }
.toolbar { display: flex; gap: 8px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
.toolbar input { padding: 4px 6px; border: 1px solid #b8c0cc; border-radius: 4px; min-width: 220px; }
.toolbar button { padding: 4px 10px; border: 1px solid #b8c0cc; border-radius: 4px; background: #fff; cursor: pointer; }
.status { color: #555; font-size: 13px; }
.flame { position: relative; overflow: hidden; background: #fff; border: 1px solid #dde1e6; border-radius: 4px; }
.frame { position: absolute; height: 17px; line-height: 17px; font-size: 11px; overflow: hidden; white-space: nowrap;
  text-overflow: ellipsis; padding: 0 3px; box-sizing: border-box; border-right: 1px solid #fff; border-bottom: 1px solid #fff;
  cursor: pointer; font-family: ui-monospace, Menlo, Consolas, monospace; }
.frame:hover { filter: brightness(0.92); }
.frame.match { outline: 2px solid #7b2cbf; outline-offset: -2px; background: #e0c3fc !important; }
.frame.dim { opacity: 0.35; }
.frame.ancestor { opacity: 0.75; }
table.rows { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
table.rows th, table.rows td { border-bottom: 1px solid #e6e9ee; padding: 3px 8px; text-align: left; vertical-align: top; }
table.rows th { cursor: pointer; user-select: none; background: #f1f3f6; position: sticky; top: 0; }
table.rows th.sorted-asc::after { content: " \\25B2"; } table.rows th.sorted-desc::after { content: " \\25BC"; }
table.rows td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.rows td.loc { font-family: ui-monospace, Menlo, Consolas, monospace; }
table.rows td.src { font-family: ui-monospace, Menlo, Consolas, monospace; color: #335; white-space: pre; max-width: 520px; overflow: hidden; text-overflow: ellipsis; }
.graph { overflow: auto; background: #fff; border: 1px solid #dde1e6; border-radius: 4px; max-height: 720px; }
.graph text { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; }
.legend span { display: inline-block; padding: 1px 6px; margin-right: 6px; border-radius: 3px; font-size: 12px; }
.spark { vertical-align: middle; }
.verdict { font-weight: 600; }
.tip { position: fixed; pointer-events: none; background: #1d2330; color: #fff; padding: 4px 8px; border-radius: 4px; font-size: 12px;
  font-family: ui-monospace, Menlo, Consolas, monospace; max-width: 640px; display: none; z-index: 10; white-space: pre-wrap; }
`;

export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); document.body.setAttribute('data-errors', errors.join('\n')); });
  var data = JSON.parse(document.getElementById('alloctrace-data').textContent);

  function fmtBytes(b, sign) {
    var s = sign && b > 0 ? '+' : (b < 0 ? '-' : '');
    var a = Math.abs(b);
    var t = a >= 1073741824 ? (a / 1073741824).toFixed(1) + ' GiB' : a >= 1048576 ? (a / 1048576).toFixed(1) + ' MiB' : a >= 1024 ? (a / 1024).toFixed(1) + ' KiB' : Math.round(a) + ' B';
    return s + t;
  }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  var tip = el('div', 'tip'); document.body.appendChild(tip);
  function showTip(ev, text) { tip.textContent = text; tip.style.display = 'block'; tip.style.left = Math.min(ev.clientX + 12, window.innerWidth - 660) + 'px'; tip.style.top = (ev.clientY + 14) + 'px'; }
  function hideTip() { tip.style.display = 'none'; }

  var PALETTE = { user: [24, 85, 62], dependency: [48, 80, 60], node: [205, 35, 72], collected: [205, 20, 78], builtin: [0, 0, 80], pseudo: [0, 0, 85], other: [0, 0, 88] };
  function hash(s) { var h = 0; for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return Math.abs(h); }
  function colorOf(node) {
    var p = PALETTE[node.o] || PALETTE.other;
    var j = hash(node.n) % 10;
    return 'hsl(' + (p[0] + j) + ',' + p[1] + '%,' + (p[2] - j / 2) + '%)';
  }
  function diffColor(node, scale) {
    var d = node.v - node.b;
    var k = Math.min(1, Math.abs(d) / scale);
    if (Math.abs(d) < scale * 0.002) return 'hsl(0,0%,88%)';
    return d > 0 ? 'hsl(0,' + (40 + 50 * k) + '%,' + (88 - 30 * k) + '%)' : 'hsl(215,' + (40 + 50 * k) + '%,' + (88 - 30 * k) + '%)';
  }

  // ---- flame graph (icicle: callers above callees), widths by bytes ----
  function Flame(container, root, diff) {
    var self = this;
    var toolbar = el('div', 'toolbar');
    var search = el('input'); search.type = 'search'; search.placeholder = 'search frames (function or file)'; search.className = 'flame-search';
    var reset = el('button', 'flame-reset', 'reset zoom');
    var status = el('span', 'status flame-status');
    toolbar.appendChild(search); toolbar.appendChild(reset); toolbar.appendChild(status);
    var box = el('div', 'flame');
    container.appendChild(toolbar); container.appendChild(box);
    var ROW = 18;
    function weight(n) { return diff ? Math.max(n.v, n.b) : n.v; }
    // parents, for zoom
    (function link(n, p, d) { n.p = p; n.d = d; for (var i = 0; i < n.c.length; i++) link(n.c[i], n, d + 1); })(root, null, 0);
    var scale = 0; (function walk(n) { scale = Math.max(scale, Math.abs(n.v - (n.b || 0))); n.c.forEach(walk); })(root);
    self.zoom = root; self.term = '';
    function label(n) {
      var t = n.n + (n.f ? '  ' + n.f : '');
      return t;
    }
    function describe(n) {
      var total = weight(root) || 1;
      var t = n.n + (n.f ? '\n' + n.f : '') + '\n';
      if (diff) t += fmtBytes(n.b) + ' \u2192 ' + fmtBytes(n.v) + ' (' + fmtBytes(n.v - n.b, true) + ')';
      else t += fmtBytes(n.v) + ' (' + (100 * n.v / total).toFixed(1) + '% of all)';
      return t;
    }
    function matches(n) { return self.term !== '' && (n.n + ' ' + n.f).toLowerCase().indexOf(self.term) >= 0; }
    self.render = function () {
      box.textContent = '';
      var W = box.clientWidth || 1000;
      var z = self.zoom;
      var depth = 0;
      var matched = 0;
      // ancestors of the zoomed frame, full width
      var chain = []; for (var a = z.p; a; a = a.p) chain.unshift(a);
      function place(n, x, w, d, cls) {
        var e = el('div', 'frame' + (cls ? ' ' + cls : ''), label(n));
        e.style.left = x + 'px'; e.style.width = Math.max(1, w) + 'px'; e.style.top = (d * ROW) + 'px';
        e.style.background = diff ? diffColor(n, scale || 1) : colorOf(n);
        e.setAttribute('data-name', n.n); e.setAttribute('data-file', n.f); e.setAttribute('data-bytes', String(Math.round(n.v)));
        e.setAttribute('data-self', String(Math.round(n.v - n.c.reduce(function (s, c) { return s + c.v; }, 0))));
        if (diff) e.setAttribute('data-before', String(Math.round(n.b)));
        if (matches(n)) e.classList.add('match');
        e.addEventListener('click', function () { self.zoom = n; self.render(); });
        e.addEventListener('mousemove', function (ev) { showTip(ev, describe(n)); });
        e.addEventListener('mouseleave', hideTip);
        box.appendChild(e);
        depth = Math.max(depth, d);
      }
      chain.forEach(function (a, i) { place(a, 0, W, i, 'ancestor'); });
      function sumMatched(n) { if (matches(n)) { matched += n.v; return; } n.c.forEach(sumMatched); }
      sumMatched(root);
      (function draw(n, x, w, d) {
        place(n, x, w, d, '');
        var total = weight(n) || 1;
        var cx = x;
        for (var i = 0; i < n.c.length; i++) {
          var c = n.c[i];
          var cw = w * weight(c) / total;
          if (cw >= 0.5) draw(c, cx, cw, d + 1);
          cx += cw;
        }
      })(z, 0, W, chain.length);
      box.style.height = ((depth + 1) * ROW + 2) + 'px';
      var parts = [];
      if (z !== root) parts.push('zoomed to ' + z.n + ' (' + fmtBytes(z.v) + ')');
      if (self.term !== '') parts.push('matched ' + fmtBytes(matched) + ' (' + (100 * matched / (root.v || 1)).toFixed(1) + '% of all)');
      status.textContent = parts.join('; ');
      container.setAttribute('data-zoom', z.n);
    };
    search.addEventListener('input', function () { self.term = search.value.trim().toLowerCase(); self.render(); });
    reset.addEventListener('click', function () { self.zoom = root; self.render(); });
    window.addEventListener('resize', function () { self.render(); });
    self.render();
  }

  // ---- the table: sortable, filterable by file glob and by text ----
  function globRe(glob) {
    var re = '';
    for (var i = 0; i < glob.length; i++) {
      var ch = glob[i];
      if (ch === '*') { if (glob[i + 1] === '*') { re += '.*'; i++; } else re += '[^/]*'; }
      else if (ch === '?') re += '[^/]';
      else re += ch.replace(/[.+^\x24{}()|[\]\\]/g, '\\$&');
    }
    return new RegExp('(^|/)' + re + '$');
  }
  function Table(container, table) {
    var toolbar = el('div', 'toolbar');
    var glob = el('input'); glob.placeholder = 'file glob, e.g. src/**/*.ts'; glob.className = 'table-glob';
    var text = el('input'); text.placeholder = 'filter rows by text'; text.className = 'table-text'; text.type = 'search';
    var status = el('span', 'status table-status');
    toolbar.appendChild(glob); toolbar.appendChild(text); toolbar.appendChild(status);
    var t = el('table', 'rows'); var thead = el('thead'); var tbody = el('tbody'); t.appendChild(thead); t.appendChild(tbody);
    container.appendChild(toolbar); container.appendChild(t);
    var tr = el('tr');
    var sortCol = -1, sortDir = 1;
    table.columns.forEach(function (c, i) {
      var th = el('th', '', c.title);
      th.addEventListener('click', function () { sortDir = sortCol === i ? -sortDir : (c.numeric ? -1 : 1); sortCol = i; render(); });
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    function render() {
      var rows = table.rows.slice();
      var g = glob.value.trim(), q = text.value.trim().toLowerCase();
      var re = null; try { re = g === '' ? null : globRe(g); } catch (e) { re = null; }
      rows = rows.filter(function (r) {
        if (re && !(r.file && re.test(r.file))) return false;
        if (q !== '' && r.cells.map(function (c) { return c.t; }).join(' ').toLowerCase().indexOf(q) < 0) return false;
        return true;
      });
      if (sortCol >= 0) rows.sort(function (a, b) { var x = a.cells[sortCol].v, y = b.cells[sortCol].v; return (x < y ? -1 : x > y ? 1 : 0) * sortDir; });
      Array.prototype.forEach.call(thead.querySelectorAll('th'), function (th, i) { th.className = i === sortCol ? (sortDir > 0 ? 'sorted-asc' : 'sorted-desc') : ''; });
      tbody.textContent = '';
      rows.forEach(function (r) {
        var row = el('tr');
        r.cells.forEach(function (c, i) { var td = el('td', table.columns[i].cls || '', c.t); if (c.title) td.title = c.title; row.appendChild(td); });
        tbody.appendChild(row);
      });
      status.textContent = rows.length + ' of ' + table.rows.length + ' rows';
    }
    glob.addEventListener('input', render); text.addEventListener('input', render);
    render();
  }

  function spark(values) {
    var w = 160, h = 32, max = Math.max.apply(null, values.concat([1]));
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg'); svg.setAttribute('width', w); svg.setAttribute('height', h); svg.setAttribute('class', 'spark');
    var pts = values.map(function (v, i) { return (values.length < 2 ? 0 : i * (w - 4) / (values.length - 1)) + 2 + ',' + (h - 2 - (h - 4) * v / max); }).join(' ');
    var line = document.createElementNS(ns, 'polyline'); line.setAttribute('points', pts); line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#c0392b'); line.setAttribute('stroke-width', '2');
    svg.appendChild(line);
    return svg;
  }

  function section(id, title) {
    var s = document.getElementById(id); if (!s) return null;
    s.insertBefore(el('h2', '', title), s.firstChild);
    return s;
  }

  var s;
  if (data.flame && (s = section('flame', data.diff ? 'Diff flame graph (red: grew, blue: shrank; widths: the larger of the two)' : 'Flame graph (allocation stacks, widths by bytes; click to zoom)'))) new Flame(s, data.flame, data.diff);
  if (data.series && (s = section('series', 'Suspected leaks over the series'))) {
    s.appendChild(el('p', 'verdict', data.series.verdict));
    var t = el('table', 'rows'); var tb = el('tbody'); t.appendChild(tb);
    data.series.suspects.forEach(function (x) {
      var r = el('tr'); r.appendChild(el('td', 'loc', x.label)); var td = el('td'); td.appendChild(spark(x.sizes)); r.appendChild(td);
      r.appendChild(el('td', 'num', fmtBytes(x.sizes[0]) + ' \u2192 ' + fmtBytes(x.sizes[x.sizes.length - 1]))); r.appendChild(el('td', '', x.verdict)); tb.appendChild(r);
    });
    var r = el('tr'); r.appendChild(el('td', 'loc', 'total')); var td = el('td'); td.appendChild(spark(data.series.totals)); r.appendChild(td); tb.appendChild(r);
    s.appendChild(t);
  }
  if (data.table && (s = section('table', data.table.title))) new Table(s, data.table);
  if ((s = section('graph', 'Call graph (functions sized by bytes: width total, height self; edges by bytes; red: the hot path)'))) {
    var svg = s.querySelector('svg');
    if (svg) Array.prototype.forEach.call(svg.querySelectorAll('[data-tip]'), function (g) {
      g.addEventListener('mousemove', function (ev) { showTip(ev, g.getAttribute('data-tip')); });
      g.addEventListener('mouseleave', hideTip);
    });
  }
  document.body.setAttribute('data-ready', '1');
})();
`;
