#!/usr/bin/env node
// adapter.mjs — the conformance adapter for the JS client (client-js/src): reads one JSON
// command per line on stdin, drives a WeftClient and one DocHandle, and answers on stdout
// (conformance/README.md, "The adapter protocol"). Runs under plain Node 20.
//
// Positions on the wire of the adapter protocol are code points; the JS client counts UTF-16
// units, so they are converted here. `disconnect` is made with a WebSocket class that cuts its
// sockets and refuses to connect while the adapter is told to stay offline (the client itself
// keeps retrying, as it does after any lost connection).

import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

import { WeftClient } from '../../../client-js/src/index.js';

const require = createRequire(new URL('../../../client-js/package.json', import.meta.url));
const WsWebSocket = require('ws');

const POLL_MS = 20;
const UNREACHABLE = 'ws://127.0.0.1:1/ws';   // a refused connection while offline

const gate = { open: true, sockets: new Set() };
let client = null;
let doc = null;

function emit(msg) {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

class GatedWebSocket extends WsWebSocket {
  constructor(url) {
    super(gate.open ? url : UNREACHABLE);
    const offlineAttempt = !gate.open;
    gate.sockets.add(this);
    this.addEventListener('close', (ev) => {
      gate.sockets.delete(this);
      if (!offlineAttempt && !this.cutByAdapter) emit({ event: 'closed', code: ev.code });
    });
  }
}

const toUtf16 = (text, cp) => [...text].slice(0, cp).join('').length;
const toCodePoints = (text, off16) => (off16 == null ? null : [...text.slice(0, off16)].length);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(cond, ms) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(POLL_MS);
  }
  return true;
}

const caughtUp = () => client.status === 'online' && (doc.status === 'synced' || doc.status === 'unsaved');

function requireDoc() {
  if (!doc) throw new Error('no document open');
}

const commands = {
  async open({ url, doc: id, token }) {
    client = new WeftClient({
      url, token: token ?? null, name: 'weft-conformance-js', WebSocket: GatedWebSocket,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    client.on('error', (e) => emit({ event: 'error', name: e.name, code: e.code ?? null,
      message: e.message ?? '', op: e.op ?? null }));
    doc = await client.open(id);
    doc.on('reset', () => emit({ event: 'reset' }));
    if (!await until(caughtUp, 10000)) throw new Error(`not caught up (status ${doc.status})`);
    return { replica: doc.replica, epoch: doc.epoch };
  },
  insert({ pos, text }) {
    requireDoc();
    doc.insert(toUtf16(doc.text(), pos), text);
    return {};
  },
  delete({ pos, len }) {
    requireDoc();
    const t = doc.text();
    const from = toUtf16(t, pos);
    doc.delete(from, toUtf16(t, pos + len) - from);
    return {};
  },
  text() {
    requireDoc();
    return { text: doc.text() };
  },
  async wait_acked({ timeout_ms: ms = 10000 }) {
    requireDoc();
    if (!await until(() => client.status === 'online' && doc.status === 'synced', ms)) {
      throw new Error(`not acknowledged (status ${doc.status}, ${doc.unacked.length} unacked)`);
    }
    return {};
  },
  status() {
    requireDoc();
    return { connected: client.status === 'online', synced: caughtUp(), unacked: doc.unacked.length,
      replica: doc.replica, epoch: doc.epoch };
  },
  presence({ head, anchor }) {
    requireDoc();
    const t = doc.text();
    doc.setPresence({ head16: toUtf16(t, head), anchor16: toUtf16(t, anchor ?? head) });
    return {};
  },
  presences() {
    requireDoc();
    const t = doc.text();
    const members = [];
    for (const [replica, m] of doc.presence) {
      members.push({ replica, head: toCodePoints(t, m.head16), anchor: toCodePoints(t, m.anchor16) });
    }
    return { members };
  },
  disconnect() {
    requireDoc();
    gate.open = false;
    for (const ws of gate.sockets) {
      ws.cutByAdapter = true;
      ws.terminate();
    }
    return {};
  },
  async reconnect() {
    requireDoc();
    gate.open = true;
    if (!await until(caughtUp, 10000)) throw new Error(`not caught up (status ${doc.status})`);
    return {};
  },
  async close() {
    if (doc) await doc.close();
    if (client) client.close();
    for (const ws of gate.sockets) ws.cutByAdapter = true;
    setTimeout(() => process.exit(0), 50);
    return {};
  },
};

let chain = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  chain = chain.then(async () => {
    let req;
    try {
      req = JSON.parse(line);
    } catch (_e) {
      emit({ event: 'error', name: 'adapter', message: `not JSON: ${line}` });
      return;
    }
    const run = commands[req.cmd];
    try {
      if (!run) throw new Error(`unknown command ${req.cmd}`);
      emit({ id: req.id, ok: true, ...await run(req) });
    } catch (e) {
      emit({ id: req.id, ok: false, error: e.message });
    }
  });
}).on('close', () => { chain.then(() => process.exit(0)); });
