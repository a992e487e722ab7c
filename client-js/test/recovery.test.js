// recovery.test.js — a DocHandle recovering its unacknowledged edits against the real
// weft-server (PROTOCOL.md §7.8, issue 14 items 2 and 3): a refused resume token, a replica taken
// over by another client, and permanent refusals (read_only, document_full). Nothing typed is lost
// or duplicated; what the server refused is dropped and reported; the text converges with the
// server's (read by a fresh client).
//
// Needs the server binary ($WEFT_SERVER_BIN, default build/release/server/weft-server).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { WeftClient } from '../src/client.js';
import { MemoryPersistence } from '../src/persistence.js';
import { NodeWebSocket } from './support/node_websocket.js';
import { startServer } from './support/server.js';
import { until } from './support/wait.js';

// A WebSocket class whose connections fail while `gate.open` is false (a client kept offline).
function gatedWebSocket() {
  const gate = { open: true };
  class Gated {
    constructor(url) {
      if (gate.open) return new NodeWebSocket(url);
      this.binaryType = 'arraybuffer';
      setTimeout(() => this.onclose?.({ code: 1006 }), 5);
    }

    send() {}
    close() {}
  }
  return { gate, WebSocket: Gated };
}

function client(server, name, opts = {}) {
  return new WeftClient({ url: server.url, WebSocket: NodeWebSocket, name,
    backoff: { initialMs: 20, maxMs: 100 }, ...opts });
}

// The server's text of `doc`, as a fresh client reads it.
async function serverText(server, doc, opts = {}) {
  const c = client(server, 'reader', opts);
  const h = await c.open(doc);
  const text = h.text();
  c.close();
  return text;
}

const settled = (h) => h.status === 'synced';

// An HS256 JWT (PROTOCOL.md §13) for `sub` with the given document rights.
function jwt(secret, sub, docs) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 600, docs })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

test('a refused resume token: the offline edits are typed again under the new replica, once', async () => {
  // The replica table keeps the 2 most recent replicas: two joins evict an offline writer's.
  const server = await startServer({ args: ['--max-replicas-per-document', '2'] });
  try {
    const { gate, WebSocket } = gatedWebSocket();
    const ca = client(server, 'a', { WebSocket });
    const a = await ca.open('evicted');
    a.insert(0, 'hello');
    await until('hello acknowledged', () => settled(a));
    const old = a.replica;

    gate.open = false;
    ca.ws.kill();
    await until('a offline', () => a.status === 'offline');
    a.insert(5, ' world');
    a.insert(0, '> ');
    a.delete(2, 1);                                  // "> ello world"
    assert.equal(a.text(), '> ello world');
    for (const name of ['b', 'c']) {
      const c = client(server, name);
      const h = await c.open('evicted');
      h.insert(h.length16, name.toUpperCase());
      await until(`${name} acknowledged`, () => settled(h));
      c.close();
    }

    const refused = [];
    a.on('refused', (e) => refused.push(e));
    gate.open = true;
    await until('a recovered and saved', () => settled(a) && a.replica !== old, 15000);
    const expected = '> ello worldBC';
    assert.equal(a.text(), expected);
    assert.equal(await serverText(server, 'evicted'), expected);
    assert.deepEqual(refused, []);
    a.insert(a.length16, '!');
    await until('a later edit saved', () => settled(a));
    assert.equal(await serverText(server, 'evicted'), `${expected}!`);
    ca.close();
  } finally {
    await server.stop();
  }
});

test('a replica taken over by another client: the handle rejoins with a new replica and goes on', async () => {
  const server = await startServer();
  try {
    const persistence = new MemoryPersistence();
    const ca = client(server, 'a', { persistence });
    const a = await ca.open('taken');
    a.insert(0, 'first ');
    await until('first acknowledged', () => settled(a));
    await a.saver.saveNow();
    const old = a.replica;
    let takenOver = 0;
    a.on('taken_over', () => takenOver++);

    // A second client with a copy of a's saved record resumes a's replica.
    const cb = client(server, 'b', { persistence });
    const b = await cb.open('taken');
    assert.equal(b.replica, old);
    await until('a rejoined under a new replica', () => takenOver === 1 && settled(a) && a.replica !== old);
    assert.notEqual(a.replica, b.replica);

    a.insert(a.length16, 'a-after ');
    b.insert(0, 'b-after ');
    await until('both saved and equal', () => settled(a) && settled(b) && a.text() === b.text());
    assert.equal(a.text(), 'b-after first a-after ');
    assert.equal(await serverText(server, 'taken'), a.text());
    ca.close();
    cb.close();
  } finally {
    await server.stop();
  }
});

test('a read-only user who types is told what was not saved, and the text converges', async () => {
  // The reader's token is in its URL, not the token option: the client cannot read its claim and
  // learns its rights from the server's refusal.
  const secret = 'recovery-secret';
  const server = await startServer({ args: ['--jwt-secret', secret] });
  try {
    const cw = client(server, 'writer', { token: jwt(secret, 'ada', { '*': 'write' }) });
    const w = await cw.open('ro');
    w.insert(0, 'shared');
    await until('writer saved', () => settled(w));

    const cr = client(server, 'reader', { url: `${server.url}?token=${jwt(secret, 'bob', { '*': 'read' })}` });
    const r = await cr.open('ro');
    assert.equal(r.text(), 'shared');
    assert.equal(r.readOnly, false);
    const refused = [];
    r.on('refused', (e) => refused.push(e));
    r.insert(6, ' XYZ');
    r.insert(0, 'Q');
    await until('the refusal reported', () => refused.length === 1 && settled(r));
    assert.equal(refused[0].name, 'read_only');
    assert.equal(refused[0].text, ' XYZQ');
    assert.equal(refused[0].message, 'This document is read-only: 5 characters typed were not saved.');
    assert.equal(r.text(), 'shared');
    assert.equal(r.readOnly, true);
    assert.throws(() => r.insert(0, 'again'), { name: 'read_only' });
    assert.equal(r.text(), 'shared');

    w.insert(6, '!');
    await until('the reader sees the writer', () => r.text() === 'shared!');
    assert.equal(await serverText(server, 'ro', { token: jwt(secret, 'eve', { '*': 'read' }) }), 'shared!');
    assert.equal(refused.length, 1);
    cw.close();
    cr.close();
  } finally {
    await server.stop();
  }
});

test('a token whose docs claim grants read makes the handle read-only before any edit is sent', async () => {
  const secret = 'recovery-secret';
  const server = await startServer({ args: ['--jwt-secret', secret] });
  try {
    const cw = client(server, 'writer', { token: jwt(secret, 'ada', { '*': 'write' }) });
    const w = await cw.open('claim');
    w.insert(0, 'shared');
    await until('writer saved', () => settled(w));
    const cr = client(server, 'reader', { token: jwt(secret, 'bob', { 'cl*': 'write', claim: 'read' }) });
    const errors = [];
    cr.on('error', (e) => errors.push(e));
    const r = await cr.open('claim');
    assert.equal(r.readOnly, true);
    assert.throws(() => r.insert(0, 'no'), { name: 'read_only' });
    assert.equal(r.text(), 'shared');
    assert.equal(r.unacked.length, 0);
    w.insert(6, '!');
    await until('the reader sees the writer', () => r.text() === 'shared!');
    assert.deepEqual(errors, []);  // nothing was sent for the server to refuse
    cw.close();
    cr.close();
  } finally {
    await server.stop();
  }
});

test('access_revoked to read-only: local edits fail until a refresh gives write access again', async () => {
  const secret = 'recovery-secret';
  const server = await startServer({ args: ['--jwt-secret', secret] });
  try {
    const cw = client(server, 'writer', { token: jwt(secret, 'ada', { '*': 'write' }) });
    const w = await cw.open('revoked');
    w.insert(0, 'mine');
    await until('saved', () => settled(w));
    await cw.refresh(jwt(secret, 'ada', { '*': 'read' }));
    await until('read-only', () => w.readOnly);
    assert.throws(() => w.insert(0, 'no'), { name: 'read_only' });
    assert.equal(w.text(), 'mine');
    await cw.refresh(jwt(secret, 'ada', { '*': 'write' }));
    assert.equal(w.readOnly, false);
    w.insert(4, '!');
    await until('saved again', () => settled(w));
    assert.equal(await serverText(server, 'revoked', { token: jwt(secret, 'eve', { '*': 'read' }) }), 'mine!');
    cw.close();
  } finally {
    await server.stop();
  }
});

test('document_full: the refused insert is dropped and reported, what was typed after it is kept', async () => {
  const server = await startServer({ args: ['--max-document-bytes', '20'] });
  try {
    const ca = client(server, 'a');
    const a = await ca.open('full');
    a.insert(0, '0123456789');
    await until('ten bytes saved', () => settled(a));
    const refused = [];
    a.on('refused', (e) => refused.push(e));
    a.insert(10, 'abcdefghijklmno');                 // 25 bytes: over the limit
    a.insert(25, 'zz');                               // typed before the refusal arrives
    a.delete(0, 1);
    await until('the refusal reported', () => refused.length === 1 && settled(a));
    assert.equal(refused[0].name, 'document_full');
    assert.equal(refused[0].text, 'abcdefghijklmno');
    assert.equal(refused[0].message,
      'The document is full (max 20 bytes): 15 characters typed were not saved.');
    assert.equal(a.text(), '123456789zz');
    assert.equal(await serverText(server, 'full'), '123456789zz');

    a.insert(0, 'ok');
    await until('a later small edit saved', () => settled(a));
    assert.equal(await serverText(server, 'full'), 'ok123456789zz');
    ca.close();
  } finally {
    await server.stop();
  }
});
