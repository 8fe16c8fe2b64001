// app: login, the hash router and the keyboard.
import { get, post, setCsrf, ApiError } from './api.js';
import { toast } from './dom.js';
import * as queue from './queue.js';
import * as ticket from './ticket.js';
import * as overview from './overview.js';
import * as account from './account.js';

const $ = (id) => document.getElementById(id);
let me = null;

function showLogin(msg) {
  me = null;
  $('bar').hidden = true; $('view').hidden = true; $('login').hidden = false;
  $('login-error').textContent = msg || '';
  $('login-name').focus();
}

async function route() {
  if (!me) return;
  const h = location.hash || '#/';
  $('nav-queue').classList.toggle('here', h === '#/' || h.startsWith('#/ticket'));
  $('nav-overview').classList.toggle('here', h === '#/overview');
  try {
    let m;
    if ((m = h.match(/^#\/ticket\/(\d+)$/))) await ticket.render(m[1]);
    else if (h === '#/overview') await overview.render();
    else if (h === '#/outbox') await ticket.renderOutbox();
    else if (h === '#/account') await account.render(me);
    else await queue.render();
  } catch (e) { failed(e); }
}

function failed(e) {
  if (e instanceof ApiError && e.status === 401) showLogin('Your session ended; log in again.');
  else toast(e.message || String(e));
}

async function start() {
  try {
    const s = await get('/api/session');
    if (s.user) loggedIn(s); else showLogin('');
  } catch (e) {
    showLogin('');
  }
}

function loggedIn(s) {
  me = s; setCsrf(s.csrf);
  $('who').textContent = s.user + (s.role === 'admin' ? ' (admin)' : '');
  $('who').href = '#/account';
  $('login').hidden = true; $('bar').hidden = false; $('view').hidden = false;
  route();
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const s = await post('/api/login', { name: $('login-name').value, password: $('login-password').value });
    $('login-password').value = '';
    loggedIn(s);
  } catch (e) {
    $('login-error').textContent = e.message;
  }
});

$('logout').addEventListener('click', async () => {
  try { await post('/api/logout'); } catch (e) { /* the session is gone either way */ }
  // The next person starts at the queue, not on this one's page.
  history.replaceState(null, '', '#/');
  showLogin('Logged out.');
});

window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (ev) => { ev.preventDefault(); failed(ev.reason); });

let lastKey = '';
document.addEventListener('keydown', (ev) => {
  if (!me || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = (ev.target.tagName || '').toLowerCase();
  if (tag === 'input' || tag === 'textarea' || tag === 'select') {
    if (ev.key === 'Escape') ev.target.blur();
    return;
  }
  const inTicket = location.hash.startsWith('#/ticket/');
  const k = ev.key;
  const seq = lastKey + k; lastKey = k;
  const act = (fn) => { ev.preventDefault(); Promise.resolve(fn()).catch(failed); };
  if (seq === 'go') return act(() => { location.hash = '#/overview'; });
  if (k === '?') return act(() => $('help').showModal());
  if (inTicket) {
    if (k === 'u' || k === 'Escape') return act(() => { location.hash = '#/'; });
    if (k === 'r') return act(ticket.startReply);
    if (k === 'x') return act(() => ticket.setStatus('resolved'));
    if (k === 'X') return act(() => ticket.setStatus('rejected'));
    if (k === 'o') return act(() => ticket.setStatus('open'));
    if (k === 'm') return act(ticket.merge);
    if (k === 'c') return act(ticket.classify);
    if (k === 'w') return act(() => ticket.startWrite());
    if (k === 'l') return act(ticket.link);
    return;
  }
  if (location.hash === '' || location.hash === '#/') {
    const s = queue.queueState();
    if (k === 'j' || k === 'ArrowDown') return act(() => queue.selectRow(s.sel + 1));
    if (k === 'k' || k === 'ArrowUp') return act(() => queue.selectRow(s.sel - 1));
    if (k === 'Enter' || k === 'o') return act(queue.openSelected);
    if (k === 'n') return act(queue.nextPage);
    if (k === 'p') return act(queue.prevPage);
    if (k === '/') return act(() => $('search').focus());
  } else if (k === 'u' || k === 'Escape') {
    return act(() => { location.hash = '#/'; });
  }
});

start();
