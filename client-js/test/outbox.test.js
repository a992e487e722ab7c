// outbox.test.js — the Outbox (src/outbox.js) on its own: what is queued, in flight and
// unacknowledged after each event, and exactly which ops go again after a refusal, in which order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox, opUnits } from '../src/outbox.js';

const REPLICA = 1;

// An insert of `text` (one unit per code point) and a delete of `len` units, as replica 1 makes them.
const insert = (seq, text = 'x') =>
  ({ type: 'insert', replica: REPLICA, seq, lamport: seq + 1, parent: [0, 0], text });
const remove = (seq, len = 1) =>
  ({ type: 'delete', replica: REPLICA, seq, lamport: seq + 1, targets: [[9, 0, len]] });

const seqs = (ops) => ops.map((op) => op.seq);
const frames = (outbox) => outbox.inFlight.map((f) => seqs(f.ops));

// An outbox that has recorded one-unit inserts at `seqs`.
function recorded(...all) {
  const outbox = new Outbox();
  for (const seq of all) outbox.record(insert(seq));
  return outbox;
}

// An outbox that has sent one-unit inserts in frames of the given seqs, e.g. [[0, 1], [2, 3]].
function sent(...frameSeqs) {
  const outbox = recorded(...frameSeqs.flat());
  for (const f of frameSeqs) outbox.sent(f.length);
  return outbox;
}

test('an insert uses one unit per code point, not per UTF-16 unit', () => {
  assert.equal(opUnits(insert(0, 'a😀é')), 3);
});

test('a delete uses as many units as its targets cover', () => {
  const op = { ...remove(0), targets: [[9, 0, 2], [8, 5, 3]] };
  assert.equal(opUnits(op), 5);
});

test('a recorded op is unacknowledged and queued, not in flight', () => {
  const outbox = recorded(0, 1);
  assert.deepEqual(seqs(outbox.unacked), [0, 1]);
  assert.deepEqual(seqs(outbox.queued), [0, 1]);
  assert.deepEqual(outbox.inFlight, []);
});

test('sent ops leave the queue and are in flight as one frame', () => {
  const outbox = recorded(0, 1, 2);
  const ops = outbox.sent(2);
  assert.deepEqual(seqs(ops), [0, 1]);
  assert.deepEqual(seqs(outbox.queued), [2]);
  assert.deepEqual(frames(outbox), [[0, 1]]);
  assert.deepEqual(seqs(outbox.unacked), [0, 1, 2]);
});

test('a frame in flight ends at the seq after the last unit of its last op', () => {
  const outbox = new Outbox();
  outbox.record(insert(0, 'ab'));
  outbox.record(remove(2, 3));
  outbox.sent(2);
  assert.deepEqual(outbox.inFlight.map(({ first, end }) => [first, end]), [[0, 5]]);
});

test('an ack drops every unacknowledged, queued and in-flight op it covers', () => {
  const outbox = sent([0, 1], [2]);
  outbox.record(insert(3));
  outbox.ack(4);
  assert.deepEqual(outbox.unacked, []);
  assert.deepEqual(outbox.queued, []);
  assert.deepEqual(outbox.inFlight, []);
});

test('an ack keeps what it does not cover', () => {
  const outbox = sent([0, 1], [2, 3]);
  outbox.ack(2);
  assert.deepEqual(seqs(outbox.unacked), [2, 3]);
  assert.deepEqual(frames(outbox), [[2, 3]]);
});

test('an ack that covers only the first units of an op keeps the op', () => {
  const outbox = new Outbox();
  outbox.record(insert(0, 'abc'));
  outbox.ack(2);
  assert.deepEqual(seqs(outbox.unacked), [0]);
  assert.deepEqual(seqs(outbox.queued), [0]);
});

test('a refused frame goes back into the queue, before ops recorded since', () => {
  const outbox = sent([0, 1], [2, 3]);
  outbox.record(insert(4));
  assert.equal(outbox.refusedFrame(0), true);
  assert.deepEqual(seqs(outbox.queued), [0, 1, 4]);
  assert.deepEqual(frames(outbox), [[2, 3]]);
});

test('frames refused out of order are queued again in seq order', () => {
  const outbox = sent([0, 1], [2, 3], [4, 5]);
  outbox.refusedFrame(4);
  outbox.refusedFrame(0);
  assert.deepEqual(seqs(outbox.queued), [0, 1, 4, 5]);
  assert.deepEqual(frames(outbox), [[2, 3]]);
});

test('a refusal naming an op that starts no frame in flight changes nothing', () => {
  const outbox = sent([0, 1]);
  assert.equal(outbox.refusedFrame(1), false);
  assert.equal(outbox.refusedFrame(7), false);
  assert.deepEqual(outbox.queued, []);
  assert.deepEqual(frames(outbox), [[0, 1]]);
});

test('an op the server did not keep goes again alone; the rest of its frame stays in flight', () => {
  const outbox = sent([0, 1], [2, 3]);
  assert.equal(outbox.refusedOp(3), true);
  assert.deepEqual(seqs(outbox.queued), [3]);
  assert.deepEqual(frames(outbox), [[0, 1], [2]]);
});

test('a frame whose every op the server did not keep leaves the in-flight list', () => {
  const outbox = sent([0], [1]);
  outbox.refusedOp(1);
  assert.deepEqual(frames(outbox), [[0]]);
  assert.deepEqual(seqs(outbox.queued), [1]);
});

test('an op not kept that is not in flight changes nothing', () => {
  const outbox = sent([0, 1]);
  assert.equal(outbox.refusedOp(2), false);
  assert.deepEqual(outbox.queued, []);
  assert.deepEqual(frames(outbox), [[0, 1]]);
});

test('an op not kept whose seq is inside a sent op, not at its start, changes nothing', () => {
  const outbox = new Outbox();
  outbox.record(insert(0, 'ab'));
  outbox.sent(1);
  assert.equal(outbox.refusedOp(1), false);
  assert.deepEqual(outbox.queued, []);
  assert.deepEqual(frames(outbox), [[0]]);
});

test('resending in flight queues the ops of every frame again, in seq order, before later ones', () => {
  const outbox = sent([0, 1], [2]);
  outbox.record(insert(3));
  assert.equal(outbox.resendInFlight(), true);
  assert.deepEqual(seqs(outbox.queued), [0, 1, 2, 3]);
  assert.deepEqual(outbox.inFlight, []);
});

test('resending with nothing in flight reports that nothing goes again', () => {
  const outbox = recorded(0);
  assert.equal(outbox.resendInFlight(), false);
  assert.deepEqual(seqs(outbox.queued), [0]);
});

test('starting to send queues every unacknowledged op and forgets the frames in flight', () => {
  const outbox = sent([0, 1]);
  outbox.record(insert(2));
  outbox.startSending();
  assert.deepEqual(seqs(outbox.queued), [0, 1, 2]);
  assert.deepEqual(outbox.inFlight, []);
});

test('stopping sending empties the queue and the frames in flight but keeps every unacknowledged op', () => {
  const outbox = sent([0, 1]);
  outbox.record(insert(2));
  outbox.stopSending();
  assert.deepEqual(outbox.queued, []);
  assert.deepEqual(outbox.inFlight, []);
  assert.deepEqual(seqs(outbox.unacked), [0, 1, 2]);
});

test('ops the server holds at join are no longer unacknowledged; queue and frames stay', () => {
  const outbox = sent([0, 1]);
  outbox.record(insert(2));
  outbox.trimUnacked(2);
  assert.deepEqual(seqs(outbox.unacked), [2]);
  assert.deepEqual(seqs(outbox.queued), [2]);
  assert.deepEqual(frames(outbox), [[0, 1]]);
});

test('forgetting drops every unacknowledged op and leaves an array taken before unchanged', () => {
  const outbox = recorded(0, 1);
  const taken = outbox.unacked;
  outbox.forget();
  outbox.record(insert(0));
  assert.deepEqual(seqs(outbox.unacked), [0]);
  assert.deepEqual(seqs(taken), [0, 1]);
});

test('restored ops are unacknowledged and copied, and nothing is queued until sending starts', () => {
  const pending = [insert(0), insert(1)];
  const outbox = new Outbox();
  outbox.restore(pending);
  pending.push(insert(2));
  assert.deepEqual(seqs(outbox.unacked), [0, 1]);
  assert.deepEqual(outbox.queued, []);
  outbox.startSending();
  assert.deepEqual(seqs(outbox.queued), [0, 1]);
});
