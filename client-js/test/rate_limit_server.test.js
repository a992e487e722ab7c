// rate_limit_server.test.js — JS clients typing bursts far above the real weft-server's
// --max-ops-per-second ($WEFT_SERVER_BIN, see support/server.js): paced sends are never refused,
// refused ones are sent again; either way every op is acknowledged once and a second client reads
// the same text.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WeftClient } from '../src/client.js';
import { NodeWebSocket } from './support/node_websocket.js';
import { startServer } from './support/server.js';
import { until } from './support/wait.js';

const OPS_PER_SECOND = 50;

let server;
before(async () => {
  server = await startServer({ args: ['--max-ops-per-second', String(OPS_PER_SECOND)] });
});
after(async () => { await server?.stop(); });

function client(name, options = {}) {
  return new WeftClient({ url: server.url, WebSocket: NodeWebSocket, name,
    backoff: { initialMs: 20, maxMs: 200 }, ...options });
}

// `count` keystrokes (one op each) at the end of the text, ten per task, as fast as the event
// loop goes: many frames (one frame of any size would pass alone once the server's bucket is full).
async function burst(doc, count) {
  let typed = '';
  for (let i = 0; i < count; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    doc.insert(doc.length16, ch);
    typed += ch;
    if (i % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  return typed;
}

async function readBack(docId) {
  const reader = client('js-reader');
  const doc = await reader.open(docId);
  const text = doc.text();
  reader.close();
  return text;
}

test('a burst of 5 s of ops is paced under max-ops-per-second: nothing refused, all acknowledged', async () => {
  const c = client('js-paced');
  const errors = [];
  c.on('error', (e) => errors.push(e));
  const doc = await c.open('paced');
  const typed = await burst(doc, 5 * OPS_PER_SECOND);
  await until('every op acknowledged', () => doc.status === 'synced', 30000);
  assert.equal(doc.unacked.length, 0);
  assert.deepEqual(errors, []);
  assert.equal(doc.text(), typed);
  assert.equal(await readBack('paced'), typed);
  c.close();
});

test('a client refused by the server (its clock runs 4x fast) resends and still converges exactly', async () => {
  // Its pacer believes the server's buckets refill four times faster than they do, so frames are
  // refused with rate_limited and must be sent again.
  const start = Date.now();
  const c = client('js-fast-clock', { now: () => start + 4 * (Date.now() - start) });
  const refused = [];
  const errors = [];
  c.on('error', (e) => (e.name === 'rate_limited' ? refused : errors).push(e));
  const doc = await c.open('refused');
  const typed = await burst(doc, 4 * OPS_PER_SECOND);
  await until('every op acknowledged', () => doc.status === 'synced', 30000);
  assert.ok(refused.length > 0, 'the server refused some frames');
  assert.ok(refused.every((e) => e.doc === 'refused' && e.op[0] === doc.replica));
  assert.deepEqual(errors, []);
  assert.equal(doc.unacked.length, 0);
  assert.equal(doc.text(), typed);
  assert.equal(await readBack('refused'), typed);
  c.close();
});
