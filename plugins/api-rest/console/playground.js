// Query playground: a query (filter, order, limit) built from the fields
// and types of a version's schema; the result as a table, the plan
// (X-Sluice-Plan), the time, the same query as curl and gRPC commands, and
// paging with $after.
import { call, errorText, versioned } from './api.js';
import { h, select } from './dom.js';
import { latestStatus, onStatus } from './status.js';
import { endpointPicker } from './versions.js';

const OPS = {
  int64: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is null', 'is not null'],
  float64: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is null', 'is not null'],
  timestamp: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is null', 'is not null'],
  date: ['=', '!=', '<', '<=', '>', '>=', 'in', 'is null', 'is not null'],
  string: ['=', '!=', 'contains', '<', '<=', '>', '>=', 'in', 'is null', 'is not null'],
  bool: ['=', '!=', 'is null', 'is not null'],
};
const OP_KEY = { '!=': '$ne', '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte', in: '$in', contains: '$contains' };

// A number kept as the text the server wrote (an int64 beyond 2^53, or a
// float written as 0.0), so that it shows and round-trips exactly.
class Raw { constructor(text) { this.text = text; } toString() { return this.text; } }

export function parseExact(text) {
  return JSON.parse(text, (k, v, ctx) => (typeof v === 'number' && ctx && ctx.source !== String(v)
    ? new Raw(ctx.source) : v));
}

export function toJson(v) {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

// The JSON value of `text` typed as a `type` field; throws a message.
function typed(type, text, field) {
  const t = text.trim();
  if (type === 'int64') {
    if (!/^-?\d+$/.test(t)) throw new Error(`${field}: expected an integer, found "${text}"`);
    return new Raw(t);
  }
  if (type === 'float64') {
    const n = Number(t);
    if (t === '' || !Number.isFinite(n)) throw new Error(`${field}: expected a number, found "${text}"`);
    return n;
  }
  if (type === 'bool') {
    if (t !== 'true' && t !== 'false') throw new Error(`${field}: expected true or false`);
    return t === 'true';
  }
  return text;
}

function shellQuote(s) { return `'${s.replace(/'/g, "'\\''")}'`; }

export function render(main, name) {
  const status = latestStatus();
  if (!name && status?.endpoints.length) name = status.endpoints[0].name;
  main.append(h('h1', {}, 'Query', name ? ` ${name}` : ''));
  if (!status) {
    const off = onStatus(() => { off(); main.replaceChildren(); render(main, name); });
    return off;
  }
  const endpoint = status.endpoints.find((e) => e.name === name);
  main.append(endpointPicker(name, 'playground'));
  if (!endpoint) { main.append(h('p', { class: 'error' }, `no endpoint ${name}`)); return null; }
  const form = h('form', { id: 'pg-form', class: 'card' });
  const out = h('section', { id: 'pg-out', 'aria-live': 'polite' });
  main.append(form, out);
  let versions = [];
  let after = null;
  const pages = [];  // $after of each page shown, for "previous"

  const versionSel = select({ id: 'pg-version' }, [], '');
  const conds = h('div', { id: 'pg-conds' });
  const orderField = select({ id: 'pg-order' }, [], '');
  const orderDir = select({ id: 'pg-dir', 'aria-label': 'Direction' }, [['asc', 'ascending'], ['desc', 'descending']], 'asc');
  const limit = h('input', { id: 'pg-limit', type: 'number', min: 1, max: 10000, value: 20, inputmode: 'numeric' });
  const error = h('p', { class: 'error', role: 'alert', id: 'pg-error' });

  function schema() {
    const v = versionSel.value === '' ? endpoint.current_version : Number(versionSel.value);
    return (versions.find((x) => x.version === v) || versions[versions.length - 1])?.schema;
  }

  function addCondition() {
    const fields = schema().fields;
    const field = select({ 'aria-label': 'Field', class: 'pg-field' }, fields.map((f) => [f.name, `${f.name} (${f.type})`]), fields[0]?.name);
    const op = select({ 'aria-label': 'Operator', class: 'pg-op' }, [], '=');
    const value = h('input', { 'aria-label': 'Value', class: 'pg-value', type: 'text' });
    const remove = h('button', { type: 'button', 'aria-label': 'Remove condition', class: 'small' }, 'Remove');
    const row = h('div', { class: 'cond' }, field, op, value, remove);
    const syncOps = () => {
      const type = fields.find((f) => f.name === field.value)?.type || 'string';
      const keep = op.value;
      op.replaceChildren(...OPS[type].map((o) => h('option', { value: o }, o)));
      op.value = OPS[type].includes(keep) ? keep : '=';
      value.placeholder = type === 'bool' ? 'true or false' : (type === 'timestamp' ? '2024-01-31T14:28:15Z' : type);
      value.disabled = op.value.startsWith('is ');
    };
    field.addEventListener('change', syncOps);
    op.addEventListener('change', () => { value.disabled = op.value.startsWith('is '); });
    remove.addEventListener('click', () => { row.remove(); document.getElementById('pg-add').focus(); });
    syncOps();
    conds.append(row);
    field.focus();
  }

  function buildQuery() {
    const fields = schema().fields;
    const filter = {};
    const and = [];
    for (const row of conds.querySelectorAll('.cond')) {
      const f = row.querySelector('.pg-field').value;
      const op = row.querySelector('.pg-op').value;
      const text = row.querySelector('.pg-value').value;
      const type = fields.find((x) => x.name === f)?.type || 'string';
      let cond;
      if (op === 'is null') cond = null;
      else if (op === 'is not null') cond = { $ne: null };
      else if (op === 'in') cond = { $in: text.split(',').map((t) => typed(type, t, f)) };
      else if (op === '=') cond = typed(type, text, f);
      else cond = { [OP_KEY[op]]: op === 'contains' ? text : typed(type, text, f) };
      and.push({ [f]: cond });
    }
    if (and.length === 1) Object.assign(filter, and[0]);
    else if (and.length > 1) filter.$and = and;
    const q = {};
    if (and.length) q.$filter = filter;
    if (orderField.value) q.$order_by = { [orderField.value]: orderDir.value };
    q.$limit = Number(limit.value) || 20;
    return q;
  }

  async function run(afterRecord) {
    error.textContent = '';
    let q;
    try { q = buildQuery(); } catch (e) { error.textContent = e.message; return; }
    if (afterRecord) q.$after = afterRecord;
    const version = versionSel.value === '' ? 0 : Number(versionSel.value);
    const path = `${versioned(endpoint.path, version)}/query`;
    const body = toJson(q);
    const r = await call('POST', path, body);
    const curl = `curl -sS -X POST ${shellQuote(location.origin + path)} -H "X-API-Key: $SLUICE_KEY" -H 'Content-Type: application/json' -d ${shellQuote(body)}`;
    const grpcReq = { endpoint: endpoint.name, ...(version ? { version } : {}), query: body };
    const grpc = `grpcurl -plaintext -H "x-api-key: $SLUICE_KEY" -d ${shellQuote(JSON.stringify(grpcReq))} "\${SLUICE_GRPC:-127.0.0.1:50051}" sluice.v1.Common/query`;
    const copyBlock = (id, label, text) => h('div', { class: 'copy' },
      h('div', { class: 'copy-head' }, h('span', {}, label), h('button', { type: 'button', class: 'small', onclick: (ev) => copy(text, ev.target) }, 'Copy')),
      h('pre', { id, tabindex: '0' }, text));
    if (!r.ok) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert', id: 'pg-api-error' }, errorText(r)),
        r.headers.get('X-Sluice-Plan') ? h('p', {}, 'plan: ', h('code', {}, r.headers.get('X-Sluice-Plan'))) : '',
        copyBlock('pg-curl', 'curl', curl), copyBlock('pg-grpc', 'gRPC (grpcurl)', grpc));
      return;
    }
    const rows = parseExact(r.text);
    const cols = schema().fields.map((f) => f.name);
    const more = rows.length === q.$limit;
    out.replaceChildren(
      h('p', { class: 'meta', id: 'pg-meta' },
        h('span', { id: 'pg-count' }, `${rows.length} row${rows.length === 1 ? '' : 's'}`), ' · plan ',
        h('code', { id: 'pg-plan' }, r.headers.get('X-Sluice-Plan') || 'not reported'),
        ` · scan ${r.headers.get('X-Sluice-Scan') || '?'} · `,
        h('span', { id: 'pg-time' }, `${r.ms.toFixed(1)} ms`), ` · served by v${r.headers.get('X-Sluice-Version') || '?'}`),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', id: 'pg-prev', disabled: pages.length === 0, onclick: () => { pages.pop(); after = pages.length ? pages[pages.length - 1] : null; run(after); } }, 'Previous page'),
        h('button', { type: 'button', id: 'pg-next', disabled: !more, onclick: () => { after = rows[rows.length - 1]; pages.push(after); run(after); } }, 'Next page ($after)')),
      h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Result' },
        h('table', { class: 'grid', id: 'pg-result' },
          h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, rows.map((row) => h('tr', {}, cols.map((c) => h('td', {}, row[c] === null ? 'null' : String(row[c])))))))),
      copyBlock('pg-curl', 'curl', curl), copyBlock('pg-grpc', 'gRPC (grpcurl)', grpc));
  }

  function copy(text, button) {
    const done = () => { button.textContent = 'Copied'; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => {});
  }

  function fillFields() {
    const fields = schema().fields;
    orderField.replaceChildren(h('option', { value: '' }, '(key order)'), ...fields.map((f) => h('option', { value: f.name }, f.name)));
    conds.replaceChildren();
  }

  form.append(
    h('div', { class: 'toolbar' }, h('label', { for: 'pg-version' }, 'Version'), versionSel),
    h('fieldset', {}, h('legend', {}, 'Filter (all must hold)'), conds,
      h('button', { type: 'button', id: 'pg-add', onclick: addCondition }, 'Add condition')),
    h('div', { class: 'toolbar' }, h('label', { for: 'pg-order' }, 'Order by'), orderField, orderDir,
      h('label', { for: 'pg-limit' }, 'Limit'), limit),
    h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary', id: 'pg-run' }, 'Run query')),
    error);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); pages.length = 0; after = null; run(null); });
  versionSel.addEventListener('change', fillFields);

  call('GET', `/admin/endpoints/${encodeURIComponent(name)}/versions`).then((r) => {
    if (!r.ok) { error.textContent = errorText(r); return; }
    versions = r.json.versions;
    versionSel.replaceChildren(h('option', { value: '' }, `current (v${endpoint.current_version})`),
      ...[...versions].reverse().map((v) => h('option', { value: v.version }, `v${v.version}`)));
    fillFields();
  });
  return null;
}
