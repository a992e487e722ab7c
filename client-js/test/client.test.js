// client.test.js — WeftClient and DocHandle against a fake socket driven as the server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPersistence } from '../src/persistence.js';
import { Backoff } from '../src/backoff.js';
import { Rga } from '../src/rga.js';
import { DEFAULT_LIMITS, encodeFrame } from '../src/frames.js';
import { textDigest } from '../src/digest.js';
import { settle } from './support/fake_socket.js';
import { TOKEN, EPOCH, setup, welcome, answerJoin, openSynced } from './support/fake_server.js';

test('connect sends hello, then a fresh join; the handle resolves when synced', async () => {
  const ctx = setup();
  const opening = ctx.client.open('notes');
  await settle();
  const sock = ctx.net.last;
  assert.equal(sock.url, 'ws://test/ws');
  sock.accept();
  assert.deepEqual(sock.take(), [{ type: 'hello', version: 1, client: 'weft-js/0.1' }]);
  sock.deliver({ type: 'welcome', version: 1, server: 'fake', limits: DEFAULT_LIMITS });
  assert.deepEqual(sock.take(), [{ type: 'join', doc: 'notes', epoch: null, replica: null, token: null, vv: [] }]);
  const server = new Rga(9);
  server.localInsert(0, 'hi');
  answerJoin(sock, 'notes', { replica: 3, server });
  const doc = await opening;
  assert.equal(doc.text(), 'hi');
  assert.equal(doc.replica, 3);
  assert.equal(doc.rga.replica, 3);
  assert.equal(doc.status, 'synced');
  assert.equal(ctx.client.status, 'online');
});

test('keystrokes in one task go out as one ops frame; acks make the status synced', async () => {
  const ctx = setup();
  const { doc, sock } = await openSynced(ctx);
  sock.take();
  const statuses = [];
  doc.on('status', (s) => statuses.push(s));
  doc.insert(0, 'a');
  doc.insert(1, 'b');
  doc.delete(0, 1);
  await settle();
  const frames = sock.take('ops');
  assert.equal(frames.length, 1);
  assert.deepEqual(frames[0].ops.map((o) => [o.type, o.seq]), [['insert', 0], ['insert', 1], ['delete', 2]]);
  assert.equal(doc.status, 'unsaved');
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 2 });
  assert.equal(doc.status, 'unsaved');
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 3 });
  assert.equal(doc.status, 'synced');
  assert.deepEqual(statuses, ['unsaved', 'synced']);
});

test('after a reconnect the client resends exactly the ops the server lacks', async () => {
  const ctx = setup();
  const { doc, sock } = await openSynced(ctx);
  doc.insert(0, 'a');
  doc.insert(1, 'b');
  doc.insert(2, 'c');
  await settle();
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 1 });
  sock.drop();
  assert.equal(doc.status, 'offline');
  assert.equal(ctx.client.status, 'offline');
  doc.insert(3, 'd');                       // typed offline: seq 3
  await settle();
  assert.equal(ctx.net.sockets.length, 1);
  ctx.timers.advance(10000);
  assert.equal(ctx.net.sockets.length, 2);
  const sock2 = ctx.net.last;
  welcome(sock2);
  const join = sock2.take('join')[0];
  assert.deepEqual(join, { type: 'join', doc: 'd', epoch: EPOCH, replica: 1, token: TOKEN, vv: [[1, 4]] });
  // The server holds seqs 0 and 1 (seq 1 arrived but its ack was lost with the connection).
  const server = new Rga(0);
  for (const op of doc.unacked.slice(0, 1)) server.applyRemote(op);
  server.applyRemote({ type: 'insert', replica: 1, seq: 0, lamport: 1, parent: [0, 0], text: 'a' });
  server.applyRemote({ type: 'insert', replica: 1, seq: 1, lamport: 2, parent: [1, 0], text: 'b' });
  sock2.deliver({ type: 'joined', doc: 'd', epoch: EPOCH, replica: 1, token: TOKEN, vv: server.version(), reset: false });
  assert.equal(sock2.take('ops').length, 0, 'nothing is sent before synced');
  sock2.deliver({ type: 'synced', doc: 'd', vv: server.version(), digest: textDigest('ab') });
  const ops = sock2.take('ops').flatMap((f) => f.ops);
  assert.deepEqual(ops.map((o) => [o.seq, o.text]), [[2, 'c'], [3, 'd']]);
  assert.equal(doc.status, 'unsaved');
  sock2.deliver({ type: 'ack', doc: 'd', next_seq: 4 });
  assert.equal(doc.status, 'synced');
});

test('reconnect delays follow exponential backoff with full jitter and reset after a join', async () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => b.next()), [100, 200, 400, 800, 1000, 1000]);
  b.reset();
  assert.equal(b.next(), 100);
  const zero = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
  assert.equal(zero.next(), 0);

  let r = 0.999;
  const ctx = setup({ random: () => r });
  const { sock } = await openSynced(ctx);
  sock.drop();
  const seen = [];
  for (let i = 0; i < 7; i++) {
    const delay = ctx.timers.latest();
    seen.push(delay);
    ctx.timers.advance(delay);
    ctx.net.last.drop();                     // the connection attempt fails
  }
  const caps = [250, 500, 1000, 2000, 4000, 8000, 10000];
  seen.forEach((d, i) => assert.ok(d <= caps[i] && d > caps[i] * 0.99, `attempt ${i}: ${d}`));
  // A successful join resets the attempt count.
  r = 1;
  ctx.timers.advance(ctx.timers.latest());
  welcome(ctx.net.last);
  answerJoin(ctx.net.last, 'd', { ops: [] });
  ctx.net.last.drop();
  assert.equal(ctx.timers.latest(), 250);
});

test('joined.reset drops the replica and unacked ops and rebuilds from the snapshot', async () => {
  const persistence = new MemoryPersistence();
  const old = new Rga(1);
  const lost = old.localInsert(0, 'offline text');
  await persistence.save('d', { epoch: 5, replica: 1, token: TOKEN, snapshot: null, pending: [lost] });
  const ctx = setup({ persistence });
  const opening = ctx.client.open('d');
  await settle();
  const sock = ctx.net.last;
  welcome(sock);
  assert.deepEqual(sock.take('join')[0].vv, [[1, 12]]);
  let resets = 0;
  const events = [];
  const server = new Rga(2);
  server.localInsert(0, 'server');
  // Handle events are attached as soon as the handle exists.
  await settle();
  const doc = ctx.client.docs.get('d');
  assert.equal(doc.text(), 'offline text');
  doc.on('reset', () => resets++);
  doc.on('change', (e) => events.push(e));
  answerJoin(sock, 'd', { replica: 4, server, reset: true });
  await opening;
  assert.equal(resets, 1);
  assert.equal(doc.text(), 'server');
  assert.deepEqual(events[0].changes, [{ from: 0, to: 12, insert: 'server' }]);
  assert.equal(doc.replica, 4);
  assert.equal(doc.rga.replica, 4);
  assert.equal(doc.unacked.length, 0);
  assert.equal(sock.take('ops').length, 0);
  assert.equal(doc.status, 'synced');
});

test('a digest mismatch at an equal version sends diverged, rejoins for everything, keeps local ops', async () => {
  const ctx = setup();
  const server = new Rga(2);
  server.localInsert(0, 'abc');
  const { doc, sock } = await openSynced(ctx, 'd', { server });
  doc.insert(3, '!');
  await settle();
  sock.take();
  let diverged = 0;
  doc.on('diverged', () => diverged++);
  // A digest at another version is ignored.
  sock.deliver({ type: 'digest', doc: 'd', vv: [[2, 3]], digest: textDigest('zzz') });
  assert.equal(sock.take().length, 0);
  sock.deliver({ type: 'digest', doc: 'd', vv: doc.rga.version(), digest: textDigest('wrong') });
  const sent = sock.take();
  assert.deepEqual(sent.map((f) => f.type), ['diverged', 'leave']);
  assert.deepEqual(sent[0].digest, textDigest('abc!'));
  assert.equal(diverged, 1);
  sock.deliver({ type: 'left', doc: 'd' });
  assert.deepEqual(sock.take('join'), [{ type: 'join', doc: 'd', epoch: EPOCH, replica: 1, token: TOKEN, vv: [] }]);
  // The server's truth: "abX" (say we had missed a change).
  const truth = new Rga(0);
  for (const op of server.opsSince([])) truth.applyRemote(op);
  const fix = server.localDelete(2, 1);
  truth.applyRemote(fix);
  const changes = [];
  doc.on('change', (e) => changes.push(...e.changes));
  answerJoin(sock, 'd', { replica: 1, server: truth });
  assert.equal(doc.text(), 'ab!');
  assert.deepEqual(changes, [{ from: 2, to: 3, insert: '' }]);
  assert.deepEqual(sock.take('ops').flatMap((f) => f.ops).map((o) => o.text), ['!']);
});

test('remote ops become UTF-16 change events, presence anchors follow them', async () => {
  const ctx = setup();
  const other = new Rga(2);
  other.localInsert(0, '😀bc');
  const { doc, sock } = await openSynced(ctx, 'd', { server: other });
  const changes = [];
  const presences = [];
  doc.on('change', (e) => changes.push(e));
  doc.on('presence', (m) => presences.push(m));
  sock.deliver({ type: 'presences', doc: 'd', entries: [[2, { head: other.anchorAt(2, 1), anchor: null, name: 'Ada', color: '#e0457b', typing: false }]] });
  assert.deepEqual(presences.at(-1).get(2), { name: 'Ada', color: '#e0457b', typing: false, head16: 3, anchor16: 3 });
  const op = other.localInsert(0, 'é😀');
  sock.deliver({ type: 'ops', doc: 'd', ops: [op] });
  assert.deepEqual(changes.at(-1), { changes: [{ from: 0, to: 0, insert: 'é😀' }], origin: 'remote' });
  assert.equal(presences.at(-1).get(2).head16, 6);
  const del = other.localDelete(1, 2);
  sock.deliver({ type: 'ops', doc: 'd', ops: [del] });
  assert.deepEqual(changes.at(-1).changes.reduce((n, c) => n + c.to - c.from, 0), 4);
  assert.equal(doc.text(), 'ébc');
  assert.equal(presences.at(-1).get(2).head16, 2);
  sock.deliver({ type: 'presences', doc: 'd', entries: [[2, null]] });
  assert.equal(presences.at(-1).size, 0);
});

test('presence is coalesced and sent at most every presence_interval_ms', async () => {
  const ctx = setup();
  const server = new Rga(2);
  server.localInsert(0, 'hello');
  const { doc, sock } = await openSynced(ctx, 'd', { server, limits: { presence_interval_ms: 100 } });
  sock.take();
  doc.setPresence({ name: 'Bo', color: '#123456' });
  doc.setPresence({ head16: 1 });
  doc.setPresence({ head16: 2, anchor16: 4, typing: true });
  ctx.timers.advance(0);
  const first = sock.take('presence');
  assert.equal(first.length, 1);
  assert.deepEqual(first[0].state, { head: doc.rga.anchorAt(2, 1), anchor: doc.rga.anchorAt(4, 1), name: 'Bo', color: '#123456', typing: true });
  doc.setPresence({ head16: 3, anchor16: 3 });
  doc.setPresence({ head16: 5, anchor16: 5 });
  ctx.timers.advance(50);
  assert.equal(sock.take('presence').length, 0);
  ctx.timers.advance(50);
  const second = sock.take('presence');
  assert.equal(second.length, 1);
  assert.deepEqual(second[0].state.head, doc.rga.anchorAt(5, 1));
  assert.equal(second[0].state.anchor, null);
});

test('a big paste is split into ops and frames within the welcome limits', async () => {
  const ctx = setup();
  const limits = { max_run: 100, max_ops_per_frame: 3, max_frame_bytes: 1000 };
  const { doc, sock } = await openSynced(ctx, 'd', { limits });
  sock.take();
  const text = 'x😀é'.repeat(700);      // 2100 code points, 2800 UTF-16 units, 4900 UTF-8 bytes
  doc.insert(0, text);
  await settle();
  const frames = sock.take('ops');
  const ops = frames.flatMap((f) => f.ops);
  assert.equal(ops.map((o) => o.text).join(''), text);
  for (const op of ops) assert.ok([...op.text].length <= 100);
  for (const f of frames) {
    assert.ok(f.ops.length <= 3);
    assert.ok(encodeFrame(f).length <= 1000, `frame of ${encodeFrame(f).length} bytes`);
  }
  doc.delete(8, 2000);
  await settle();
  const dels = sock.take('ops').flatMap((f) => f.ops);
  assert.ok(dels.length > 1);
  for (const op of dels) assert.ok(op.targets.reduce((n, t) => n + t[2], 0) <= 100);
  assert.equal(doc.text(), text.slice(0, 8) + text.slice(2008));
});

test('offline edits survive a reload through persistence and are sent on reconnect', async () => {
  const persistence = new MemoryPersistence();
  const ctx = setup({ persistence });
  const { doc, sock } = await openSynced(ctx);
  doc.insert(0, 'kept');
  await settle();
  sock.drop();
  doc.insert(4, '!');
  await settle();
  const rec = await persistence.load('d');
  assert.deepEqual(rec.pending.map((o) => o.text), ['kept', '!']);
  // A reload: a new client on the same storage, the server still offline.
  const ctx2 = setup({ persistence });
  const opening = ctx2.client.open('d');
  await settle();
  ctx2.net.last.drop();
  const doc2 = await opening;
  assert.equal(doc2.text(), 'kept!');
  assert.equal(doc2.status, 'offline');
  doc2.insert(5, '?');
  ctx2.timers.advance(10000);
  const sock2 = ctx2.net.last;
  welcome(sock2);
  assert.deepEqual(sock2.take('join')[0].vv, [[1, 6]]);
  answerJoin(sock2, 'd', { replica: 1, ops: [] , server: new Rga(0) });
  const sent = sock2.take('ops').flatMap((f) => f.ops);
  assert.deepEqual(sent.map((o) => o.text), ['kept', '!', '?']);
});

test('a refused resume token: unacked edits are typed again under the new replica', async () => {
  const ctx = setup();
  const server = new Rga(2);
  server.localInsert(0, 'ab');
  const { doc, sock } = await openSynced(ctx, 'd', { server });
  doc.insert(1, 'XY');
  doc.delete(0, 1);                          // "XYb"
  await settle();
  sock.drop();
  ctx.timers.advance(10000);
  const sock2 = ctx.net.last;
  welcome(sock2);
  sock2.take();
  // The server lost our token: a new replica, same epoch, no reset; nothing new to catch up.
  sock2.deliver({ type: 'joined', doc: 'd', epoch: EPOCH, replica: 5, token: TOKEN, vv: server.version(), reset: false });
  sock2.deliver({ type: 'synced', doc: 'd', vv: server.version(), digest: textDigest('ab') });
  assert.deepEqual(sock2.take().map((f) => f.type), ['leave']);
  sock2.deliver({ type: 'left', doc: 'd' });
  assert.deepEqual(sock2.take('join')[0].vv, []);
  const changes = [];
  doc.on('change', (e) => changes.push(...e.changes));
  answerJoin(sock2, 'd', { replica: 5, server });
  assert.equal(doc.text(), 'XYb');
  assert.equal(changes.length, 0);
  const ops = sock2.take('ops').flatMap((f) => f.ops);
  assert.ok(ops.every((o) => o.replica === 5));
  const check = new Rga(0);
  for (const op of server.opsSince([])) check.applyRemote(op);
  for (const op of ops) assert.equal(check.applyRemote(op).status, 'applied');
  assert.equal(check.text(), 'XYb');
});

test('a refused resume token: ops the server stored before the ack was lost are not typed twice', async () => {
  // PROTOCOL.md §7.8 step 3: units below the rebuilt state's vv are on the server already.
  const ctx = setup();
  const server = new Rga(2);
  server.localInsert(0, 'ab');
  const { doc, sock } = await openSynced(ctx, 'd', { server });
  doc.insert(1, 'XY');
  await settle();
  const [stored] = sock.take('ops').flatMap((f) => f.ops);
  server.applyRemote(stored);                // durable on the server; its ack never arrives
  doc.insert(3, 'Z');                        // "aXYZb"
  await settle();
  sock.drop();
  ctx.timers.advance(10000);
  const sock2 = ctx.net.last;
  welcome(sock2);
  sock2.take();
  sock2.deliver({ type: 'joined', doc: 'd', epoch: EPOCH, replica: 5, token: TOKEN, vv: server.version(), reset: false });
  sock2.deliver({ type: 'synced', doc: 'd', vv: server.version(), digest: textDigest(server.text()) });
  assert.deepEqual(sock2.take().map((f) => f.type), ['leave']);
  sock2.deliver({ type: 'left', doc: 'd' });
  answerJoin(sock2, 'd', { replica: 5, server });
  assert.equal(doc.text(), 'aXYZb');
  const ops = sock2.take('ops').flatMap((f) => f.ops);
  assert.deepEqual(ops.map((o) => [o.replica, o.text]), [[5, 'Z']]);
  const check = new Rga(0);
  for (const op of server.opsSince([])) check.applyRemote(op);
  for (const op of ops) assert.equal(check.applyRemote(op).status, 'applied');
  assert.equal(check.text(), 'aXYZb');
});

test('a catch-up of snapshot chunks followed by the ops made since it ends at the server state', async () => {
  // PROTOCOL.md §7.2: a joiner may be sent the snapshot other joiners are still being sent, then
  // the ops since it, before synced.
  const ctx = setup();
  const opening = ctx.client.open('d');
  await settle();
  const sock = ctx.net.last;
  welcome(sock);
  sock.take();
  const server = new Rga(9);
  server.localInsert(0, 'snapshot état ');
  const bytes = server.encodeSnapshot();
  const since = server.version();
  server.localInsert(server.text().length, 'then ops');
  const vv = server.version();
  sock.deliver({ type: 'joined', doc: 'd', epoch: EPOCH, replica: 3, token: TOKEN, vv, reset: false });
  const half = Math.floor(bytes.length / 2);
  sock.deliver({ type: 'snapshot', doc: 'd', offset: 0, total: bytes.length, bytes: bytes.slice(0, half) });
  sock.deliver({ type: 'snapshot', doc: 'd', offset: half, total: bytes.length, bytes: bytes.slice(half) });
  sock.deliver({ type: 'ops', doc: 'd', ops: server.opsSince(since) });
  sock.deliver({ type: 'synced', doc: 'd', vv, digest: textDigest(server.text()) });
  sock.deliver({ type: 'presences', doc: 'd', entries: [] });
  const doc = await opening;
  assert.equal(doc.text(), 'snapshot état then ops');
  assert.equal(doc.status, 'synced');
  assert.equal(sock.take('diverged').length, 0);
});

test('a join refused with document_unavailable is tried again after 1 s, then 2 s, until it loads', async () => {
  const ctx = setup();
  const opening = ctx.client.open('d');
  await settle();
  const sock = ctx.net.last;
  welcome(sock);
  assert.equal(sock.take('join').length, 1);
  const unavailable = { type: 'error', code: 14, name: 'document_unavailable',
    message: 'document d: redis 127.0.0.1:6379: cannot connect', doc: 'd' };
  sock.deliver(unavailable);
  ctx.timers.advance(999);
  assert.equal(sock.take('join').length, 0);
  ctx.timers.advance(1);
  assert.equal(sock.take('join').length, 1);
  sock.deliver(unavailable);
  ctx.timers.advance(1999);
  assert.equal(sock.take('join').length, 0);
  ctx.timers.advance(1);
  assert.equal(sock.take('join').length, 1);
  const server = new Rga(9);
  server.localInsert(0, 'back');
  answerJoin(sock, 'd', { server });
  const doc = await opening;
  assert.equal(doc.text(), 'back');
  assert.equal(doc.status, 'synced');
  ctx.timers.advance(60000);
  assert.equal(sock.take('join').length, 0);
});
