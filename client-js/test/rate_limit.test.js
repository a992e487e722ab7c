// rate_limit.test.js — the client under the server's rate limits (PROTOCOL.md §9), against a fake
// socket: refused frames and ops are sent again, exactly and in order, after a pause; sends are
// paced below the limits announced in welcome.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame } from '../src/frames.js';
import { settle } from './support/fake_socket.js';
import { setup, openSynced } from './support/fake_server.js';

const refusal = (seq, replica = 1) => ({ type: 'error', code: 10, name: 'rate_limited',
  message: 'ops frame refused: 2 ops exceed 10 ops per second; send it again later', doc: 'd', op: [replica, seq] });

const seqs = (frames) => frames.flatMap((f) => f.ops.map((o) => o.seq));

// Types `text` one character (one op) at a time, in one task.
function type(doc, text) {
  for (const ch of text) doc.insert(doc.length16, ch);
}

test('rate_limited mid-batch: the refused frames go again in order after the pause, nothing before them', async () => {
  const ctx = setup();
  const { doc, sock } = await openSynced(ctx, 'd', { limits: { max_ops_per_frame: 2 } });
  sock.take();
  type(doc, 'abcdef');
  await settle();
  assert.deepEqual(sock.take('ops').map((f) => f.ops.map((o) => o.seq)), [[0, 1], [2, 3], [4, 5]]);
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 2 });
  sock.deliver(refusal(2));       // the server's ops bucket ran dry at the second frame ...
  sock.deliver(refusal(4));       // ... and was still dry at the third
  type(doc, 'g');                 // typed during the pause: seq 6, after the refused ones
  await settle();
  ctx.timers.advance(249);
  assert.deepEqual(sock.take('ops'), []);
  assert.equal(doc.status, 'unsaved');
  ctx.timers.advance(1);
  assert.deepEqual(seqs(sock.take('ops')), [2, 3, 4, 5, 6]);
  assert.equal(doc.status, 'unsaved');
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 7 });
  assert.equal(doc.status, 'synced');
  ctx.timers.advance(10000);
  assert.deepEqual(sock.take('ops'), []);
  assert.equal(doc.text(), 'abcdefg');
});

test('a frame the server took after a refused one is not sent again (it waits in the server\'s buffer)', async () => {
  const ctx = setup();
  const { doc, sock } = await openSynced(ctx, 'd', { limits: { max_ops_per_frame: 2 } });
  sock.take();
  type(doc, 'abcdef');
  await settle();
  assert.equal(sock.take('ops').length, 3);
  // Frames [0,1] and [4,5] refused, [2,3] held back by the server: it gets no ack until
  // [0,1] arrives again (PROTOCOL.md §5.6).
  sock.deliver(refusal(0));
  sock.deliver(refusal(4));
  ctx.timers.advance(250);
  assert.deepEqual(seqs(sock.take('ops')), [0, 1, 4, 5]);
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 6 });
  assert.equal(doc.status, 'synced');
});

test('an op of ours the server did not keep (buffer_full) goes again in seq order', async () => {
  const ctx = setup();
  const { doc, sock } = await openSynced(ctx, 'd', { limits: { max_ops_per_frame: 2 } });
  sock.take();
  type(doc, 'abcd');
  await settle();
  assert.equal(sock.take('ops').length, 2);
  sock.deliver(refusal(0));
  // Of the second frame the server buffered seq 2 (it waits for 0 and 1) but had no room for 3.
  sock.deliver({ type: 'error', code: 112, name: 'buffer_full', message: 'buffer full', doc: 'd', op: [1, 3] });
  ctx.timers.advance(250);
  assert.deepEqual(seqs(sock.take('ops')), [0, 1, 3]);
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 4 });
  assert.equal(doc.status, 'synced');
});

test('a rate_limited error for another replica\'s op or an unknown frame sends nothing again', async () => {
  const ctx = setup();
  const { doc, sock } = await openSynced(ctx);
  sock.take();
  type(doc, 'ab');
  await settle();
  assert.equal(sock.take('ops').length, 1);
  sock.deliver(refusal(0, 9));
  sock.deliver(refusal(1));       // not the first op of a frame in flight
  ctx.timers.advance(10000);
  assert.deepEqual(sock.take('ops'), []);
  assert.deepEqual(doc.unacked.map((o) => o.seq), [0, 1]);
});

test('a dropped frame (frame rate limit, no document named): every frame in flight goes again after a second', async () => {
  const ctx = setup();
  const { doc, sock } = await openSynced(ctx, 'd', { limits: { max_ops_per_frame: 2 } });
  sock.take();
  type(doc, 'abcd');
  await settle();
  assert.equal(sock.take('ops').length, 2);
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 2 });
  sock.deliver({ type: 'error', code: 10, name: 'rate_limited', message: 'frame dropped: too many frames per second',
    doc: null, op: null });
  ctx.timers.advance(999);
  assert.deepEqual(sock.take('ops'), []);
  ctx.timers.advance(1);
  assert.deepEqual(seqs(sock.take('ops')), [2, 3]);
});

// The server's admission rule for one bucket (§9): refills at `rate` a second up to twice that;
// a cost passes when the bucket holds min(cost, capacity), then the whole cost is taken.
function serverBucket(rate) {
  let level = 2 * rate;
  let at = 0;
  return (cost, now) => {
    level = Math.min(2 * rate, level + (now - at) * rate / 1000);
    at = now;
    if (level < Math.min(cost, 2 * rate)) return false;
    level -= cost;
    return true;
  };
}

// Sends what the client sends until it has sent `count` ops (fake time in steps of 5 ms); returns
// the frames with the time they left.
function drain(ctx, sock, count) {
  const sent = [];
  let ops = 0;
  while (ops < count && ctx.timers.time < 600000) {
    for (const f of sock.take('ops')) {
      sent.push({ frame: f, at: ctx.timers.time });
      ops += f.ops.length;
    }
    ctx.timers.advance(5);
  }
  return sent;
}

test('a big paste is paced below the announced max_ops_per_second instead of refused', async () => {
  const ctx = setup();
  const limits = { max_ops_per_second: 10, max_run: 1 };
  const { doc, sock } = await openSynced(ctx, 'd', { limits });
  sock.take();
  const text = 'x'.repeat(100);          // 100 ops of one unit
  doc.insert(0, text);
  await settle();
  const sent = drain(ctx, sock, 100);
  const admit = serverBucket(10);
  for (const { frame, at } of sent) assert.ok(admit(frame.ops.length, at), `${frame.ops.length} ops at ${at} ms refused`);
  assert.deepEqual(seqs(sent.map((s) => s.frame)), [...Array(100).keys()]);
  assert.ok(sent[0].frame.ops.length < 20);
  assert.equal(doc.status, 'unsaved');
  sock.deliver({ type: 'ack', doc: 'd', next_seq: 100 });
  assert.equal(doc.status, 'synced');
});

test('a big paste is paced below the announced max_bytes_per_second instead of refused', async () => {
  const ctx = setup();
  const limits = { max_bytes_per_second: 1024, max_run: 64 };
  const { doc, sock } = await openSynced(ctx, 'd', { limits });
  sock.take();
  doc.insert(0, 'é'.repeat(64 * 40));    // 40 ops of 128 bytes of text each
  await settle();
  const sent = drain(ctx, sock, 40);
  const admit = serverBucket(1024);
  for (const { frame, at } of sent) {
    const bytes = encodeFrame(frame).length;
    assert.ok(admit(bytes, at), `${bytes} bytes at ${at} ms refused`);
  }
  assert.equal(sent.flatMap((s) => s.frame.ops).map((o) => o.text).join(''), 'é'.repeat(64 * 40));
  assert.ok(sent.at(-1).at >= 3000, 'about 5 KB at under 1 KB/s');
});
