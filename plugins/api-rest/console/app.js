// The console's shell: the session (log in once with an admin key; the
// cookie and CSRF token then carry every call), the pages behind
// #/overview, #/versions/NAME, #/playground/NAME, #/tail/NAME and #/health,
// and the status stream they share.
import { call, errorText, setCsrf } from './api.js';
import { h } from './dom.js';
import { startStatus, stopStatus } from './status.js';
import * as overview from './overview.js';
import * as versions from './versions.js';
import * as playground from './playground.js';
import * as tail from './tail.js';
import * as health from './health.js';

const pages = { overview, versions, playground, tail, health };
const main = document.getElementById('main');
let cleanup = null;

function route() {
  const [page, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const name = pages[page] ? page : 'overview';
  if (cleanup) cleanup();
  cleanup = null;
  main.replaceChildren();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const arg = rest.map(decodeURIComponent).join('/');
  cleanup = pages[name].render(main, arg) || null;
  document.title = `sluice console: ${main.querySelector('h1')?.textContent || name}`;
}

function showApp(session) {
  setCsrf(session.csrf);
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('who').textContent = session.principal ? `as ${session.principal}` : '';
  main.hidden = false;
  startStatus();
  window.addEventListener('hashchange', route);
  route();
}

function showLogin() {
  main.hidden = true;
  const login = document.getElementById('login');
  login.hidden = false;
  document.getElementById('login-key').focus();
}

async function logIn(key) {
  const r = await call('POST', '/console/session', key ? { key } : {});
  if (r.ok && r.json && r.json.session) return showApp(r.json);
  document.getElementById('login-error').textContent = errorText(r);
  showLogin();
}

document.getElementById('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  logIn(document.getElementById('login-key').value);
});

document.getElementById('logout').addEventListener('click', async () => {
  stopStatus();
  await call('DELETE', '/console/session');
  location.hash = '';
  location.reload();
});

async function start() {
  document.getElementById('loading')?.remove();
  const r = await call('GET', '/console/session');
  if (!r.ok || !r.json) {
    main.append(h('p', { class: 'error', role: 'alert' }, errorText(r)));
    return;
  }
  if (r.json.session) return showApp(r.json);
  if (r.json.anonymous) return logIn('');
  showLogin();
}

start();
