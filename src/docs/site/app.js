// xform docs: renders the project data embedded in this page (no network, works from
// file://): a project tree, search, node pages with column lineage, and a lineage graph
// filtered with dbt's selector grammar.
(function () {
  'use strict';

  const D = JSON.parse(document.getElementById('xform-data').textContent);
  const N = D.nodes;
  N.forEach(function (n, i) { n.i = i; n.children = []; });
  N.forEach(function (n) { n.parents.forEach(function (p) { N[p].children.push(n.i); }); });
  const byId = new Map(N.map(function (n) { return [n.id, n]; }));
  const GRAPH_TYPES = new Set(['model', 'seed', 'snapshot', 'source', 'exposure']);
  const main = document.getElementById('main');

  // ---- small DOM helpers (text is always set as text, never parsed as HTML) ----
  function el(tag, attrs) {
    const e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        const v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') e.textContent = v;
        else if (k === 'class') e.className = v;
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v);
      });
    }
    for (let a = 2; a < arguments.length; a++) append(e, arguments[a]);
    return e;
  }
  function append(e, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(function (x) { append(e, x); });
    else e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  function nodeHref(n, col) {
    return '#/node/' + encodeURIComponent(n.id) + (col ? '/' + encodeURIComponent(col) : '');
  }
  function nodeLink(n, col) {
    return el('a', { href: nodeHref(n, col), text: col ? n.name + '.' + col : n.name });
  }
  function kind(n) { return el('span', { class: 'kind ' + n.type, text: n.type.replace('_', ' ') }); }
  function findCol(n, name) {
    const l = name.toLowerCase();
    return n.columns.find(function (c) { return c.name.toLowerCase() === l; });
  }

  // ---- selector grammar (dbt): unions by space, intersections by comma, graph operators ----
  function globRe(p) {
    let r = '';
    for (const ch of p) {
      if (ch === '*') r += '.*';
      else if (ch === '?') r += '.';
      else r += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp('^' + r + '$', 'i');
  }
  function glob(p, s) { return s !== undefined && s !== null && globRe(p).test(String(s)); }
  function prefixMatch(fqn, parts) {
    return parts.length <= fqn.length && parts.every(function (p, k) { return glob(p, fqn[k]); });
  }
  function fqnMatch(n, value) {
    const parts = value.split('.');
    if (parts.length === 1 && glob(parts[0], n.name)) return true;
    return prefixMatch(n.fqn, parts) || prefixMatch(n.fqn.slice(1), parts);
  }
  function pathMatch(n, value) {
    const v = value.replace(/\/+$/, '');
    return glob(v, n.path) || n.path.indexOf(v + '/') === 0;
  }
  const METHODS = {
    fqn: fqnMatch,
    path: pathMatch,
    file: function (n, v) { return glob(v, n.path.split('/').pop()) || glob(v, n.path.split('/').pop().replace(/\.[^.]*$/, '')); },
    tag: function (n, v) { return (n.tags || []).some(function (t) { return glob(v, t); }); },
    resource_type: function (n, v) { return n.type === v; },
    package: function (n, v) { return glob(v, n.package); },
    source: function (n, v) {
      if (n.type !== 'source') return false;
      const parts = v.split('.');
      const full = [n.package, n.source_name, n.name];
      return prefixMatch(full.slice(1), parts) || prefixMatch(full, parts);
    },
    'config.materialized': function (n, v) { return n.materialized === v; },
    test_type: function (n, v) {
      if (v === 'unit') return n.type === 'unit_test';
      if (n.type !== 'test') return false;
      return v === 'data' || (v === 'generic') === !!(n.test && n.test.name);
    },
    test_name: function (n, v) { return !!n.test && glob(v, n.test.name); },
  };
  function atomNodes(atom) {
    const m = /^(@)?(\d*\+)?(.*?)(\+\d*)?$/.exec(atom);
    const at = !!m[1];
    const up = m[2] ? (m[2] === '+' ? Infinity : parseInt(m[2], 10)) : 0;
    const down = m[4] ? (m[4] === '+' ? Infinity : parseInt(m[4].slice(1), 10)) : 0;
    const body = m[3];
    if (!body) throw new Error('empty selector in "' + atom + '"');
    let method = 'fqn';
    let value = body;
    const colon = body.indexOf(':');
    if (colon > 0) {
      method = body.slice(0, colon);
      value = body.slice(colon + 1);
    } else if (/[\/\\]|\.(sql|csv|py)$/.test(body)) {
      method = 'path';
    }
    const f = METHODS[method];
    if (!f) throw new Error('the selector method "' + method + '" is not supported here (use ' + Object.keys(METHODS).join(', ') + ')');
    const base = new Set();
    N.forEach(function (n) { if (f(n, value)) base.add(n.i); });
    const out = new Set(base);
    if (at) {
      const desc = walk(base, 'children', Infinity);
      desc.forEach(function (i) { out.add(i); });
      walk(new Set([...base, ...desc]), 'parents', Infinity).forEach(function (i) { out.add(i); });
    } else {
      if (up) walk(base, 'parents', up).forEach(function (i) { out.add(i); });
      if (down) walk(base, 'children', down).forEach(function (i) { out.add(i); });
    }
    return out;
  }
  function walk(from, dir, depth) {
    const seen = new Set();
    let frontier = [...from];
    for (let d = 0; d < depth && frontier.length; d++) {
      const next = [];
      frontier.forEach(function (i) {
        N[i][dir].forEach(function (j) { if (!seen.has(j)) { seen.add(j); next.push(j); } });
      });
      frontier = next;
    }
    return seen;
  }
  function evalSelector(expr) {
    const out = new Set();
    expr.trim().split(/\s+/).filter(Boolean).forEach(function (term) {
      let acc = null;
      term.split(',').forEach(function (atom) {
        const s = atomNodes(atom);
        acc = acc === null ? s : new Set([...acc].filter(function (i) { return s.has(i); }));
      });
      acc.forEach(function (i) { out.add(i); });
    });
    return out;
  }
  function selectNodes(select, exclude) {
    const chosen = select.trim() ? evalSelector(select) : new Set(N.map(function (n) { return n.i; }));
    if (exclude.trim()) evalSelector(exclude).forEach(function (i) { chosen.delete(i); });
    return new Set([...chosen].filter(function (i) { return GRAPH_TYPES.has(N[i].type); }));
  }

  // ---- layered DAG layout drawn as SVG ----
  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function layout(set) {
    const ids = [...set];
    const layer = new Map();
    const indeg = new Map(ids.map(function (i) { return [i, N[i].parents.filter(function (p) { return set.has(p); }).length]; }));
    const queue = ids.filter(function (i) { return indeg.get(i) === 0; });
    queue.forEach(function (i) { layer.set(i, 0); });
    for (let q = 0; q < queue.length; q++) {
      const i = queue[q];
      N[i].children.forEach(function (c) {
        if (!set.has(c)) return;
        layer.set(c, Math.max(layer.get(c) || 0, layer.get(i) + 1));
        indeg.set(c, indeg.get(c) - 1);
        if (indeg.get(c) === 0) queue.push(c);
      });
    }
    const layers = [];
    ids.forEach(function (i) {
      const l = layer.has(i) ? layer.get(i) : 0;
      (layers[l] = layers[l] || []).push(i);
    });
    for (let l = 0; l < layers.length; l++) layers[l] = layers[l] || [];
    layers.forEach(function (ls) { ls.sort(function (a, b) { return N[a].name < N[b].name ? -1 : 1; }); });
    const pos = new Map();
    const place = function () { layers.forEach(function (ls) { ls.forEach(function (i, k) { pos.set(i, k); }); }); };
    place();
    const bary = function (l, dir) {
      const key = new Map(layers[l].map(function (i) {
        const nb = N[i][dir].filter(function (j) { return set.has(j); });
        return [i, nb.length ? nb.reduce(function (s, j) { return s + pos.get(j); }, 0) / nb.length : pos.get(i)];
      }));
      layers[l].sort(function (a, b) { return key.get(a) - key.get(b); });
      layers[l].forEach(function (i, k) { pos.set(i, k); });
    };
    for (let it = 0; it < 4; it++) {
      for (let l = 1; l < layers.length; l++) bary(l, 'parents');
      for (let l = layers.length - 2; l >= 0; l--) bary(l, 'children');
    }
    return layers;
  }
  const W = 190, H = 26, COL = 250, ROW = 36, PAD = 12;
  function drawGraph(set, opts) {
    opts = opts || {};
    const layers = layout(set);
    const xy = new Map();
    const tallest = layers.reduce(function (m, ls) { return Math.max(m, ls.length); }, 0);
    layers.forEach(function (ls, l) {
      const offset = (tallest - ls.length) * ROW / 2;
      ls.forEach(function (i, k) { xy.set(i, [PAD + l * COL, PAD + offset + k * ROW]); });
    });
    const width = PAD * 2 + Math.max(1, layers.length) * COL - (COL - W);
    const height = PAD * 2 + Math.max(1, tallest) * ROW;
    const root = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'lineage graph' });
    const lit = opts.lit || new Set();
    set.forEach(function (i) {
      N[i].parents.forEach(function (p) {
        if (!set.has(p)) return;
        const a = xy.get(p), b = xy.get(i);
        const x1 = a[0] + W, y1 = a[1] + H / 2, x2 = b[0], y2 = b[1] + H / 2, dx = (x2 - x1) / 2;
        root.appendChild(svg('path', {
          class: 'edge' + (lit.has(p) && lit.has(i) ? ' lit' : ''),
          d: 'M' + x1 + ' ' + y1 + ' C' + (x1 + dx) + ' ' + y1 + ' ' + (x2 - dx) + ' ' + y2 + ' ' + x2 + ' ' + y2,
        }));
      });
    });
    set.forEach(function (i) {
      const n = N[i];
      const p = xy.get(i);
      let cls = 'gnode ' + n.type;
      if (opts.focus === i) cls += ' focus';
      if (lit.has(i)) cls += ' lit';
      else if (opts.dim && opts.focus !== i) cls += ' dim';
      const g = svg('g', { class: cls, transform: 'translate(' + p[0] + ',' + p[1] + ')', 'data-id': n.id });
      const title = svg('title', {});
      title.textContent = n.type + ' ' + n.id;
      g.appendChild(title);
      g.appendChild(svg('rect', { width: W, height: H, rx: 4 }));
      const t = svg('text', { x: 8, y: 17 });
      t.textContent = n.name.length > 27 ? n.name.slice(0, 26) + '…' : n.name;
      g.appendChild(t);
      g.addEventListener('click', function () { (opts.onclick || go)(n); });
      root.appendChild(g);
    });
    return el('div', { class: 'graph-box' }, root);
  }
  function go(n) { location.hash = nodeHref(n); }

  // ---- column lineage ----
  let downIndex = null;
  function colKey(i, c) { return i + '\u0000' + c.toLowerCase(); }
  function downstreamIndex() {
    if (downIndex) return downIndex;
    downIndex = new Map();
    N.forEach(function (n) {
      n.columns.forEach(function (c) {
        (c.up || []).forEach(function (u) {
          const k = colKey(u[0], u[1]);
          if (!downIndex.has(k)) downIndex.set(k, []);
          downIndex.get(k).push([n.i, c.name]);
        });
      });
    });
    return downIndex;
  }
  function upstreamTree(i, col, seen) {
    const c = findCol(N[i], col);
    const ups = (c && c.up) || [];
    if (!ups.length) return null;
    const ul = el('ul');
    ups.forEach(function (u) {
      const k = colKey(u[0], u[1]);
      const li = el('li', null, nodeLink(N[u[0]], u[1]), ' ', el('span', { class: 'muted', text: N[u[0]].type }));
      if (!seen.has(k)) {
        seen.add(k);
        append(li, upstreamTree(u[0], u[1], seen));
      }
      ul.appendChild(li);
    });
    return ul;
  }
  function columnClosure(i, col) {
    const nodes = new Set([i]);
    const up = [];
    const stack = [[i, col]];
    const seen = new Set([colKey(i, col)]);
    while (stack.length) {
      const cur = stack.pop();
      const c = findCol(N[cur[0]], cur[1]);
      ((c && c.up) || []).forEach(function (u) {
        const k = colKey(u[0], u[1]);
        if (seen.has(k)) return;
        seen.add(k); nodes.add(u[0]); up.push(u); stack.push(u);
      });
    }
    const down = [];
    const idx = downstreamIndex();
    const queue = [[i, col]];
    const seenDown = new Set([colKey(i, col)]);
    for (let q = 0; q < queue.length; q++) {
      (idx.get(colKey(queue[q][0], queue[q][1])) || []).forEach(function (d) {
        const k = colKey(d[0], d[1]);
        if (seenDown.has(k)) return;
        seenDown.add(k); nodes.add(d[0]); down.push(d); queue.push(d);
      });
    }
    return { nodes: nodes, up: up, down: down };
  }

  // ---- pages ----
  function overview() {
    const counts = {};
    N.forEach(function (n) { counts[n.type] = (counts[n.type] || 0) + 1; });
    const models = N.filter(function (n) { return n.type === 'model'; });
    return [
      el('h1', { text: D.project }),
      el('p', { class: 'muted', text: 'Target ' + D.target + ' (' + D.adapter + '), generated ' + D.generated_at + ' by ' + D.generator + '.' }),
      el('dl', { class: 'facts' }, Object.keys(counts).sort().map(function (k) {
        return [el('dt', { text: k }), el('dd', { text: String(counts[k]) })];
      })),
      el('h2', { text: 'Models' }),
      el('table', { id: 'model-list' },
        el('thead', null, el('tr', null, el('th', { text: 'Model' }), el('th', { text: 'Materialized' }), el('th', { text: 'Description' }))),
        el('tbody', null, models.map(function (n) {
          return el('tr', null, el('td', null, nodeLink(n)), el('td', { text: n.materialized || '' }), el('td', { text: n.description }));
        }))),
    ];
  }

  function nodePage(n, colName) {
    const out = [el('h1', null, kind(n), n.name)];
    if (n.description) out.push(el('p', { class: 'description', text: n.description }));
    const facts = [['unique id', n.id], ['package', n.package], ['file', n.path]];
    if (n.relation) facts.push(['relation', n.relation]);
    if (n.materialized) facts.push(['materialized', n.materialized]);
    if (n.tags) facts.push(['tags', n.tags.join(', ')]);
    out.push(el('dl', { class: 'facts' }, facts.map(function (f) { return [el('dt', { text: f[0] }), el('dd', { text: f[1] })]; })));
    if (n.test && n.test.on !== null && n.test.on !== undefined) {
      out.push(el('p', null, 'Tests ', nodeLink(N[n.test.on], n.test.column || null)));
    }
    const selected = colName ? findCol(n, colName) : null;
    if (n.columns.length) {
      out.push(el('h2', { text: 'Columns' }));
      out.push(el('table', { id: 'columns' },
        el('thead', null, el('tr', null, ['Column', 'Type', 'Description', 'Tests', 'Lineage'].map(function (h) { return el('th', { text: h }); }))),
        el('tbody', null, n.columns.map(function (c) {
          const upCount = (c.up || []).length;
          return el('tr', { class: selected === c ? 'selected' : null, 'data-column': c.name },
            el('td', null, el('a', { class: 'col-link', href: nodeHref(n, c.name), text: c.name })),
            el('td', { text: c.type || '' }),
            el('td', { text: c.description }),
            el('td', null, (c.tests || []).map(function (t) { return el('a', { class: 'pill', href: nodeHref(N[t]), text: (N[t].test && N[t].test.name) || N[t].name }); })),
            el('td', { class: 'muted lineage', text: c.untraced ? 'untraced: ' + c.untraced.join('; ') : upCount ? upCount + ' upstream' : '' }));
        }))));
    }
    if (selected) out.push(columnPanel(n, selected));
    else if (colName) out.push(el('p', { class: 'error', text: 'No column "' + colName + '" in ' + n.name + '.' }));
    if (n.tests && n.tests.length) {
      out.push(el('h2', { text: 'Tests' }));
      out.push(el('ul', null, n.tests.map(function (t) { return el('li', null, nodeLink(N[t])); })));
    }
    const graphNodes = new Set([n.i, ...walk(new Set([n.i]), 'parents', Infinity), ...walk(new Set([n.i]), 'children', Infinity)]
      .filter(function (i) { return GRAPH_TYPES.has(N[i].type); }));
    if (GRAPH_TYPES.has(n.type)) {
      const closure = selected ? columnClosure(n.i, selected.name) : null;
      out.push(el('h2', { text: selected ? 'Lineage of ' + n.name + '.' + selected.name : 'Lineage' }));
      out.push(el('p', null, el('a', { href: '#/graph/' + encodeURIComponent('+' + n.name + '+'), text: 'Open +' + n.name + '+ in the graph view' })));
      const g = drawGraph(graphNodes, { focus: n.i, lit: closure ? closure.nodes : null, dim: !!closure });
      g.id = 'node-graph';
      out.push(g);
    }
    const rel = function (title, list) {
      if (!list.length) return;
      out.push(el('h2', { text: title }));
      out.push(el('ul', null, list.map(function (i) { return el('li', null, kind(N[i]), nodeLink(N[i])); })));
    };
    rel('Depends on', n.parents);
    rel('Referenced by', n.children.filter(function (i) { return N[i].type !== 'test'; }));
    if (n.raw || n.compiled) out.push(codeTabs(n));
    return out;
  }

  function columnPanel(n, c) {
    const closure = columnClosure(n.i, c.name);
    const box = el('section', { class: 'lineage-cols', id: 'column-lineage' }, el('h2', { text: 'Column lineage: ' + c.name }));
    const tree = upstreamTree(n.i, c.name, new Set([colKey(n.i, c.name)]));
    append(box, el('h3', { text: 'Derives from' }));
    append(box, tree || el('p', { class: 'muted', text: c.untraced ? 'Not traced: ' + c.untraced.join('; ') : 'No upstream columns (a literal, or a source column).' }));
    append(box, el('h3', { text: 'Used by' }));
    append(box, closure.down.length
      ? el('ul', { id: 'downstream' }, closure.down.map(function (d) { return el('li', null, nodeLink(N[d[0]], d[1])); }))
      : el('p', { class: 'muted', text: 'No downstream columns.' }));
    return box;
  }

  function codeTabs(n) {
    const pre = el('pre', { id: 'code' });
    const show = function (which) {
      pre.textContent = which === 'compiled' ? n.compiled || '' : n.raw || '';
      buttons.forEach(function (b) { b.className = b.dataset.which === which ? 'on' : ''; });
    };
    const buttons = ['raw', 'compiled'].filter(function (w) { return n[w]; }).map(function (w) {
      return el('button', { 'data-which': w, text: w === 'raw' ? 'Source' : 'Compiled', onclick: function () { show(w); } });
    });
    const box = el('section', null, el('h2', { text: 'Code' }), el('div', { class: 'tabs' }, buttons), pre);
    show(n.compiled ? 'compiled' : 'raw');
    return box;
  }

  function graphPage(select, exclude) {
    const sel = el('input', { id: 'graph-select', value: select, placeholder: '--select, e.g. +fct_events+ tag:daily', 'aria-label': 'select' });
    const exc = el('input', { id: 'graph-exclude', value: exclude, placeholder: '--exclude', 'aria-label': 'exclude' });
    const apply = function () {
      location.hash = '#/graph/' + encodeURIComponent(sel.value) + (exc.value ? '/' + encodeURIComponent(exc.value) : '');
    };
    [sel, exc].forEach(function (i) { i.addEventListener('keydown', function (e) { if (e.key === 'Enter') apply(); }); });
    const out = [el('h1', { text: 'Lineage graph' }),
      el('div', { class: 'graph-tools' }, sel, exc, el('button', { text: 'Apply', onclick: apply }))];
    let set;
    try {
      set = selectNodes(select, exclude);
    } catch (e) {
      out.push(el('p', { class: 'error', id: 'graph-error', text: e.message }));
      return out;
    }
    const info = el('p', { class: 'muted', id: 'graph-count', text: set.size + ' nodes. Click a node to focus on its upstream and downstream; click it again to open it.' });
    out.push(info);
    if (!set.size) return out;
    let focused = null;
    const holder = el('div');
    const render = function () {
      holder.textContent = '';
      const lit = focused === null ? null : new Set([focused, ...walk(new Set([focused]), 'parents', Infinity), ...walk(new Set([focused]), 'children', Infinity)]);
      holder.appendChild(drawGraph(set, {
        focus: focused, lit: lit, dim: focused !== null,
        onclick: function (n) { if (focused === n.i) go(n); else { focused = n.i; render(); } },
      }));
    };
    render();
    out.push(holder);
    return out;
  }

  // ---- tree, search, routing ----
  function buildTree() {
    const tree = document.getElementById('tree');
    const root = { dirs: new Map(), items: [] };
    const at = function (parts) {
      let cur = root;
      parts.forEach(function (p) {
        if (!cur.dirs.has(p)) cur.dirs.set(p, { dirs: new Map(), items: [] });
        cur = cur.dirs.get(p);
      });
      return cur;
    };
    N.forEach(function (n) {
      if (n.type === 'source') at(['Sources', n.source_name]).items.push(n);
      else if (GRAPH_TYPES.has(n.type)) at(['Projects', n.package].concat(n.path.split('/').slice(0, -1))).items.push(n);
    });
    const render = function (node, depth) {
      const frag = [];
      [...node.dirs.keys()].sort().forEach(function (k) {
        const d = el('details', { open: depth < 2 ? '' : null }, el('summary', { text: k }), render(node.dirs.get(k), depth + 1));
        frag.push(d);
      });
      if (node.items.length) {
        node.items.sort(function (a, b) { return a.name < b.name ? -1 : 1; });
        frag.push(el('ul', null, node.items.map(function (n) {
          return el('li', null, el('a', { href: nodeHref(n), 'data-id': n.id, title: n.id, text: n.name }));
        })));
      }
      return frag;
    };
    append(tree, render(root, 0));
  }

  function searchSetup() {
    const input = document.getElementById('search');
    const results = document.getElementById('results');
    const index = N.map(function (n) {
      return { n: n, name: n.name.toLowerCase(), desc: (n.description || '').toLowerCase(), cols: n.columns.map(function (c) { return c.name.toLowerCase(); }) };
    });
    let active = -1;
    const run = function () {
      const q = input.value.trim().toLowerCase();
      results.textContent = '';
      active = -1;
      if (!q) { results.hidden = true; return; }
      const hits = [];
      index.forEach(function (e) {
        let score = -1, col = null;
        if (e.name === q) score = 0;
        else if (e.name.indexOf(q) === 0) score = 1;
        else if (e.name.indexOf(q) >= 0) score = 2;
        else {
          const ci = e.cols.findIndex(function (c) { return c.indexOf(q) >= 0; });
          if (ci >= 0) { score = 3; col = e.n.columns[ci].name; } else if (e.desc.indexOf(q) >= 0) score = 4;
        }
        if (score >= 0) hits.push({ score: score, e: e, col: col });
      });
      hits.sort(function (a, b) { return a.score - b.score || (a.e.name < b.e.name ? -1 : 1); });
      hits.slice(0, 50).forEach(function (h) {
        const n = h.e.n;
        results.appendChild(el('li', null, el('a', { href: nodeHref(n, h.col) }, kind(n), h.col ? n.name + '.' + h.col : n.name, ' ', el('span', { class: 'hint', text: n.path }))));
      });
      if (!hits.length) results.appendChild(el('li', null, el('a', { class: 'hint', text: 'Nothing matches.' })));
      results.hidden = false;
    };
    let timer = null;
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 60); });
    input.addEventListener('keydown', function (e) {
      const links = results.querySelectorAll('a[href]');
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        active = Math.max(0, Math.min(links.length - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
        links.forEach(function (a, k) { a.className = k === active ? 'active' : ''; });
      } else if (e.key === 'Enter') {
        if (timer) { clearTimeout(timer); run(); }
        const all = results.querySelectorAll('a[href]');
        const pick = all[Math.max(0, active)];
        if (pick) location.hash = pick.getAttribute('href');
      } else if (e.key === 'Escape') {
        results.hidden = true;
      }
    });
    results.addEventListener('click', function () { results.hidden = true; input.value = ''; });
  }

  function route() {
    const h = location.hash.replace(/^#\/?/, '');
    const parts = h.split('/').map(decodeURIComponent);
    let content;
    let current = null;
    if (parts[0] === 'node' && byId.has(parts[1])) {
      current = byId.get(parts[1]);
      content = nodePage(current, parts[2] || null);
      document.title = current.name + ' · ' + D.project;
    } else if (parts[0] === 'graph') {
      content = graphPage(parts[1] || '', parts[2] || '');
      document.title = 'Lineage graph · ' + D.project;
    } else {
      content = parts[0] === 'node' ? [el('p', { class: 'error', text: 'No node ' + parts[1] + '.' })].concat(overview()) : overview();
      document.title = D.project + ' · xform docs';
    }
    main.textContent = '';
    append(main, content);
    document.querySelectorAll('#tree a.current').forEach(function (a) { a.classList.remove('current'); });
    if (current) {
      const a = document.querySelector('#tree a[data-id="' + CSS.escape(current.id) + '"]');
      if (a) {
        a.classList.add('current');
        for (let p = a.parentElement; p && p.id !== 'tree'; p = p.parentElement) if (p.tagName === 'DETAILS') p.open = true;
      }
    }
    window.scrollTo(0, 0);
  }

  buildTree();
  searchSetup();
  window.addEventListener('hashchange', route);
  route();
  document.body.setAttribute('data-ready', 'true');
})();
