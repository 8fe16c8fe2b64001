// ticket: the thread (text only), outbound mail, audit trail and actions;
// and the held-mail list. Attachments and HTML parts are links to
// downloads the server sends as application/octet-stream attachments.
import { get, post } from './api.js';
import { el, clear, when, pill, toast, beginPaint, isLatest } from './dom.js';

let current = null;

export function currentTicket() { return current; }

function message(m) {
  const parts = m.parts.length ? el('ul', { class: 'parts' }, ...m.parts.map((p) =>
    el('li', {}, el('a', { href: `/api/messages/${m.id}/parts/${p.n}`, download: '', text: p.filename || '(unnamed part)' }),
      ' ', el('span', { class: 'muted', text: `${p.content_type}, ${p.size} bytes` })))) : null;
  return el('article', { class: 'msg ' + m.direction, 'data-message': m.id },
    el('div', { class: 'hdr' },
      el('div', {}, el('b', { text: m.direction === 'in' ? 'From ' : 'To ' }), m.direction === 'in' ? (m.from || '(no From)') : m.to),
      el('div', {}, el('b', { text: 'Subject ' }), m.subject || '(no subject)'),
      el('div', {}, el('b', { text: 'Date ' }), m.date || when(m.received_at), ' · ',
        el('a', { href: `/api/messages/${m.id}/raw`, download: '', text: 'raw message' }),
        m.defects ? el('span', { text: ' · defects: ' + m.defects }) : null,
        m.error ? el('span', { class: 'error', text: ' · ' + m.error }) : null)),
    el('pre', { class: 'body', text: m.body_text }), parts);
}

function outboxTable(rows, onChange, compact = false) {
  if (!rows.length) return el('p', { class: 'empty', text: 'No outbound mail.' });
  const t = el('table', { class: 'outbox' }, el('thead', {}, el('tr', {},
    el('th', { text: 'Mail' }), el('th', { text: 'To' }), el('th', { text: 'State' }))));
  const b = el('tbody');
  for (const o of rows) {
    const act = o.state === 'held' ? el('span', {},
      el('button', { type: 'button', class: 'primary', 'data-approve': o.id, text: 'Approve', onclick: async () => {
        await post(`/api/outbox/${o.id}/approve`); toast('Approved: queued for sending'); onChange();
      } }), ' ',
      el('button', { type: 'button', 'data-edit': o.id, text: 'Edit', onclick: () => editHeld(o.id, onChange) }), ' ',
      el('button', { type: 'button', class: 'danger', 'data-discard': o.id, text: 'Discard', onclick: async () => {
        await post(`/api/outbox/${o.id}/discard`); toast('Discarded'); onChange();
      } })) : el('span', { class: 'muted', text: o.last_error || when(o.sent_at || o.created_at) });
    const stamp = when(o.sent_at || o.created_at) + (o.last_error ? ' · ' + o.last_error : '');
    b.append(el('tr', { 'data-outbox': o.id, title: stamp },
      el('td', {}, el('div', { text: o.purpose }), compact || !o.ticket ? null : el('a', { href: '#/ticket/' + o.ticket, text: '#' + o.ticket })),
      el('td', { class: 'clip', title: o.rcpt, text: o.rcpt }),
      el('td', {}, pill(o.state), compact && o.state !== 'held' ? null : el('div', {}, act))));
  }
  t.append(b);
  return t;
}

// A letter's three fields, for writing from a ticket and for editing held
// mail: what is typed here is what is sent (the server adds only the tag).
function letterForm(id, title, { to = '', subject = '', body = '' }, submitText, onsubmit, extra = null) {
  const old = document.getElementById(id);
  if (old) old.remove();
  const f = el('form', { class: 'composer letter', id, onsubmit: async (ev) => {
    ev.preventDefault();
    await onsubmit({ to: f.to.value.trim(), subject: f.subject.value, body: f.body.value });
  } }, el('div', { text: title }),
  el('label', {}, 'To ', el('input', { name: 'to', value: to, size: 40, required: true, 'aria-label': 'to' })), extra,
  el('label', {}, 'Subject ', el('input', { name: 'subject', value: subject, size: 60, 'aria-label': 'subject' })),
  el('textarea', { name: 'body', 'aria-label': 'body', rows: 16 }),
  el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', text: submitText }),
    el('button', { type: 'button', text: 'Cancel', onclick: () => f.remove() })));
  f.body.value = body;	// a property: the text never passes through markup
  return f;
}

// Held mail changed before approval: the server discards the held row and
// holds the edited one in its place.
async function editHeld(id, onChange) {
  const o = await get(`/api/outbox/${id}`);
  const f = letterForm('edit-held', `Edit held ${o.purpose} #${o.id} (the tag stays in the Subject)`, { to: o.rcpt, subject: o.subject, body: o.body },
    'Save (stays held)', async (m) => {
      const r = await post(`/api/outbox/${id}/edit`, m);
      toast(`Held mail #${r.outbox} replaces #${id}`); f.remove(); onChange();
    });
  const host = document.getElementById('thread') || document.getElementById('view');
  host.prepend(f);
  f.body.focus();
}

// Writing to the organisation's security contact or a network's abuse
// contact: the draft is the notify template filled by the server.
export async function startWrite(to = '') {
  if (!current) return;
  const number = current.number;
  const contacts = [...new Set(((current.routing || {}).sources || []).map((s) => s.contact).filter(Boolean)
    .flatMap((c) => c.split(',').map((x) => x.trim())).filter(Boolean))];
  const pick = contacts.length ? el('select', { name: 'pick', 'aria-label': 'contacts from routing', onchange: () => draft(pick.value) },
    el('option', { value: '', text: 'contacts from routing…' }), ...contacts.map((c) => el('option', { value: c, text: c }))) : null;
  const f = letterForm('write', `Write from #${number} (the tag is added to the Subject)`, { to }, 'Send', async (m) => {
    const r = await post(`/api/tickets/${number}/write`, m);
    toast('Queued to ' + r.to); render(number);
  }, pick);
  async function draft(addr) {
    if (!addr) return;
    const d = await get(`/api/tickets/${number}/draft?to=${encodeURIComponent(addr)}`);
    f.to.value = d.to; f.subject.value = d.subject; f.body.value = d.body;
  }
  document.getElementById('thread').prepend(f);
  if (to) await draft(to);
  (to ? f.body : f.to).focus();
}

export function link() {
  if (!current || current.kind !== 'report') return;
  const number = current.number;
  inlineForm('link', `Link #${number} to incident`, '', async (v) => {
    const n = parseInt(v.replace(/\D/g, ''), 10);
    if (!n) return;
    await post(`/api/tickets/${number}/link`, { incident: n });
    toast(`#${number} linked to incident #${n}`); render(number);
  });
}

export async function renderOutbox() {
  const view = document.getElementById('view');
  const paint = beginPaint();
  const r = await get('/api/outbox?state=held');
  if (!isLatest(paint)) return;
  clear(view).append(el('h1', { text: 'Held mail' }),
    el('p', { class: 'muted', text: 'Notifications held for an analyst: approve to send, discard to drop.' }),
    outboxTable(r.outbox, renderOutbox));
}

function composer(t) {
  const ta = el('textarea', { id: 'reply-text', 'aria-label': 'reply text', placeholder: 'Write to ' + t.reporter + ' …' });
  const box = el('form', { class: 'composer', id: 'reply', onsubmit: async (ev) => {
    ev.preventDefault();
    const r = await post(`/api/tickets/${t.number}/reply`, { text: ta.value });
    toast('Reply queued to ' + r.to); render(t.number);
  } }, el('div', { text: 'Reply to the reporter (the tag and the team footer are added)' }), ta,
  el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', text: 'Send reply' }),
    el('button', { type: 'button', text: 'Cancel', onclick: () => box.remove() })));
  return box;
}

export function startReply() {
  if (!current || !current.reporter || document.getElementById('reply')) return;
  document.getElementById('thread').prepend(composer(current));
  document.getElementById('reply-text').focus();
}

export async function setStatus(status) {
  if (!current) return;
  await post(`/api/tickets/${current.number}/status`, { status });
  toast(`#${current.number} is ${status}`); render(current.number);
}

// A one-field form under the actions (no prompt(): dialogs are reserved
// as the XSS tests' tripwire, and a form can be driven by keyboard).
function inlineForm(id, label, value, onsubmit) {
  const old = document.getElementById(id);
  if (old) { old.remove(); return; }
  const input = el('input', { name: 'value', id: id + '-value', value, size: 30, 'aria-label': label });
  const f = el('form', { class: 'composer', id, onsubmit: async (ev) => { ev.preventDefault(); await onsubmit(input.value.trim()); } },
    el('label', {}, label + ' ', input), ' ', el('button', { type: 'submit', class: 'primary', text: 'OK' }),
    ' ', el('button', { type: 'button', text: 'Cancel', onclick: () => f.remove() }));
  document.getElementById('thread').prepend(f);
  input.focus();
}

export function merge() {
  if (!current || current.merged_into) return;
  const from = current.number;
  inlineForm('merge', `Merge #${from} into ticket`, '', async (v) => {
    const n = parseInt(v.replace(/\D/g, ''), 10);
    if (!n) return;
    await post(`/api/tickets/${from}/merge`, { into: n });
    toast(`#${from} merged into #${n}`); location.hash = '#/ticket/' + n;
  });
}

export function classify() {
  if (!current) return;
  const number = current.number;
  inlineForm('classify', 'Classification (e.g. information-gathering/scanner)', current.classification, async (v) => {
    await post(`/api/tickets/${number}/classification`, { classification: v });
    toast('Classification set'); render(number);
  });
}

// The evidence summary and the completeness checklist (evidence/report.h):
// what the report proves and what it lacks, so a reply can ask for exactly
// that. Everything in it came from the reporter: text only.
function evidenceSection(e) {
  const list = (items) => el('ul', { class: 'plain' }, ...items.map((x) => el('li', {}, ...[].concat(x))));
  const parts = [el('h2', { text: 'Evidence' }),
    el('div', { class: 'meta' }, el('b', { text: e.abuse_type || 'unknown' }),
      el('span', { text: `${e.events || 0} events` }), e.log_lines ? el('span', { text: `${e.log_lines} log lines` }) : null)];
  if (e.checklist && e.checklist.length) {
    parts.push(el('table', { class: 'checklist' }, el('tbody', {}, ...e.checklist.map((c) =>
      el('tr', { 'data-item': c.item }, el('td', { text: c.item }), el('td', {}, el('span', { class: 'pill ck-' + c.state, text: c.state })),
        el('td', { class: 'muted', text: c.reason }))))));
  }
  if (e.sources && e.sources.length) {
    parts.push(el('h3', { text: `Sources (${e.sources_total ?? e.sources.length})` }),
      list(e.sources.slice(0, 20).map((x) => [el('code', { text: x.ip }), ` ${x.events} events`, x.first ? ` · ${x.first} – ${x.last}` : ''])));
  }
  if (e.ports && e.ports.length) parts.push(el('h3', { text: 'Ports' }), el('p', { text: e.ports.map((p) => `${p.port}/${p.proto} (${p.events})`).join(', ') }));
  if (e.evidence_lines && e.evidence_lines.length) {
    parts.push(el('h3', { text: 'Sample lines' }), el('pre', { class: 'body', text: e.evidence_lines.map((l) => l.line).join('\n') }));
  }
  if (e.statement) parts.push(el('h3', { text: 'Statement' }), el('p', { class: 'quote', text: e.statement }));
  return el('section', { 'data-section': 'evidence', id: 'evidence' }, ...parts);
}

// The routing decision per source: inside which organisation or outside
// which network, the contact, the range that matched, and the incident.
function routingSection(t) {
  const rel = t.kind === 'incident' ? 'reports' : 'incidents';
  const rows = t.routing.sources.map((s) => el('tr', { 'data-source': s.source },
    el('td', {}, el('code', { text: s.source })),
    el('td', {}, el('span', { class: 'pill where-' + s.where, text: s.where }),
      s.org ? el('div', { text: s.org.name || s.org.id }) : null,
      s.network ? el('div', { class: 'muted', text: s.network.netname || s.network.origin }) : null,
      s.xarf ? el('div', { class: 'muted', text: 'X-ARF' }) : null,
      s.prefix ? el('div', {}, el('code', { text: s.prefix })) : null),
    el('td', {}, s.contact ? el('button', { type: 'button', class: 'link', 'data-write': s.contact, title: 'Write to ' + s.contact,
      text: s.contact, onclick: () => startWrite(s.contact.split(',')[0].trim()) }) : el('span', { class: 'muted', text: 'nobody known' }),
    ...(s[rel] || []).map((n) => el('div', {}, el('a', { href: '#/ticket/' + n, text: '#' + n }))))));
  return el('section', { 'data-section': 'routing', id: 'routing' },
    el('h2', { text: 'Routing' + (t.routing.party ? ' · ' + t.routing.party : '') }),
    t.routing.error ? el('p', { class: 'error', text: t.routing.error }) : null,
    el('table', { class: 'routing' }, el('thead', {}, el('tr', {}, el('th', { text: 'Source' }), el('th', { text: 'Decision' }),
      el('th', { text: 'Contact · ' + (t.kind === 'incident' ? 'reports' : 'incident') }))), el('tbody', {}, ...rows)));
}

// The sections other modules add to the ticket JSON.
function extraSections(t) {
  const out = [];
  if (t.evidence) out.push(evidenceSection(t.evidence));
  if (t.links && t.links.length) {
    const other = (l) => (t.kind === 'incident' ? l.report : l.incident);
    out.push(el('section', { 'data-section': 'links', id: 'links' },
      el('h2', { text: t.kind === 'incident' ? `Reports (${t.links.length})` : 'Incidents' }),
      el('ul', { class: 'plain' }, ...t.links.map((l) => el('li', {},
        el('a', { href: '#/ticket/' + other(l), text: '#' + other(l) }), ' ', el('code', { text: l.source }),
        ` · ${l.events} events`, l.notified_at ? ' · notified ' + when(l.notified_at) : '')))));
  }
  if (t.routing && t.routing.sources && t.routing.sources.length) out.push(routingSection(t));
  return out;
}

export async function render(number) {
  const view = document.getElementById('view');
  const paint = beginPaint();
  const t = await get('/api/tickets/' + number);
  if (!isLatest(paint)) return;
  current = t;
  const st = t.status;
  const actions = el('div', { class: 'actions' },
    el('button', { type: 'button', id: 'act-reply', class: 'primary', disabled: !t.reporter, onclick: startReply, text: 'Reply (r)' }),
    st !== 'resolved' ? el('button', { type: 'button', id: 'act-resolve', onclick: () => setStatus('resolved'), text: 'Resolve (x)' }) : null,
    st === 'resolved' || st === 'rejected' ? el('button', { type: 'button', id: 'act-reopen', onclick: () => setStatus('open'), text: 'Reopen (o)' }) : null,
    st !== 'rejected' ? el('button', { type: 'button', id: 'act-reject', onclick: () => setStatus('rejected'), text: 'Reject (X)' }) : null,
    !t.merged_into ? el('button', { type: 'button', id: 'act-merge', onclick: merge, text: 'Merge… (m)' }) : null,
    el('button', { type: 'button', id: 'act-classify', onclick: classify, text: 'Classify… (c)' }),
    el('button', { type: 'button', id: 'act-write', onclick: () => startWrite(), text: 'Write… (w)' }),
    t.kind === 'report' ? el('button', { type: 'button', id: 'act-link', onclick: link, text: 'Link to incident… (l)' }) : null);
  const head = el('div', { class: 'ticket-head', 'data-number': t.number },
    el('div', { class: 'meta' }, el('a', { href: '#/', text: '← Queue (u)' }), el('span', { text: t.tag }), pill(t.status), el('span', { text: t.kind })),
    el('h1', { id: 'ticket-subject', text: t.subject || '(no subject)' }),
    el('div', { class: 'meta' },
      el('span', {}, 'Source: ', el('b', { id: 'ticket-reporter', text: t.reporter || '-' })),
      el('span', { text: 'Classification: ' + (t.classification || '-') }),
      el('span', { text: 'Organisation: ' + (t.org || '-') }),
      el('span', { text: 'Opened ' + when(t.created_at) }),
      t.merged_into ? el('span', {}, 'Merged into ', el('a', { href: '#/ticket/' + t.merged_into, text: '#' + t.merged_into })) : null,
      t.ack ? el('span', { text: 'Acknowledgment: ' + t.ack + (t.ack_note ? ' (' + t.ack_note + ')' : '') }) : null,
      t.needs_analyst ? el('span', { class: 'error', text: 'Processing failed: read the raw message' }) : null),
    actions);
  const audit = el('ol', { class: 'audit' }, ...t.audit.map((a) =>
    el('li', {}, el('time', { text: when(a.at) }), ' ', el('b', { text: a.actor }), ' ', a.action, a.detail ? ' · ' + a.detail : '')));
  clear(view).append(head, el('div', { class: 'cols' },
    el('div', { class: 'main', id: 'thread' }, el('h2', { text: `Thread (${t.thread.length})` }), ...t.thread.map(message)),
    el('div', { class: 'side' },
      ...extraSections(t),
      el('section', {}, el('h2', { text: 'Outbound mail' }), outboxTable(t.outbox, () => render(number), true)),
      el('section', {}, el('h2', { text: 'Audit trail' }), t.audit.length ? audit : el('p', { class: 'empty', text: 'No actions yet.' })))));
  window.scrollTo(0, 0);
}
