// adapter.mjs — the client under test, spoken to through its adapter: a child process that
// reads one JSON command per line on stdin and writes one JSON answer per command (and events at
// any time) on stdout (conformance/README.md, "The adapter protocol").

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export class Adapter {
  // Starts `command` (run by /bin/sh, with exec so that the PID is the adapter's).
  constructor(command) {
    this.child = spawn('/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.nextId = 1;
    this.pending = new Map();
    this.events = [];
    this.stderr = '';
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      for (const { reject } of this.pending.values()) reject(new Error(`adapter exited (${code ?? signal})`));
      this.pending.clear();
      resolve(code ?? signal);
    }));
    this.child.stderr.on('data', (b) => { this.stderr = (this.stderr + b.toString()).slice(-4000); });
    this.child.stdin.on('error', () => {});
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
  }

  onLine(line) {
    if (!line.trim()) return;
    let msg;
    try { msg = JSON.parse(line); } catch (_e) {
      this.events.push({ event: 'garbage', line });
      return;
    }
    if (msg.event !== undefined) {
      this.events.push(msg);
      return;
    }
    const waiter = this.pending.get(msg.id);
    if (!waiter) return;
    this.pending.delete(msg.id);
    clearTimeout(waiter.timer);
    if (msg.ok) waiter.resolve(msg);
    else waiter.reject(new Error(`${waiter.cmd}: ${msg.error ?? 'failed'}`));
  }

  // Sends one command and waits for its answer (rejects on `ok: false` or after `ms`).
  call(cmd, args = {}, ms = 15000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${cmd}: no answer from the adapter in ${ms} ms`));
      }, ms);
      this.pending.set(id, { resolve, reject, timer, cmd });
      this.child.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  // Error events naming `name` (error frames the client reported).
  errorEvents(name) {
    return this.events.filter((e) => e.event === 'error' && (name === undefined || e.name === name));
  }

  // Asks the adapter to close, then ends it by its PID if it has not exited within 2 s.
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.call('close', {}, 2000).catch(() => {});
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}
