// desk: starts a real `abusedesk web` on a fresh database for one test
// file, feeds it reports through `deliver` + `process` (the MTA's way in),
// and tears everything down. Loopback only; the port is picked by the
// kernel (http.listen=127.0.0.1:0) and read from the server's log line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';

export const BIN = process.env.ABUSEDESK_BIN || join(process.cwd(), 'build', 'abusedesk');
export const ARTIFACTS = process.env.ARTIFACTS_DIR || join(tmpdir(), 'abusedesk-artifacts');

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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

// routing: import the sample constituency and RPSL contacts (etc/), so
// reports about sources inside it open incidents and held notifications.
export async function startDesk({ reports = [], set = [], routing = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'abusedesk-web-'));
  const db = join(dir, 'desk.db');
  const sets = ['--set', 'http.listen=127.0.0.1:0', '--set', 'http.threads=2'];
  for (const s of set) sets.push('--set', s);
  // the sample reports' own relays (as tests/e2e/routing.sh)
  const cliSets = ['--set', 'evidence.trusted_relays=192.0.2.16/28'];
  run(db, ['init']);
  if (routing) {
    const conf = join(SRC, 'etc', 'constituency');
    run(db, ['constituency', 'import', ...readdirSync(conf).filter((f) => f.endsWith('.conf')).map((f) => join(conf, f))]);
    run(db, ['contacts', 'import-rpsl', join(SRC, 'etc', 'rpsl', 'sample.db')]);
  }
  const admin = run(db, ['user', 'add', 'ada', '--admin']).match(/one-time password: (\S+)/)[1];
  const analyst = run(db, ['user', 'add', 'sam']).match(/one-time password: (\S+)/)[1];
  for (const r of reports)
    run(db, ['deliver', '--sender', r.sender || 'reporter@example.org', '--recipient', 'irt@csirt.example'], r.raw, cliSets);
  if (reports.length) run(db, ['process'], undefined, cliSets);
  const proc = spawn(BIN, ['--db', db, ...sets, 'web'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('web did not start: ' + log)), 30000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    proc.on('exit', (c) => { clearTimeout(t); reject(new Error(`web exited ${c}: ${log}`)); });
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    url, db, dir, users: { admin: ['ada', admin], analyst: ['sam', analyst] },
    cli: (args, input) => run(db, args, input, cliSets),
    log: () => log,
    async stop() {
      const done = new Promise((r) => proc.once('exit', (code, sig) => r({ code, sig })));
      proc.kill('SIGTERM');
      const r = await done;
      rmSync(dir, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`web exited ${r.code} ${r.sig || ''} on SIGTERM: ${log}`);
    },
  };
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
