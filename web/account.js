// account: the caller's API tokens, and for admins the analysts.
// Secrets are shown once, in the page that made them.
import { get, post, ApiError } from './api.js';
import { el, clear, when, toast, beginPaint, isLatest } from './dom.js';

function secret(label, value) {
  return el('p', { class: 'secret' }, label + ' ', el('code', { class: 'once', text: value }),
    el('span', { class: 'muted', text: ' (shown once: copy it now)' }));
}

// The constituency files (docs/CONSTITUENCY.md) replace the desk's
// organisations all at once, or not at all: every problem is listed by
// file and line, as text.
function constituencyImport() {
  const out = el('div', { id: 'constituency-out' });
  const input = el('input', { type: 'file', name: 'files', multiple: true, accept: '.conf,text/plain', 'aria-label': 'constituency files', required: true });
  const form = el('form', { class: 'filters', id: 'constituency-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const files = await Promise.all([...input.files].map(async (f) => ({ name: f.name, text: await f.text() })));
    clear(out);
    try {
      const r = await post('/api/constituency', { files });
      // a fresh page, so the desk trail shows the import
      const me = await get('/api/session');
      await render(me);
      document.getElementById('constituency-out').append(el('p', { class: 'ok', text: `Loaded ${r.organisations} organisations with ${r.prefixes} prefixes.` }));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      out.append(el('p', { class: 'error', text: e.message }),
        el('ul', { class: 'plain errors' }, ...((e.body && e.body.errors) || []).map((x) => el('li', {}, el('code', { text: x })))));
    }
  } }, input, el('button', { type: 'submit', text: 'Import constituency' }));
  return el('div', {}, el('h2', { text: 'Constituency' }),
    el('p', { class: 'muted', text: 'Upload every constituency file: together they replace the organisations the desk serves.' }), form, out);
}

export async function render(me) {
  const view = document.getElementById('view');
  const tokenOut = el('div');
  const tokenForm = el('form', { class: 'filters', id: 'token-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const r = await post('/api/tokens', { label: tokenForm.label.value.trim() });
    clear(tokenOut).append(secret('Token "' + r.label + '":', r.token));
    tokenForm.reset();
  } }, el('input', { name: 'label', placeholder: 'what the token is for', size: 30 }),
  el('button', { type: 'submit', text: 'New API token' }));
  const parts = [el('h1', { class: 'page', text: 'Account: ' + me.user }),
    el('h2', { text: 'API tokens' }),
    el('p', { class: 'muted', text: 'Scripts send a token as "Authorization: Bearer TOKEN"; it acts as you. See docs/api.md.' }),
    tokenForm, tokenOut];
  if (me.role === 'admin') {
    const paint = beginPaint();
    const users = (await get('/api/users')).users;
    if (!isLatest(paint)) return;
    const out = el('div');
    const form = el('form', { class: 'filters', id: 'user-form', onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await post('/api/users', { name: form.name.value.trim(), role: form.role.value });
      toast('Added ' + r.name);
      await render(me);
      document.getElementById('user-out').append(secret(`One-time password for ${r.name}:`, r.password));
    } }, el('input', { name: 'name', placeholder: 'name', size: 20, required: true }),
    el('select', { name: 'role', 'aria-label': 'role' }, el('option', { value: 'analyst', text: 'analyst' }), el('option', { value: 'admin', text: 'admin' })),
    el('button', { type: 'submit', text: 'Add user' }));
    const t = el('table', { id: 'users' }, el('thead', {}, el('tr', {}, el('th', { text: 'Name' }), el('th', { text: 'Role' }),
      el('th', { class: 'num', text: 'Failed logins' }), el('th', { text: 'Since' }))));
    const b = el('tbody');
    for (const u of users) b.append(el('tr', {}, el('td', { text: u.name }), el('td', { text: u.role }),
      el('td', { class: 'num', text: u.failures }), el('td', { class: 'num', text: when(u.created_at) })));
    t.append(b);
    out.id = 'user-out';
    const trail = (await get('/api/audit')).audit;
    if (!isLatest(paint)) return;
    parts.push(el('h2', { text: 'Users' }), form, out, t, constituencyImport(),
      el('h2', { text: 'Desk trail' }), trail.length ? el('ol', { class: 'audit', id: 'desk-audit' }, ...trail.slice(-50).reverse().map((a) =>
        el('li', {}, el('time', { text: when(a.at) }), ' ', el('b', { text: a.actor }), ' ', a.action, a.detail ? ' · ' + a.detail : '')))
        : el('p', { class: 'empty', text: 'Nothing yet.' }));
  }
  clear(view).append(...parts);
}
