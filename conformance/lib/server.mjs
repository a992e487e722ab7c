// server.mjs — one weft-server for one scenario: started on a free loopback port with the
// scenario's flags and a fresh data directory, stopped by its PID (SIGTERM, then SIGKILL).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const READY = /weft-server: ready on 127\.0\.0\.1:(\d+)/;

export class Server {
  // `bin`: the weft-server executable; `flags`: extra arguments; `env`: extra environment.
  static async start(bin, flags = [], env = {}) {
    const data = mkdtempSync(path.join(tmpdir(), 'weft-conformance-'));
    const args = ['--listen', '127.0.0.1:0', '--data', data, '--threads', '2',
      '--store-threads', '2', '--log-level', 'warn', ...flags];
    const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new Server(child, data);
    child.stderr.on('data', (b) => { server.stderr += b.toString(); });
    const port = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('weft-server did not print its ready line in 20 s')), 20000);
      child.stdout.on('data', (b) => {
        out += b.toString();
        const m = READY.exec(out);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`weft-server exited (${code}) before it was ready: ${server.stderr.slice(-500)}`));
      });
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    server.port = port;
    return server;
  }

  constructor(child, data) {
    this.child = child;
    this.data = data;
    this.port = 0;
    this.stderr = '';
  }

  get wsUrl() { return `ws://127.0.0.1:${this.port}/ws`; }
  get httpUrl() { return `http://127.0.0.1:${this.port}`; }

  // Stops the server by its PID and removes its data directory.
  async stop() {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.data, { recursive: true, force: true });
  }

  // The HTTP API (docs/http-api.md): `method` on `/api/...`, with the token if given.
  async api(method, route, { body, token } = {}) {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.httpUrl + route, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch (_e) { json = null; }
    return { status: res.status, json, text };
  }

  // The document's durable text as the server exports it (GET /api/docs/ID).
  async text(doc, token) {
    const res = await this.api('GET', `/api/docs/${doc}`, { token });
    if (res.status !== 200) throw new Error(`GET /api/docs/${doc}: ${res.status} ${res.text}`);
    return res.json.text;
  }
}
