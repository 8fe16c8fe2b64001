// dom: the only way the UI builds elements. Text always goes in through
// textContent (never innerHTML), so a report's text shows as text.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function when(t) {
  if (!t) return '-';
  const d = new Date(t * 1000);
  return d.toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

let toastTimer = 0;
export function toast(msg) {
  const t = document.getElementById('toast');
  t.textContent = msg;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 2500);
}

export function pill(state) {
  return el('span', { class: 'pill st-' + state, text: state });
}

// Views fetch, then paint. A view whose data arrives after the analyst has
// moved on must not paint over the newer one: each render takes a ticket
// and paints only if it is still the latest.
let painting = 0;
export function beginPaint() { return ++painting; }
export function isLatest(t) { return t === painting; }
