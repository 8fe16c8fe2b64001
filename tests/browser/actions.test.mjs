// The analyst's actions beyond replying, through the JSON API: the routing
// decision on a ticket, writing to the organisation or the external abuse
// contact from a draft, editing a held notification, linking a report to
// another incident, and the admin's constituency import. Each is on the
// audit trail, needs the CSRF token, and refuses bad input with a 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDesk, Client } from './desk.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const eml = (name) => readFileSync(join(here, '..', 'e2e', 'routing', name), 'utf8');
const COLLEGE_D = 'security@college-d.example.ac.uk';
const HOSTING = 'abuse@hosting.example.com';

let desk, analyst, admin, inside, outside;
before(async () => {
  desk = await startDesk({
    routing: true,
    set: ['routing.xarf=true'],	// notifications to external networks carry X-ARF

    reports: [
      { raw: eml('01-inside.eml'), sender: 'netops@uni-a.example.ac.uk' },
      { raw: eml('03-outside.eml'), sender: 'security@college-b.example.ac.uk' },
    ],
  });
  analyst = new Client(desk.url);
  await analyst.login(...desk.users.analyst);
  admin = new Client(desk.url);
  await admin.login(...desk.users.admin);
  const q = (await analyst.get('/api/tickets?limit=100')).json.tickets;
  inside = q.find((t) => t.kind === 'report' && /198\.51\.100\.23/.test(t.subject)).number;
  outside = q.find((t) => t.kind === 'report' && /192\.0\.2\.10/.test(t.subject)).number;
});
after(async () => { await desk?.stop(); });

const ticket = async (n) => (await analyst.get(`/api/tickets/${n}`)).json;
const audit = async (n) => (await ticket(n)).audit.map((a) => `${a.actor} ${a.action} ${a.detail}`);

test('a ticket shows the routing decision per source', async () => {
  const rows = [
    // ticket, source, where, who, contact, prefix
    [inside, '198.51.100.23', 'inside', (r) => r.org.id === 'college-d', COLLEGE_D, '198.51.100.0/27'],
    [outside, '203.0.113.77', 'outside', (r) => typeof r.network.origin === 'string' && r.xarf === true, HOSTING, null],
  ];
  for (const [n, source, where, who, contact, prefix] of rows) {
    const t = await ticket(n);
    const r = t.routing.sources.find((s) => s.source === source);
    assert.ok(r, `ticket ${n}: got ${JSON.stringify(t.routing)}, want a row for ${source}`);
    assert.equal(r.where, where, `ticket ${n}: where`);
    assert.ok(who(r), `ticket ${n}: got ${JSON.stringify(r)}`);
    assert.equal(r.contact, contact);
    if (prefix) assert.equal(r.prefix, prefix);
    else assert.match(r.prefix, /^203\.0\.113\./);
    assert.equal(r.incidents.length, 1, 'the incident routing linked it to');
    assert.equal((await ticket(r.incidents[0])).kind, 'incident');
  }
});

test('write to the organisation: a draft from the notify template, sent as written', async () => {
  const d = await analyst.get(`/api/tickets/${inside}/draft?to=${encodeURIComponent(COLLEGE_D)}`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.is_listed, true);
  assert.match(d.json.body, new RegExp(`Janet CSIRT#${inside}`), 'the tag');
  assert.match(d.json.body, /198\.51\.100\.23/, 'the source');
  assert.match(d.json.body, /on your organisation's network/, 'inside wording');
  assert.match(d.json.body, /ssh/i, 'the evidence summary');
  assert.match(d.json.subject, /from 198\.51\.100\.23/);
  const body = d.json.body + '\nPlease also check 198.51.100.24.\n';
  assert.equal((await ticket(inside)).status, 'new');
  const w = await analyst.post(`/api/tickets/${inside}/write`, { to: COLLEGE_D, subject: d.json.subject, body });
  assert.equal(w.status, 200, w.text);
  const t = await ticket(inside);
  assert.equal(t.status, 'open', 'writing to a contact opens a new ticket, as a reply does');
  const row = t.outbox.find((o) => o.id === w.json.outbox);
  assert.equal(row.purpose, 'notify');
  assert.equal(row.rcpt, COLLEGE_D);
  assert.notEqual(row.state, 'held', 'an analyst\'s own mail is not held again');
  assert.ok((await audit(inside)).includes(`sam write outbox ${w.json.outbox} to ${COLLEGE_D}`));
  const sent = (await analyst.get(`/api/outbox/${w.json.outbox}`)).json;
  assert.equal(sent.body, body);
  assert.match(sent.subject, new RegExp(`^\\[Janet CSIRT#${inside}\\] `));
  // the external abuse contact, from the outside report
  const e = await analyst.get(`/api/tickets/${outside}/draft?to=${encodeURIComponent(HOSTING)}`);
  assert.equal(e.status, 200);
  assert.match(e.json.body, /203\.0\.113\.77/);
  assert.doesNotMatch(e.json.body, /on your organisation's network/);
});

test('write and draft refuse what is not one address, and bad JSON', async () => {
  const rows = [
    // method, path, body, status
    ['GET', `/api/tickets/${inside}/draft?to=nobody`, undefined, 400],
    ['GET', `/api/tickets/${inside}/draft`, undefined, 400],
    ['GET', `/api/tickets/999999/draft?to=a@b.example`, undefined, 404],
    ['POST', `/api/tickets/${inside}/write`, { to: 'a@b.example\r\nBcc: x@evil.example', subject: 's', body: 'b' }, 400],
    ['POST', `/api/tickets/${inside}/write`, { to: 'a@b.example, c@d.example', subject: 's', body: 'b' }, 400],
    ['POST', `/api/tickets/${inside}/write`, { to: 'a@b.example', subject: 's', body: '   ' }, 400],
    ['POST', `/api/tickets/${inside}/write`, { to: 'a@b.example', body: 'b' }, 400],
  ];
  for (const [method, path, body, status] of rows) {
    const r = method === 'GET' ? await analyst.get(path) : await analyst.post(path, body);
    assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: got ${r.status} ${r.text}`);
    assert.equal(typeof r.json.error, 'string');
  }
  const raw = await analyst.req('POST', `/api/tickets/${inside}/write`, { raw: '{"to":', headers: { 'X-CSRF-Token': analyst.csrf, 'Content-Type': 'application/json' } });
  assert.equal(raw.status, 400);
  const nocsrf = await analyst.req('POST', `/api/tickets/${inside}/write`, { body: { to: COLLEGE_D, subject: 's', body: 'b' } });
  assert.equal(nocsrf.status, 403);
});

test('a held notification is edited before approval: the old one discarded, the new one held', async () => {
  const held = (await analyst.get('/api/outbox?state=held')).json.outbox.find((o) => o.rcpt === HOSTING);
  assert.ok(held, 'routing held a notification to the external abuse contact');
  const before = (await analyst.get(`/api/outbox/${held.id}`)).json;
  assert.equal(before.state, 'held');
  assert.match(before.body, /203\.0\.113\.77/);
  const edited = { to: 'noc@hosting.example.com', subject: 'Port scan from your network', body: before.body.replace('Dear colleagues', 'Dear NOC') };
  const r = await analyst.post(`/api/outbox/${held.id}/edit`, edited);
  assert.equal(r.status, 200, r.text);
  const old = (await analyst.get(`/api/outbox/${held.id}`)).json;
  assert.equal(old.state, 'discarded');
  const now = (await analyst.get(`/api/outbox/${r.json.outbox}`)).json;
  assert.equal(now.state, 'held');
  assert.equal(now.rcpt, 'noc@hosting.example.com');
  assert.match(now.body, /^Dear NOC/);
  assert.match(now.subject, new RegExp(`^\\[Janet CSIRT#${held.ticket}\\] Port scan from your network$`));
  // an X-ARF notification stays one: the report and evidence parts are kept
  const rawOf = async (id) => {
    const o = (await analyst.get(`/api/outbox?state=`)).json.outbox.find((x) => x.id === id);
    return (await analyst.get(`/api/messages/${o.message}/raw`)).text;
  };
  const [oldRaw, newRaw] = [await rawOf(held.id), await rawOf(r.json.outbox)];
  assert.match(oldRaw, /^X-ARF: YES/m, 'routing.xarf made the original an X-ARF report');
  assert.match(newRaw, /^X-ARF: YES/m);
  for (const part of ['report.txt', 'logfile.log'])
    assert.equal(newRaw.includes(`name="${part}"`) || newRaw.includes(`name=${part}`), oldRaw.includes(`name="${part}"`) || oldRaw.includes(`name=${part}`), part);
  assert.ok(newRaw.includes('Dear NOC'));
  assert.ok((await audit(held.ticket)).includes(
    `sam edit outbox ${held.id} notify to ${HOSTING} replaced by outbox ${r.json.outbox} to noc@hosting.example.com`));
  // only held mail: the discarded one cannot be edited, nor can a missing one
  assert.equal((await analyst.post(`/api/outbox/${held.id}/edit`, edited)).status, 409);
  assert.equal((await analyst.post('/api/outbox/999999/edit', edited)).status, 404);
  assert.equal((await analyst.post(`/api/outbox/${r.json.outbox}/edit`, { ...edited, to: 'x' })).status, 400);
  // and the edited one is what gets approved
  assert.equal((await analyst.post(`/api/outbox/${r.json.outbox}/approve`, {})).status, 200);
});

test('a report is linked by hand to another incident, on both trails', async () => {
  const insideIncident = (await ticket(inside)).routing.sources[0].incidents[0];
  const r = await analyst.post(`/api/tickets/${outside}/link`, { incident: insideIncident, source: '203.0.113.77' });
  assert.equal(r.status, 200, r.text);
  const inc = await ticket(insideIncident);
  assert.ok(inc.links.some((l) => l.report === outside && l.source === '203.0.113.77'), JSON.stringify(inc.links));
  assert.ok((await audit(outside)).includes(`sam link linked to incident ${insideIncident} (203.0.113.77)`));
  assert.ok((await audit(insideIncident)).includes(`sam link linked report ${outside}`));
  // without a source: the report's evidence sources
  const all = await analyst.post(`/api/tickets/${inside}/link`, { incident: (await ticket(outside)).routing.sources[0].incidents[0] });
  assert.equal(all.status, 200, all.text);
  assert.deepEqual(all.json.sources, ['198.51.100.23']);
  const rows = [
    [{ incident: outside }, 400],			// not an incident
    [{ incident: insideIncident, source: 'not-an-ip' }, 400],
    [{ incident: 'x' }, 400],
    [{ incident: 999999 }, 404],
  ];
  for (const [body, status] of rows) {
    const b = await analyst.post(`/api/tickets/${outside}/link`, body);
    assert.equal(b.status, status, `${JSON.stringify(body)}: got ${b.status} ${b.text}`);
  }
  // an incident is not linked to an incident
  assert.equal((await analyst.post(`/api/tickets/${insideIncident}/link`, { incident: insideIncident })).status, 400);
});

test('constituency import: admin only, all or nothing, problems named by file and line', async () => {
  const good = { name: 'lab.conf', text: 'org lab-x\n  name         Lab X\n  security     cert@lab-x.example\n  prefix       198.51.100.0/24\n' };
  const bad = { name: 'bad.conf', text: 'org lab-y\n  prefix       300.1.2.3/8\n  colour       blue\n' };
  assert.equal((await analyst.post('/api/constituency', { files: [good] })).status, 403, 'analysts may not');
  const nocsrf = await admin.req('POST', '/api/constituency', { body: { files: [good] } });
  assert.equal(nocsrf.status, 403);
  const r = await admin.post('/api/constituency', { files: [good, bad] });
  assert.equal(r.status, 400, r.text);
  assert.match(r.json.error, /nothing was loaded/);
  assert.ok(r.json.errors.some((e) => /^bad\.conf:2: /.test(e)), JSON.stringify(r.json.errors));
  assert.ok(r.json.errors.some((e) => /^bad\.conf:3: /.test(e)), JSON.stringify(r.json.errors));
  let row = (await ticket(inside)).routing.sources[0];
  assert.equal(row.org.id, 'college-d', 'the desk kept the data it had');
  for (const body of [{}, { files: [] }, { files: [{ name: '', text: '' }] }, { files: [{ name: 'a' }] }])
    assert.equal((await admin.post('/api/constituency', body)).status, 400, JSON.stringify(body));
  const ok = await admin.post('/api/constituency', { files: [good] });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { organisations: 1, prefixes: 1 });
  row = (await ticket(inside)).routing.sources[0];
  assert.equal(row.org.id, 'lab-x', 'routing reads the new data at once');
  assert.equal(row.contact, 'cert@lab-x.example');
  assert.equal(row.prefix, '198.51.100.0/24');
  // on the desk-wide trail, which only admins read
  assert.equal((await analyst.get('/api/audit')).status, 403);
  const trail = (await admin.get('/api/audit')).json.audit.map((a) => `${a.actor} ${a.action} ${a.detail}`);
  assert.ok(trail.includes('ada constituency-import 1 organisations, 1 prefixes'), JSON.stringify(trail));
});

test('serve reloads on SIGHUP and the web desk keeps answering', async () => {
  desk.signal('SIGHUP');
  for (let i = 0; !/configuration and templates reloaded/.test(desk.log()); i++) {
    assert.ok(i < 300, 'serve logged the reload');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((await analyst.get('/api/counts')).status, 200);
});

test('an empty http.listen runs serve without a web desk', async () => {
  const { spawn } = await import('node:child_process');
  const { BIN, freePort, storeUrl } = await import('./desk.mjs');
  const port = await freePort();
  const proc = spawn(BIN, ['--db', storeUrl(desk.dir, 'nohttp'), '--set', 'http.listen=',
    '--set', `lmtp.listen=127.0.0.1:${port}`, '--set', 'pipeline.workers=1', 'serve'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  for (let i = 0; !/serve: ready/.test(log); i++) {
    assert.ok(i < 600 && proc.exitCode === null, 'serve started: ' + log);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(log, /http: no web desk \(http\.listen is empty\)/);
  assert.doesNotMatch(log, /web desk is listening/);
  const done = new Promise((r) => proc.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  assert.equal(await done, 0);
});
