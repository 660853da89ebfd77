// Plugins and health: the loaded plugins (GET /admin/plugins), /health,
// /ready and key metrics from /metrics, refreshed every 5 seconds.
import { call, errorText } from './api.js';
import { h, num } from './dom.js';

// Metrics worth a glance, by name; summed over their labels unless split.
const KEY_METRICS = [
  ['sluice_ingest_rows_total', 'rows ingested', 'endpoint'],
  ['sluice_ingest_errors_total', 'ingest errors', 'endpoint'],
  ['sluice_ingest_up', 'ingest up', 'endpoint'],
  ['sluice_cache_lag_records', 'cache lag (records)', 'endpoint'],
  ['sluice_feed_subscribers', 'change-feed subscribers', null],
  ['sluice_feed_events_sent_total', 'change-feed events sent', null],
  ['sluice_http_connections_open', 'open HTTP connections', null],
  ['sluice_http_requests_total', 'HTTP requests', null],
  ['sluice_http_query_running', 'queries running', null],
  ['sluice_api_refusals_total', 'refused calls', null],
];

// Parses Prometheus text: [{name, labels: {k: v}, value}].
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels = {};
    for (const l of (m[3] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

function table(id, caption, head, rows) {
  return h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', { class: 'grid', id }, h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)));
}

export function render(main) {
  main.append(h('h1', {}, 'Plugins and health'));
  const probes = h('section', { id: 'health-probes' });
  const plugins = h('section', { id: 'health-plugins' });
  const metrics = h('section', { id: 'health-metrics' });
  main.append(probes, plugins, metrics);

  async function refresh() {
    const [hl, rd, pl, mt] = await Promise.all([call('GET', '/health'), call('GET', '/ready'),
      call('GET', '/admin/plugins'), call('GET', '/metrics')]);
    probes.replaceChildren(h('h2', {}, 'Probes'),
      h('dl', { class: 'probes' },
        h('dt', {}, '/health'), h('dd', { id: 'health-live', class: hl.ok ? 'ok' : 'error' }, `${hl.status} ${hl.text}`),
        h('dt', {}, '/ready'), h('dd', { id: 'health-ready', class: rd.ok ? 'ok' : 'warn' }, `${rd.status} ${rd.json?.ready ? 'ready' : 'not ready'}`)),
      rd.json?.endpoints ? table('ready', 'Readiness per endpoint', ['Endpoint', 'Current', 'Lag', 'Ready', 'Reason'],
        rd.json.endpoints.map((e) => h('tr', {}, h('td', {}, e.name), h('td', {}, `v${e.current_version}`),
          h('td', { class: 'num' }, num(e.lag)), h('td', {}, e.ready ? 'yes' : 'no'), h('td', {}, e.reason || '')))) : '');
    plugins.replaceChildren(h('h2', {}, 'Loaded plugins'), pl.ok
      ? table('plugins', 'Loaded plugins', ['Kind', 'Name', 'Version', 'ABI', 'Description'],
        pl.json.plugins.map((p) => h('tr', { 'data-plugin': `${p.kind}/${p.name}` }, h('td', {}, p.kind), h('td', {}, p.name),
          h('td', {}, p.version), h('td', {}, p.abi), h('td', { title: p.path }, p.description))))
      : h('p', { class: 'error', role: 'alert' }, errorText(pl)));
    if (!mt.ok) { metrics.replaceChildren(h('h2', {}, 'Key metrics'), h('p', { class: 'error' }, errorText(mt))); return; }
    const all = parseMetrics(mt.text);
    const rows = [];
    for (const [name, label, split] of KEY_METRICS) {
      const ms = all.filter((m) => m.name === name);
      if (!ms.length) continue;
      if (split) {
        for (const m of ms) rows.push(h('tr', { 'data-metric': name, 'data-label': m.labels[split] || '' }, h('td', {}, label), h('td', {}, m.labels[split] || ''), h('td', { class: 'num' }, num(m.value))));
      } else {
        rows.push(h('tr', { 'data-metric': name }, h('td', {}, label), h('td', {}, ''), h('td', { class: 'num' }, num(ms.reduce((s, m) => s + m.value, 0)))));
      }
    }
    metrics.replaceChildren(h('h2', {}, 'Key metrics'), table('metrics', 'Key metrics', ['Metric', 'Endpoint', 'Value'], rows));
  }

  refresh();
  const timer = setInterval(refresh, 5000);
  return () => clearInterval(timer);
}
