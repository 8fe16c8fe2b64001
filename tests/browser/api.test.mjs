// The JSON API's doors: authentication, CSRF, roles, bad input, limits,
// and the headers every answer carries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDesk, mail, Client } from './desk.mjs';

let desk;
before(async () => {
  desk = await startDesk({
    set: ['http.logins_per_minute=1000', 'http.body_max=4096'],
    reports: [
      { raw: mail({ subject: 'Scan from 192.0.2.7', body: 'port scan log', attachments: [{ name: 'log.html', type: 'text/html', content: '<b>x</b>' }] }) },
      { raw: mail({ subject: 'Phishing at example.net', from: 'other@example.com' }) },
    ],
  });
});
after(async () => { await desk?.stop(); });

test('without a session the API answers 401, the health check 200', async () => {
  const c = new Client(desk.url);
  assert.equal((await c.get('/api/tickets')).status, 401);
  assert.equal((await c.get('/api/tickets/100001')).status, 401);
  assert.equal((await c.get('/healthz')).status, 200);
});

test('a wrong password is 401 and sets no cookie; the right one sets a strict cookie', async () => {
  const c = new Client(desk.url);
  const bad = await c.login('sam', 'not the password');
  assert.equal(bad.status, 401);
  assert.equal(bad.setCookie, null);
  const unknown = await c.login('nobody', 'whatever-long-enough');
  assert.equal(unknown.status, 401);
  const ok = await c.login(...desk.users.analyst);
  assert.equal(ok.status, 200);
  assert.match(ok.setCookie, /HttpOnly/);
  assert.match(ok.setCookie, /SameSite=Strict/);
  assert.doesNotMatch(ok.setCookie, /Secure/);
  assert.equal(ok.json.role, 'analyst');
  assert.equal((await c.get('/api/tickets')).status, 200);
});

test('every answer carries the security headers', async () => {
  const c = new Client(desk.url);
  for (const path of ['/', '/static/app.js', '/api/tickets', '/healthz']) {
    const r = await c.get(path);
    assert.equal(r.headers.get('content-security-policy').includes("default-src 'self'"), true, path);
    assert.equal(r.headers.get('content-security-policy').includes("frame-ancestors 'none'"), true, path);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
  }
});

test('a state-changing request without the right CSRF token is refused', async () => {
  const c = new Client(desk.url);
  await c.login(...desk.users.analyst);
  const q = (await c.get('/api/tickets')).json.tickets;
  const n = q[q.length - 1].number;
  const none = await c.req('POST', `/api/tickets/${n}/status`, { body: { status: 'resolved' } });
  assert.equal(none.status, 403);
  const wrong = await c.req('POST', `/api/tickets/${n}/status`, { body: { status: 'resolved' }, headers: { 'X-CSRF-Token': 'f'.repeat(64) } });
  assert.equal(wrong.status, 403);
  assert.equal((await c.get(`/api/tickets/${n}`)).json.status, 'new', 'refused requests change nothing');
  const ok = await c.post(`/api/tickets/${n}/status`, { status: 'resolved' });
  assert.equal(ok.status, 200);
  const t = (await c.get(`/api/tickets/${n}`)).json;
  assert.equal(t.status, 'resolved');
  assert.equal(t.audit.at(-1).actor, 'sam');
  assert.equal(t.audit.at(-1).action, 'resolved');
});

test('an analyst may not manage users; an admin may', async () => {
  const a = new Client(desk.url);
  await a.login(...desk.users.analyst);
  assert.equal((await a.get('/api/users')).status, 403);
  assert.equal((await a.post('/api/users', { name: 'eve', role: 'admin' })).status, 403);
  const b = new Client(desk.url);
  await b.login(...desk.users.admin);
  assert.equal((await b.get('/api/users')).status, 200);
  const made = await b.post('/api/users', { name: 'kim' });
  assert.equal(made.status, 200);
  assert.equal(made.json.password.length, 20);
  const k = new Client(desk.url);
  assert.equal((await k.login('kim', made.json.password)).status, 200);
  assert.equal((await b.post('/api/users', { name: 'kim' })).status, 409);
});

test('bad JSON, a wrong content type and a big body get clear 4xx answers', async () => {
  const c = new Client(desk.url);
  await c.login(...desk.users.analyst);
  const n = (await c.get('/api/tickets')).json.tickets[0].number;
  const bad = await c.req('POST', `/api/tickets/${n}/reply`, { raw: '{"text": ', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': c.csrf } });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /bad JSON at line 1/);
  const notObj = await c.req('POST', `/api/tickets/${n}/reply`, { raw: '[1]', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': c.csrf } });
  assert.equal(notObj.status, 400);
  const missing = await c.post(`/api/tickets/${n}/reply`, { txt: 'x' });
  assert.equal(missing.status, 400);
  const form = await c.req('POST', `/api/tickets/${n}/reply`, { raw: 'text=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': c.csrf } });
  assert.equal(form.status, 415);
  const big = await c.post(`/api/tickets/${n}/reply`, { text: 'x'.repeat(10000) });
  assert.equal(big.status, 413);
  assert.match(big.json.error, /over http\.body_max/);
  const huge = await c.req('GET', '/api/tickets', { headers: { 'X-Padding': 'a'.repeat(40000) } });
  assert.equal(huge.status, 431, 'headers over HTTP_HEADER_BYTES_MAX');
  assert.equal((await c.get('/api/tickets?status=bogus')).status, 400);
  assert.equal((await c.get('/api/tickets?before=abc')).status, 400);
  assert.equal((await c.get('/api/tickets/99999999')).status, 404);
});

test('an API token works without cookie or CSRF token', async () => {
  const c = new Client(desk.url);
  await c.login(...desk.users.analyst);
  const tok = await c.post('/api/tokens', { label: 'script' });
  assert.equal(tok.status, 200);
  const s = new Client(desk.url);
  const auth = { Authorization: 'Bearer ' + tok.json.token };
  const list = await s.req('GET', '/api/tickets', { headers: auth });
  assert.equal(list.status, 200);
  const n = list.json.tickets[0].number;
  const cl = await s.req('POST', `/api/tickets/${n}/classification`, { body: { classification: 'fraud/phishing' }, headers: auth });
  assert.equal(cl.status, 200);
  const bad = await s.req('GET', '/api/tickets', { headers: { Authorization: 'Bearer ' + '0'.repeat(64) } });
  assert.equal(bad.status, 401);
});

test('attachments download as octet-stream attachments, never inline', async () => {
  const c = new Client(desk.url);
  await c.login(...desk.users.analyst);
  const list = (await c.get('/api/tickets?q=scan')).json.tickets;
  assert.equal(list.length, 1);
  const t = (await c.get('/api/tickets/' + list[0].number)).json;
  const m = t.thread[0];
  assert.equal(m.parts.length, 1);
  assert.equal(m.parts[0].filename, 'log.html');
  const part = await c.get(`/api/messages/${m.id}/parts/${m.parts[0].n}`);
  assert.equal(part.status, 200);
  assert.equal(part.headers.get('content-type'), 'application/octet-stream');
  assert.match(part.headers.get('content-disposition'), /^attachment; filename="message-\d+-part-\d+\.bin"$/);
  assert.equal(part.text, '<b>x</b>');
  const raw = await c.get(`/api/messages/${m.id}/raw`);
  assert.equal(raw.headers.get('content-type'), 'application/octet-stream');
  assert.match(raw.text, /Subject: Scan from 192\.0\.2\.7/);
});

test('repeated failures lock the account, even for the right password', async () => {
  desk.cli(['user', 'add', 'lou']);
  const pw = desk.cli(['user', 'passwd', 'lou']).match(/one-time password: (\S+)/)[1];
  const c = new Client(desk.url);
  for (let i = 0; i < 5; i++) assert.equal((await c.login('lou', 'wrong password ' + i)).status, 401);
  const locked = await c.login('lou', pw);
  assert.equal(locked.status, 429);
  desk.cli(['user', 'passwd', 'lou']);	// an admin's reset clears the lock
});

test('logout ends the session', async () => {
  const c = new Client(desk.url);
  await c.login(...desk.users.analyst);
  const cookie = c.cookie;
  assert.equal((await c.post('/api/logout', {})).status, 200);
  c.cookie = cookie;
  assert.equal((await c.get('/api/tickets')).status, 401);
});

test('queue filters, counts, keyset paging, overview and metrics', async () => {
  const c = new Client(desk.url);
  await c.login(...desk.users.analyst);
  const all = (await c.get('/api/tickets?limit=1')).json;
  assert.equal(all.tickets.length, 1);
  assert.ok(all.next_before);
  const next = (await c.get('/api/tickets?limit=1&before=' + all.next_before)).json;
  assert.ok(next.tickets[0].number < all.tickets[0].number);
  assert.equal((await c.get('/api/tickets?q=PHISHING')).json.tickets.length, 1, 'search ignores case');
  assert.equal((await c.get('/api/tickets?q=other%40example')).json.tickets.length, 1, 'search covers the source');
  assert.equal((await c.get('/api/tickets?q=100%25')).json.tickets.length, 0, 'LIKE characters are literal');
  const counts = (await c.get('/api/counts')).json;
  assert.equal(typeof counts.tickets.new, 'number');
  const ov = (await c.get('/api/overview')).json;
  assert.equal(ov.per_day.length, 90);
  const svg = await c.get('/api/overview/per-day.svg');
  assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
  assert.match(svg.text, /^<svg /);
  const m = await c.get('/metrics');
  assert.match(m.text, /abusedesk_tickets\{status="new"\} \d+/);
  assert.match(m.text, /abusedesk_outbox\{state="queued"\} \d+/);
});

test('held outbound mail can be approved or discarded once, by an analyst', async () => {
  // Rows are held by the routing rules; until they land, hold one by hand.
  const c = new Client(desk.url);
  await c.login(...desk.users.analyst);
  const rows = (await c.get('/api/outbox')).json.outbox;
  assert.ok(rows.length >= 1);
  const id = rows[0].id;
  assert.equal((await c.post(`/api/outbox/${id}/approve`, {})).status, 409, 'only held rows');
});

test('one address may try to log in only http.logins_per_minute times a minute', async () => {
  const small = await startDesk({ set: ['http.logins_per_minute=3'] });
  try {
    const c = new Client(small.url);
    for (let i = 0; i < 3; i++) assert.equal((await c.login('sam', 'wrong password ' + i)).status, 401);
    const r = await c.login(...small.users.analyst);
    assert.equal(r.status, 429, 'even the right password waits');
    assert.equal(r.headers.get('retry-after'), '60');
    assert.match(r.json.error, /too many login attempts/);
  } finally {
    await small.stop();
  }
});

test('user add / passwd on the command line', async () => {
  const { spawnSync } = await import('node:child_process');
  const { BIN } = await import('./desk.mjs');
  const rows = [
    // args, exit code, output that must appear
    [['user', 'add', 'ada'], 65, /user ada exists/],
    [['user', 'passwd', 'nobody'], 66, /no user nobody/],
    [['user', 'add', 'bad name'], 64, /usage/],
    [['user', 'frob', 'x'], 64, /usage/],
    [['user', 'add', 'zed', '--prompt'], 64, /typed on a terminal/],
    [['user', 'add', 'zed', '--admin'], 0, /added zed \(admin\); one-time password: \S{20}/],
  ];
  for (const [args, code, re] of rows) {
    const r = spawnSync(BIN, ['--db', desk.db, ...args], { encoding: 'utf8', input: '' });
    assert.equal(r.status, code, `${args.join(' ')}: got exit ${r.status}, want ${code}: ${r.stderr}`);
    assert.match(r.stdout + r.stderr, re, args.join(' '));
  }
});
