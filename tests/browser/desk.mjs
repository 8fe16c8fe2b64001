// desk: starts a real `abusedesk serve` on a fresh database for one test
// file, delivers reports to it over LMTP (as Postfix would), waits until
// its workers made them tickets, and tears everything down. Loopback only;
// the HTTP port is picked by the kernel (http.listen=127.0.0.1:0) and read
// from the server's log line, the LMTP port is a free one found here.
// The store is on the backend of the run (as tests/e2e/backend.sh):
// ABUSEDESK_TEST_DB=postgresql (suite 'pg') makes a new database on the
// test cluster in ABUSEDESK_TEST_PG, else a SQLite file.
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';

export const BIN = process.env.ABUSEDESK_BIN || join(process.cwd(), 'build', 'abusedesk');
export const ARTIFACTS = process.env.ARTIFACTS_DIR || join(tmpdir(), 'abusedesk-artifacts');

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// A fresh, empty store named NAME for a desk in DIR: a URL or a file name.
export function storeUrl(dir, name) {
  if (process.env.ABUSEDESK_TEST_DB !== 'postgresql') return join(dir, `${name}.db`);
  const base = process.env.ABUSEDESK_TEST_PG;
  if (!base) throw new Error('suite pg needs a cluster: eval "$(tests/pg/pg-start.sh)"');
  const db = `w_${dir.split('/').pop()}_${name}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', base, '-c', `CREATE DATABASE ${db}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`CREATE DATABASE ${db}: ${r.stderr}`);
  return base.replace(/^(postgres[a-z]*:\/\/[^/?]*\/)[^?]*/, `$1${db}`);
}

function run(db, args, input, sets = []) {
  const r = spawnSync(BIN, ['--db', db, ...sets, ...args], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`abusedesk ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export function mail({ from = 'reporter@example.org', fromName = 'Reporter', subject = 'Report', body = 'text',
  headers = {}, attachments = [], messageId } = {}) {
  const b64 = (s) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\n');
  const enc = (s) => /^[\x20-\x7e]*$/.test(s) ? s : `=?utf-8?b?${Buffer.from(s, 'utf8').toString('base64')}?=`;
  const id = messageId || `${Date.now()}.${Math.random().toString(36).slice(2)}@example.org`;
  let h = `From: ${enc(fromName)} <${from}>\nTo: irt@csirt.example\nSubject: ${enc(subject)}\n` +
    `Message-ID: <${id}>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\n`;
  for (const [k, v] of Object.entries(headers)) h += `${k}: ${enc(v)}\n`;
  if (!attachments.length)
    return h + `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${b64(body)}\n`;
  let m = h + 'Content-Type: multipart/mixed; boundary="BOUNDARY"\n\n--BOUNDARY\n' +
    `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${b64(body)}\n`;
  for (const a of attachments) {
    m += `--BOUNDARY\nContent-Type: ${a.type || 'application/octet-stream'}\nContent-Transfer-Encoding: base64\n` +
      `Content-Disposition: attachment; filename*=utf-8''${encodeURIComponent(a.name)}\n\n${b64(a.content)}\n`;
  }
  return m + '--BOUNDARY--\n';
}

export function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
}

// One LMTP session (RFC 2033) delivering every report in turn; rejects
// unless each message gets its 250.
export function lmtpDeliver(port, reports) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const steps = ['LHLO test.example'];
    for (const r of reports) {
      const data = r.raw.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
      steps.push(`MAIL FROM:<${r.sender || 'reporter@example.org'}>`, 'RCPT TO:<irt@csirt.example>', 'DATA',
        data + (data.endsWith('\r\n') ? '' : '\r\n') + '.');
    }
    steps.push('QUIT');
    let buf = '', i = -1;
    sock.setEncoding('utf8');
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf += d;
      // a complete reply is a line "NNN text" (no dash after the code)
      for (let m; (m = buf.match(/^(\d{3})([ -])[^\n]*\n/));) {
        buf = buf.slice(m[0].length);
        if (m[2] === '-') continue;
        const code = Number(m[1]);
        if (code >= 400) { sock.destroy(); return reject(new Error(`LMTP: ${m[0].trim()} after ${steps[i] || 'greeting'}`.slice(0, 300))); }
        if (++i >= steps.length) { sock.end(); return resolve(); }
        sock.write(steps[i] + '\r\n');
      }
    });
  });
}

// routing: import the sample constituency and RPSL contacts (etc/), so
// reports about sources inside it open incidents and held notifications.
// relay: the outbox relay's port (smtp-sink), else mail stays queued.
export async function startDesk({ reports = [], set = [], routing = false, relay } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'abusedesk-web-'));
  const db = storeUrl(dir, 'desk');
  const lmtp = await freePort();
  // the sample reports' own relays (as tests/e2e/routing.sh)
  const cliSets = ['--set', 'evidence.trusted_relays=192.0.2.16/28'];
  const sets = [...cliSets, '--set', 'http.listen=127.0.0.1:0', '--set', 'http.threads=2',
    '--set', `lmtp.listen=127.0.0.1:${lmtp}`, '--set', 'pipeline.workers=1',
    '--set', `outbox.relay=smtp://127.0.0.1:${relay || 9}`,
    // a relay that was slow to come up costs a second, not the default
    // minute's backoff (longer than a test waits for its mail)
    '--set', 'outbox.retry_base_seconds=1'];
  for (const s of set) sets.push('--set', s);
  run(db, ['init']);
  if (routing) {
    const conf = join(SRC, 'etc', 'constituency');
    run(db, ['constituency', 'import', ...readdirSync(conf).filter((f) => f.endsWith('.conf')).map((f) => join(conf, f))]);
    run(db, ['contacts', 'import-rpsl', join(SRC, 'etc', 'rpsl', 'sample.db')]);
  }
  const admin = run(db, ['user', 'add', 'ada', '--admin']).match(/one-time password: (\S+)/)[1];
  const analyst = run(db, ['user', 'add', 'sam']).match(/one-time password: (\S+)/)[1];
  const proc = spawn(BIN, ['--db', db, ...sets, 'serve'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('serve did not start: ' + log)), 60000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/web desk is listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m && /serve: ready/.test(log)) { clearTimeout(t); resolve(m[1]); }
    });
    proc.on('exit', (c) => { clearTimeout(t); reject(new Error(`serve exited ${c}: ${log}`)); });
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const processed = () => (log.match(/process: message \d+ .*(-> ticket|parked as ticket)/g) || []).length;
  const desk = {
    url, db, dir, lmtp, users: { admin: ['ada', admin], analyst: ['sam', analyst] },
    cli: (args, input) => run(db, args, input, cliSets),
    log: () => log,
    signal: (sig) => proc.kill(sig),
    // Delivers over LMTP and waits until serve's workers made each one a ticket.
    async deliver(list) {
      const before = processed();
      await lmtpDeliver(lmtp, list);
      for (let i = 0; processed() < before + list.length; i++) {
        if (i > 1200) throw new Error(`serve processed ${processed() - before} of ${list.length}: ${log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      const done = new Promise((r) => proc.once('exit', (code, sig) => r({ code, sig })));
      proc.kill('SIGTERM');
      const r = await done;
      rmSync(dir, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`serve exited ${r.code} ${r.sig || ''} on SIGTERM: ${log}`);
    },
  };
  if (reports.length) await desk.deliver(reports);
  return desk;
}

// A small API client with a cookie jar of one cookie.
export class Client {
  constructor(url) { this.url = url; this.cookie = ''; this.csrf = ''; }
  async req(method, path, { body, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (body !== undefined) { h['Content-Type'] ??= 'application/json'; }
    const r = await fetch(this.url + path, { method, headers: h, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)), redirect: 'manual' });
    const sc = r.headers.get('set-cookie');
    if (sc) this.cookie = sc.split(';')[0];
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, headers: r.headers, text, json, setCookie: sc };
  }
  async login(name, password) {
    const r = await this.req('POST', '/api/login', { body: { name, password } });
    if (r.status === 200) this.csrf = r.json.csrf;
    return r;
  }
  post(path, body, headers = {}) { return this.req('POST', path, { body, headers: { 'X-CSRF-Token': this.csrf, ...headers } }); }
  get(path) { return this.req('GET', path); }
}
