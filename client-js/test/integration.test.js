// integration.test.js — Node clients against the real weft-server, checked against the C++ side.
//
// Needs the server binary ($WEFT_SERVER_BIN, default build/release/server/weft-server) and
// weft-replay ($WEFT_REPLAY_BIN, default build/release/tools/weft-replay); fails if they are
// missing. Two JS clients and one C++ client (weft-typist, $WEFT_TYPIST_BIN) edit one document
// concurrently (one JS client drops its connection and keeps typing offline); all three converge;
// a third, fresh JS client reads the same text; after the server stops, weft-replay (the C++
// replica and store) reads the same text from disk.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WeftClient } from '../src/client.js';
import { NodeWebSocket } from './support/node_websocket.js';
import { startServer, replayText, runTypist } from './support/server.js';
import { sleep, until } from './support/wait.js';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

function client(name) {
  return new WeftClient({ url: server.url, WebSocket: NodeWebSocket, name,
    backoff: { initialMs: 20, maxMs: 200 } });
}

// A deterministic pseudo-random generator (mulberry32) so failures replay.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['weft ', 'warp ', 'é', '😀', 'naïve ', '漢字', '\n', 'x'];

// One random edit at a UTF-16 offset that never splits a surrogate pair.
function edit(doc, random) {
  const text = doc.text();
  const cut = (off) => (off > 0 && off < text.length && /[\udc00-\udfff]/.test(text[off]) ? off - 1 : off);
  if (text.length > 0 && random() < 0.3) {
    const from = cut(Math.floor(random() * text.length));
    const to = cut(Math.min(text.length, from + 1 + Math.floor(random() * 6)));
    if (to > from) doc.delete(from, to - from);
  } else {
    doc.insert(cut(Math.floor(random() * (text.length + 1))), WORDS[Math.floor(random() * WORDS.length)]);
  }
}

test('two Node clients and a C++ client converge, and weft-replay (C++) reads the same text', async () => {
  const ca = client('js-a');
  const cb = client('js-b');
  const a = await ca.open('shared-doc');
  const b = await cb.open('shared-doc');
  assert.equal(a.status, 'synced');
  assert.notEqual(a.replica, b.replica);
  const bStatuses = [];
  b.on('status', (st) => bStatuses.push(st));
  let diverged = 0;
  const errors = [];
  for (const [cl, d] of [[ca, a], [cb, b]]) {
    d.on('diverged', () => diverged++);
    cl.on('error', (e) => errors.push(e));
  }
  const cpp = runTypist(server.port, 'shared-doc', { seed: 7, edits: 120 });
  const ra = rng(1);
  const rb = rng(2);
  for (let i = 0; i < 150; i++) {
    edit(a, ra);
    edit(b, rb);
    if (i % 10 === 0) await sleep(5);
    if (i === 60) cb.ws.kill();                 // b loses its connection and keeps typing
  }
  await until('both clients synced with equal text', () =>
    a.status === 'synced' && b.status === 'synced' && a.text() === b.text() &&
    b.rga.version().length === a.rga.version().length &&
    JSON.stringify(a.rga.version()) === JSON.stringify(b.rga.version()));
  const typed = await cpp;   // the C++ client has settled: every writer is done
  assert.notEqual(typed.replica, a.replica);
  assert.notEqual(typed.replica, b.replica);
  await until('the JS clients hold the C++ client\'s text', () =>
    a.status === 'synced' && b.status === 'synced' && a.text() === typed.text && b.text() === typed.text);
  assert.ok(a.text().length > 100);
  assert.ok(bStatuses.includes('offline'), `b went offline: ${bStatuses}`);
  assert.equal(bStatuses.at(-1), 'synced');
  assert.equal(diverged, 0);
  assert.deepEqual(errors, []);

  const cc = client('js-c');
  const c = await cc.open('shared-doc');
  assert.equal(c.text(), a.text());

  const text = a.text();
  for (const cl of [ca, cb, cc]) cl.close();
  await server.stop();
  assert.equal(await replayText(server.data, 'shared-doc'), text);
});
