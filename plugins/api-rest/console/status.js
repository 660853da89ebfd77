// The server's status (GET /'s answer) as the admin status stream sends
// it once a second (GET /admin/status/events), shared by every page, with
// a short history per endpoint for the throughput sparklines.
const listeners = new Set();
let source = null;
let latest = null;
const history = new Map();  // endpoint -> [{t, log}] (last HISTORY samples)
const HISTORY = 180;

export function latestStatus() { return latest; }

// rows/s of `endpoint` between consecutive samples, oldest first.
export function throughput(endpoint) {
  const h = history.get(endpoint) || [];
  const out = [];
  for (let i = 1; i < h.length; i++) {
    const dt = (h[i].t - h[i - 1].t) / 1000;
    out.push(dt > 0 ? Math.max(0, (h[i].log - h[i - 1].log) / dt) : 0);
  }
  return out;
}

export function onStatus(fn) {
  listeners.add(fn);
  if (latest) fn(latest);
  return () => listeners.delete(fn);
}

function record(status) {
  const now = Date.now();
  for (const e of status.endpoints) {
    const log = e.versions.reduce((sum, v) => sum + v.log_end, 0);
    const h = history.get(e.name) || [];
    h.push({ t: now, log });
    if (h.length > HISTORY) h.shift();
    history.set(e.name, h);
  }
}

export function startStatus() {
  if (source) return;
  source = new EventSource('/admin/status/events');
  source.addEventListener('status', (ev) => {
    latest = JSON.parse(ev.data);
    record(latest);
    for (const fn of listeners) fn(latest);
  });
  source.addEventListener('end', () => stopStatus());
  // Refused on reconnecting (the server restarted: sessions live in its
  // memory): the browser gives up; say so rather than show stale figures.
  source.addEventListener('error', () => {
    if (source && source.readyState === EventSource.CLOSED) {
      stopStatus();
      document.getElementById('toast').textContent =
        'The status stream ended (server restarted or session expired): reload the page to log in again.';
    }
  });
}

export function stopStatus() {
  if (source) source.close();
  source = null;
}
