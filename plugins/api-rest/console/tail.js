// Live tail: an endpoint's change feed (server-sent events), filtered
// server-side, pausing and resuming exactly where it stopped (after=).
import { h, select, setText } from './dom.js';
import { latestStatus, onStatus } from './status.js';
import { endpointPicker } from './versions.js';

const MAX_ROWS = 1000;

export function render(main, name) {
  const status = latestStatus();
  if (!name && status?.endpoints.length) name = status.endpoints[0].name;
  main.append(h('h1', {}, 'Live tail', name ? ` of ${name}` : ''));
  if (!status) {
    const off = onStatus(() => { off(); main.replaceChildren(); render(main, name); });
    return off;
  }
  const endpoint = status.endpoints.find((e) => e.name === name);
  main.append(endpointPicker(name, 'tail'));
  if (!endpoint) { main.append(h('p', { class: 'error' }, `no endpoint ${name}`)); return null; }

  const filter = h('input', { id: 'tail-filter', type: 'text', placeholder: '{"zone": 2}', class: 'wide', spellcheck: 'false' });
  const fields = h('input', { id: 'tail-fields', type: 'text', placeholder: 'id,fare (all when empty)', spellcheck: 'false' });
  const from = select({ id: 'tail-from' }, [['now', 'new changes'], ['start', 'the whole log']], 'now');
  const toggle = h('button', { type: 'submit', id: 'tail-toggle', class: 'primary' }, 'Start');
  const clear = h('button', { type: 'button', id: 'tail-clear' }, 'Clear');
  const state = h('span', { id: 'tail-state', role: 'status', class: 'muted' }, 'stopped');
  const counter = h('span', { id: 'tail-count', class: 'muted' }, '0 events');
  const body = h('tbody', { id: 'tail-rows' });
  main.append(
    h('form', { class: 'card', id: 'tail-form', onsubmit: (ev) => { ev.preventDefault(); source ? pause() : start(); } },
      h('div', { class: 'toolbar' }, h('label', { for: 'tail-filter' }, 'Filter ($filter JSON)'), filter),
      h('div', { class: 'toolbar' }, h('label', { for: 'tail-fields' }, 'Fields'), fields,
        h('label', { for: 'tail-from' }, 'From'), from),
      h('div', { class: 'toolbar' }, toggle, clear, state, counter)),
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Events' },
      h('table', { class: 'grid', id: 'tail' },
        h('thead', {}, h('tr', {}, ['Id', 'Event', 'Record'].map((c) => h('th', { scope: 'col' }, c)))), body)));

  let source = null;
  let lastId = null;  // resume point: the id of the last event received
  let count = 0;

  function url() {
    const p = new URLSearchParams();
    if (lastId !== null) p.set('after', lastId);
    else p.set('from', from.value);
    if (filter.value.trim()) p.set('filter', filter.value.trim());
    if (fields.value.trim()) p.set('fields', fields.value.trim().replace(/\s+/g, ''));
    return `${endpoint.path}/events?${p}`;
  }

  function add(id, kind, text, cls) {
    body.prepend(h('tr', { class: cls, 'data-id': id }, h('td', { class: 'num' }, id), h('td', {}, kind), h('td', { class: 'record' }, text)));
    while (body.rows.length > MAX_ROWS) body.lastElementChild.remove();
    count++;
    setText(counter, `${count} event${count === 1 ? '' : 's'}`);
  }

  function onChange(ev) {
    lastId = ev.lastEventId || lastId;
    const d = JSON.parse(ev.data);
    add(ev.lastEventId, ev.type, JSON.stringify(d.record), `op-${ev.type}`);
  }

  async function start() {
    // A filter the server refuses is refused before the stream starts: ask once
    // with fetch to show its error as returned (EventSource hides the body).
    const probe = new AbortController();
    const r = await fetch(url(), { signal: probe.signal, credentials: 'same-origin' }).catch((e) => ({ ok: false, status: 0, text: async () => String(e) }));
    if (!r.ok) {
      const t = await r.text();
      let msg = t;
      try { const e = JSON.parse(t).error; msg = `${r.status} ${e.code}: ${e.message}`; } catch { /* as is */ }
      setText(state, `refused: ${msg}`);
      state.className = 'error';
      return;
    }
    probe.abort();
    state.className = 'muted';
    source = new EventSource(url());
    for (const kind of ['insert', 'update', 'delete']) source.addEventListener(kind, onChange);
    source.addEventListener('version', (ev) => add('', 'version', ev.data, 'op-version'));
    source.addEventListener('end', (ev) => { add('', 'end', ev.data, 'op-end'); pause(); });
    source.addEventListener('open', () => setText(state, 'following'));
    source.addEventListener('error', () => setText(state, source && source.readyState === 0 ? 'reconnecting…' : 'stopped'));
    setText(toggle, 'Pause');
    setText(state, 'connecting…');
    filter.disabled = fields.disabled = from.disabled = true;
  }

  function pause() {
    if (source) source.close();
    source = null;
    setText(toggle, lastId === null ? 'Start' : 'Resume');
    setText(state, lastId === null ? 'stopped' : `paused after ${lastId}`);
  }

  clear.addEventListener('click', () => {
    body.replaceChildren();
    count = 0;
    setText(counter, '0 events');
    if (!source) { lastId = null; filter.disabled = fields.disabled = from.disabled = false; pause(); }
  });

  return () => { if (source) source.close(); source = null; };
}
