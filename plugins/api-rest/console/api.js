// Calls to sluice's own REST API, same-origin, with the console's session
// cookie; every call that changes state carries the CSRF token.
let csrf = '';

export function setCsrf(token) { csrf = token || ''; }

// Runs a request; resolves to {ok, status, json, text, headers, ms}.
// Never rejects on an HTTP error: callers show the API's error as returned.
export async function call(method, path, body, extraHeaders = {}) {
  const headers = { ...extraHeaders };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-Sluice-CSRF'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
  }
  const started = performance.now();
  let resp;
  try {
    resp = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });
  } catch (e) {
    return { ok: false, status: 0, json: null, text: String(e), headers: new Headers(), ms: 0 };
  }
  const text = await resp.text();
  const ms = performance.now() - started;
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { ok: resp.ok, status: resp.status, json, text, headers: resp.headers, ms };
}

// "409 failed_precondition: version 3 is not ready" from an error answer.
export function errorText(r) {
  if (r.status === 0) return `network error: ${r.text}`;
  const e = r.json && r.json.error;
  if (e) return `${r.status} ${e.code}: ${e.message}`;
  return `${r.status}: ${r.text.slice(0, 300)}`;
}

// The endpoint path with a version: versioned('/trips', 2) -> '/v2/trips'.
export function versioned(path, version) {
  return version ? `/v${version}${path}` : path;
}
