// queue: the tickets, newest first, with filters, counts and keyset paging.
import { get } from './api.js';
import { el, clear, when, pill, beginPaint, isLatest } from './dom.js';

const PAGE = 50;
const state = { status: 'active', kind: '', org: '', classification: '', q: '', before: 0, stack: [], rows: [], sel: 0, next: null };

export function queueState() { return state; }

function params() {
  const p = new URLSearchParams();
  for (const k of ['status', 'kind', 'org', 'classification', 'q']) if (state[k]) p.set(k, state[k]);
  if (state.before) p.set('before', String(state.before));
  p.set('limit', String(PAGE));
  return p.toString();
}

function tabs(counts) {
  const t = counts.tickets;
  const defs = [
    ['active', 'Active', t.new + t.open], ['new', 'New', t.new], ['open', 'Open', t.open],
    ['resolved', 'Resolved', t.resolved], ['rejected', 'Rejected', t.rejected], ['', 'All', null],
  ];
  const nav = el('nav', { class: 'tabs', 'aria-label': 'status' });
  for (const [v, label, n] of defs) {
    nav.append(el('a', {
      href: '#/', class: state.status === v ? 'here' : '', 'data-status': v,
      onclick: (ev) => { ev.preventDefault(); state.status = v; state.before = 0; state.stack = []; render(); },
    }, label, n === null ? null : el('span', { class: 'count', text: n })));
  }
  const held = counts.outbox.held;
  nav.append(el('a', { href: '#/outbox', class: '', 'data-status': 'held' }, 'Held mail', el('span', { class: 'count', text: held })));
  return nav;
}

function filters() {
  const f = el('form', { class: 'filters', id: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    state.q = f.q.value.trim(); state.kind = f.kind.value; state.org = f.org.value.trim();
    state.classification = f.classification.value.trim(); state.before = 0; state.stack = []; render();
  } });
  f.append(
    el('input', { name: 'q', id: 'search', type: 'search', placeholder: 'Search subject or source  ( / )', value: state.q, size: 34 }),
    el('select', { name: 'kind', 'aria-label': 'kind' },
      el('option', { value: '', text: 'any kind' }),
      el('option', { value: 'report', text: 'reports', selected: state.kind === 'report' }),
      el('option', { value: 'incident', text: 'incidents', selected: state.kind === 'incident' })),
    el('input', { name: 'org', placeholder: 'organisation', value: state.org, size: 16 }),
    el('input', { name: 'classification', placeholder: 'classification', value: state.classification, size: 22 }),
    el('button', { type: 'submit', text: 'Filter' }));
  return f;
}

export function selectRow(i) {
  const rows = document.querySelectorAll('tr.row');
  if (!rows.length) return;
  state.sel = Math.max(0, Math.min(rows.length - 1, i));
  rows.forEach((r, k) => r.classList.toggle('sel', k === state.sel));
  rows[state.sel].scrollIntoView({ block: 'nearest' });
}

export function openSelected() {
  const r = state.rows[state.sel];
  if (r) location.hash = '#/ticket/' + r.number;
}

export function nextPage() {
  if (!state.next) return;
  state.stack.push(state.before); state.before = state.next; state.sel = 0; render();
}

export function prevPage() {
  if (!state.stack.length) return;
  state.before = state.stack.pop(); state.sel = 0; render();
}

export async function render() {
  const view = document.getElementById('view');
  const paint = beginPaint();
  const [counts, page] = await Promise.all([get('/api/counts'), get('/api/tickets?' + params())]);
  if (!isLatest(paint)) return;
  state.rows = page.tickets; state.next = page.next_before;
  const table = el('table', { id: 'queue' },
    el('thead', {}, el('tr', {},
      el('th', { class: 'num', text: '#' }), el('th', { text: 'Status' }), el('th', { text: 'Kind' }),
      el('th', { text: 'Subject' }), el('th', { text: 'Source' }), el('th', { text: 'Classification' }),
      el('th', { text: 'Organisation' }), el('th', { class: 'num', text: 'Msgs' }), el('th', { text: 'Updated' }))));
  const body = el('tbody');
  page.tickets.forEach((t, i) => {
    body.append(el('tr', { class: 'row', 'data-number': t.number, onclick: () => { state.sel = i; openSelected(); } },
      el('td', { class: 'num', text: t.number }), el('td', {}, pill(t.status)), el('td', { text: t.kind }),
      el('td', { class: 'subject', title: t.subject, text: t.subject || '(no subject)' }),
      el('td', { class: 'clip', title: t.reporter, text: t.reporter }),
      el('td', { class: 'clip', text: t.classification }), el('td', { class: 'clip', text: t.org }),
      el('td', { class: 'num', text: t.messages }), el('td', { class: 'num', text: when(t.updated_at) })));
  });
  table.append(body);
  const pager = el('div', { class: 'pager' },
    el('button', { type: 'button', disabled: !state.stack.length, onclick: prevPage, text: '← Newer (p)' }),
    el('button', { type: 'button', disabled: !state.next, onclick: nextPage, text: 'Older (n) →' }),
    el('span', { text: page.tickets.length ? `#${page.tickets[0].number} – #${page.tickets[page.tickets.length - 1].number}` : '' }));
  clear(view).append(tabs(counts), filters(),
    page.tickets.length ? table : el('p', { class: 'empty', text: 'Nothing here. The queue is clear.' }), pager);
  selectRow(state.sel);
}
