// Versions of one endpoint: every version with its state; promote one to
// current (pinning it), unpin (follow the newest ready version), prune old
// versions, each after a confirmation and with the resulting state shown;
// and a side-by-side schema diff of two versions in the words of
// `sluice migrate --dry-run` (GET /admin/endpoints/{name}/diff).
import { call, errorText } from './api.js';
import { confirmAction, h, num, select, toast } from './dom.js';
import { latestStatus, onStatus } from './status.js';

function endpointPicker(current, page) {
  const names = (latestStatus()?.endpoints || []).map((e) => e.name);
  const s = select({ id: `${page}-endpoint` }, names, current);
  s.addEventListener('change', () => { location.hash = `#/${page}/${encodeURIComponent(s.value)}`; });
  return h('div', { class: 'toolbar' }, h('label', { for: `${page}-endpoint` }, 'Endpoint'), s);
}
export { endpointPicker };

function schemaTable(schema, other, caption) {
  const otherFields = new Map((other?.fields || []).map((f) => [f.name, f]));
  const keys = new Set(schema.primary_key);
  return h('table', { class: 'grid schema' }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Type'),
      h('th', { scope: 'col' }, 'Null'))),
    h('tbody', {}, schema.fields.map((f) => {
      const o = otherFields.get(f.name);
      const cls = !o ? 'changed-add' : (o.type !== f.type || o.nullable !== f.nullable ? 'changed' : '');
      return h('tr', { class: cls },
        h('td', {}, keys.has(f.name) ? `${f.name} (key)` : f.name), h('td', {}, f.type),
        h('td', {}, f.nullable ? 'nullable' : 'not null'));
    })));
}

export function render(main, name) {
  const status = latestStatus();
  if (!name && status?.endpoints.length) name = status.endpoints[0].name;
  main.append(h('h1', {}, 'Versions', name ? ` of ${name}` : ''));
  if (!status) {
    main.append(h('p', { class: 'muted' }, 'Waiting for the status stream…'));
    const off = onStatus(() => { off(); render(main.replaceChildren() || main, name); });
    return off;
  }
  main.append(endpointPicker(name, 'versions'));
  const result = h('div', { id: 'v-result', role: 'status', 'aria-live': 'polite' });
  const table = h('div', { id: 'v-table' });
  const diff = h('section', { id: 'v-diff', 'aria-labelledby': 'v-diff-title' });
  const prune = h('section', { id: 'v-prune' });
  main.append(result, table, prune, diff);
  let info = null;

  async function load() {
    const r = await call('GET', `/admin/endpoints/${encodeURIComponent(name)}/versions`);
    if (!r.ok) { table.replaceChildren(h('p', { class: 'error', role: 'alert' }, errorText(r))); return; }
    info = r.json;
    const e = latestStatus()?.endpoints.find((x) => x.name === name);
    table.replaceChildren(h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Versions table' },
      h('table', { class: 'grid', id: 'versions' },
        h('thead', {}, h('tr', {}, ['Version', 'State', 'Rows', 'Log records', 'Created', 'Current', 'Actions']
          .map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, [...info.versions].reverse().map((v) => {
          const current = v.version === info.current_version;
          const pinnedHere = current && info.pinned;
          return h('tr', { 'data-version': v.version },
            h('td', { class: 'num' }, `v${v.version}`),
            h('td', {}, v.ready ? 'ready' : 'catching up'),
            h('td', { class: 'num' }, num(v.rows)),
            h('td', { class: 'num' }, num(v.log_end)),
            h('td', {}, v.created_at),
            h('td', { 'data-col': 'current' }, current ? (pinnedHere ? `current (pinned${e?.pin?.by ? ` by ${e.pin.by}` : ''})` : 'current') : ''),
            h('td', {}, current ? '' : h('button', {
              type: 'button', 'data-action': 'promote', 'data-version': v.version,
              onclick: () => promote(v.version) }, `Make v${v.version} current`),
            current && info.pinned ? h('button', { type: 'button', 'data-action': 'unpin', onclick: unpin },
              'Unpin (follow latest)') : ''));
        })))));
    renderPrune();
    renderDiff();
  }

  async function act(title, text, okLabel, method, path, body) {
    if (!(await confirmAction(title, text, okLabel))) { toast('Cancelled'); return; }
    const r = await call(method, path, body);
    result.replaceChildren(r.ok
      ? h('div', { class: 'ok' }, h('strong', {}, `${title}: done. `), 'The server answered ', h('code', {}, r.text))
      : h('div', { class: 'error', role: 'alert' }, `${title} failed: ${errorText(r)}`));
    await load();
  }

  function promote(v) {
    return act(`Make v${v} current`,
      `Unversioned paths of ${name} will serve v${v}, pinned across restarts until unpinned.`,
      `Make v${v} current`, 'PUT', `/admin/endpoints/${encodeURIComponent(name)}/current`, { version: v });
  }
  function unpin() {
    return act('Unpin', `${name} will follow its newest ready version again.`, 'Unpin',
      'PUT', `/admin/endpoints/${encodeURIComponent(name)}/current`, { version: 'latest' });
  }

  function renderPrune() {
    const keep = h('input', { type: 'number', id: 'v-keep', value: 2, inputmode: 'numeric' });
    prune.replaceChildren(h('h2', {}, 'Prune old versions'),
      h('p', { class: 'muted' }, 'Deletes versions older than the newest N that are neither current nor pinned.'),
      h('form', { class: 'toolbar', onsubmit: (ev) => {
        ev.preventDefault();
        const n = Number(keep.value);
        act('Prune', `Delete the versions of ${name} older than the newest ${n} (except current and pinned ones)? Their log and cache are removed.`,
          'Prune', 'POST', '/admin/prune', { keep: n, endpoint: name });
      } }, h('label', { for: 'v-keep' }, 'Keep newest'), keep, h('button', { type: 'submit', id: 'v-prune-btn' }, 'Prune…')));
  }

  function renderDiff() {
    const nums = info.versions.map((v) => v.version);
    if (nums.length < 1) { diff.replaceChildren(); return; }
    const to = nums[nums.length - 1];
    const from = nums.length > 1 ? nums[nums.length - 2] : to;
    const a = select({ id: 'v-from' }, nums.map((n) => [n, `v${n}`]), from);
    const b = select({ id: 'v-to' }, nums.map((n) => [n, `v${n}`]), to);
    const out = h('div', { id: 'v-diff-out' });
    const show = async () => {
      const r = await call('GET', `/admin/endpoints/${encodeURIComponent(name)}/diff?from=${a.value}&to=${b.value}`);
      if (!r.ok) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, errorText(r))); return; }
      const d = r.json;
      out.replaceChildren(
        h('ul', { class: 'changes', id: 'v-changes' }, d.changes.length
          ? d.changes.map((c) => h('li', {}, c)) : h('li', { class: 'muted' }, 'no changes')),
        h('div', { class: 'side' }, schemaTable(d.from_schema, d.to_schema, `v${d.from}`),
          schemaTable(d.to_schema, d.from_schema, `v${d.to}`)));
    };
    a.addEventListener('change', show);
    b.addEventListener('change', show);
    diff.replaceChildren(h('h2', { id: 'v-diff-title' }, 'Schema diff'),
      h('div', { class: 'toolbar' }, h('label', { for: 'v-from' }, 'From'), a, h('label', { for: 'v-to' }, 'to'), b), out);
    show();
  }

  load();
  return null;
}
