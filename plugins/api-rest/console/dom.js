// Small DOM helpers: elements are built with createElement and text nodes
// only (no innerHTML), so nothing the API returns is ever parsed as markup.

// h('td', {class: 'num', 'data-col': 'rows'}, '42') -> <td class="num" data-col="rows">42</td>
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Sets an element's text only when it changed (cheap live updates).
export function setText(el, text) {
  const t = String(text);
  if (el.textContent !== t) el.textContent = t;
}

// A <select> with `options` (strings or [value, label]) and `selected`.
export function select(attrs, options, selected) {
  const s = h('select', attrs);
  for (const o of options) {
    const [value, label] = Array.isArray(o) ? o : [o, o];
    const opt = h('option', { value }, label);
    if (String(value) === String(selected)) opt.selected = true;
    s.append(opt);
  }
  return s;
}

// 1234567 -> "1,234,567".
export function num(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : String(n ?? '');
}

// ms since the epoch -> "2026-12-06 12:00:01Z" ("" for 0).
export function when(ms) {
  if (!ms) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// Asks for confirmation in the page's <dialog>; resolves to true or false.
export function confirmAction(title, text, okLabel = 'Confirm') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (opener && opener.focus) opener.focus();
      resolve(dialog.returnValue === 'ok');
    }, { once: true });
    dialog.returnValue = 'cancel';
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

// A short message for screen readers and eyes.
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
}

// An inline SVG sparkline of `values` (numbers >= 0), newest last.
export function sparkline(values, width = 120, height = 24) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS(NS, 'polyline');
  svg.append(line);
  updateSparkline(svg, values);
  return svg;
}

export function updateSparkline(svg, values) {
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`);
  svg.firstChild.setAttribute('points', pts.join(' '));
}
