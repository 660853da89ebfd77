// Overview: every endpoint x version with rows, log size, cache lag,
// ingest state and last error, current/pinned, created, schema summary;
// updated live from the status stream, with a throughput sparkline per
// endpoint.
import { h, num, setText, sparkline, updateSparkline, when } from './dom.js';
import { onStatus, throughput } from './status.js';

const COLUMNS = ['Endpoint', 'Version', 'Rows', 'Log records', 'Cache lag', 'Ingest',
  'Current', 'Created', 'Schema', 'Log records/s (3 min)'];

function pinText(e, v) {
  if (v.version !== e.current_version) return '';
  if (!e.pin) return 'current (latest)';
  if (e.pin.version === 'latest') return `current (latest, by ${e.pin.by})`;
  return `current (pinned by ${e.pin.by})`;
}

function ingestFor(e, v, first) {
  const i = e.ingest;
  if (!i) return null;
  if (i.version ? i.version !== v.version : !first) return null;
  return i;
}

// Puts `el` right after `prev` (first when prev is null) unless it is there.
function place(parent, el, prev) {
  if (el.parentNode === parent && el.previousElementSibling === prev) return;
  if (prev) prev.after(el);
  else parent.prepend(el);
}

export function render(main) {
  const filter = h('input', { type: 'search', id: 'ov-filter', placeholder: 'endpoint name',
    'aria-describedby': 'ov-count' });
  const count = h('span', { id: 'ov-count', class: 'muted' });
  const table = h('table', { class: 'grid', id: 'overview' },
    h('caption', { class: 'sr-only' }, 'Endpoints and their versions'),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', { scope: 'col' }, c)))));
  main.append(
    h('h1', {}, 'Overview'),
    h('div', { class: 'toolbar' }, h('label', { for: 'ov-filter' }, 'Filter'), filter, count),
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Endpoints table' }, table));

  const groups = new Map();  // endpoint -> {tbody, rows: Map(version -> cells), spark}
  let last = null;

  function rowFor(g, e, v) {
    let r = g.rows.get(v.version);
    if (r) return r;
    const cells = {};
    const tr = h('tr', { 'data-endpoint': e.name, 'data-version': v.version });
    const mk = (col, cls) => { cells[col] = h('td', { 'data-col': col, class: cls }); tr.append(cells[col]); };
    mk('endpoint'); mk('version', 'num'); mk('rows', 'num'); mk('log', 'num'); mk('lag', 'num');
    mk('ingest'); mk('current'); mk('created'); mk('schema', 'schema'); mk('spark');
    r = { tr, cells };
    g.rows.set(v.version, r);
    return r;
  }

  function update(status) {
    last = status;
    const q = filter.value.trim().toLowerCase();
    const seen = new Set();
    let shown = 0;
    let prevBody = table.tHead;
    for (const e of status.endpoints) {
      seen.add(e.name);
      let g = groups.get(e.name);
      if (!g) {
        g = { tbody: h('tbody', { 'data-endpoint': e.name }), rows: new Map(), spark: sparkline([]) };
        groups.set(e.name, g);
      }
      place(table, g.tbody, prevBody);  // config order, moved only when out of place
      prevBody = g.tbody;
      g.tbody.hidden = q !== '' && !e.name.toLowerCase().includes(q);
      if (!g.tbody.hidden) shown++;
      const versions = [...e.versions].reverse();  // newest first
      const keep = new Set(versions.map((v) => v.version));
      for (const [n, r] of g.rows) if (!keep.has(n)) { r.tr.remove(); g.rows.delete(n); }
      let prevRow = null;
      versions.forEach((v, i) => {
        const r = rowFor(g, e, v);
        place(g.tbody, r.tr, prevRow);
        prevRow = r.tr;
        const c = r.cells;
        if (i !== 0 && c.endpoint.firstChild) { c.endpoint.replaceChildren(); c.spark.replaceChildren(); }
        if (i === 0 && !c.endpoint.firstChild) {
          const enc = encodeURIComponent(e.name);
          c.endpoint.append(h('a', { href: `#/versions/${enc}` }, e.name), ' ',
            h('span', { class: 'muted' }, e.path), h('br'),
            h('a', { href: `#/playground/${enc}`, class: 'small' }, 'query'), ' ',
            h('a', { href: `#/tail/${enc}`, class: 'small' }, 'tail'));
          c.spark.append(g.spark, h('span', { class: 'rate', 'data-col': 'rate' }));
        }
        setText(c.version, `v${v.version}`);
        setText(c.rows, num(v.rows));
        setText(c.log, num(v.log_end));
        setText(c.lag, num(v.lag));
        c.lag.classList.toggle('warn', v.lag > 0);
        const ing = ingestFor(e, v, i === 0);
        const ingText = ing ? ing.state : '';
        const errText = ing && ing.last_error
          ? `${ing.last_error.message}${ing.last_error.file ? ` (${ing.last_error.file}:${ing.last_error.line})` : ''}`
          : '';
        if (c.ingest.dataset.text !== ingText + errText) {
          c.ingest.dataset.text = ingText + errText;
          c.ingest.replaceChildren(ing ? h('span', { class: `state s-${ing.state}` }, ing.state) : '',
            errText ? h('div', { class: 'error small', 'data-col': 'last_error' }, errText) : '',
            ing && ing.detail && ing.state !== 'running' && ing.state !== 'caught_up'
              ? h('div', { class: 'muted small' }, ing.detail) : '');
        }
        setText(c.current, pinText(e, v));
        setText(c.created, v.created_at || '');
        setText(c.schema, v.schema || '');
        if (c.schema.title !== (v.schema || '')) c.schema.title = v.schema || '';
        c.version.classList.toggle('ready', v.ready);
        c.version.title = v.ready ? 'ready' : 'not ready (cache catching up)';
      });
      if (g.rows.size) {
        const rates = throughput(e.name);
        updateSparkline(g.spark, rates.length ? rates : [0]);
        const now = rates.length ? rates[rates.length - 1] : 0;
        const rate = g.tbody.querySelector('[data-col="rate"]');
        if (rate) setText(rate, `${num(Math.round(now))}/s`);
      }
    }
    for (const [name, g] of groups) if (!seen.has(name)) { g.tbody.remove(); groups.delete(name); }
    setText(count, `${shown} of ${status.endpoints.length} endpoints`);
  }

  filter.addEventListener('input', () => last && update(last));
  return onStatus(update);
}
