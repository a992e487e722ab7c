// rga.test.js — replica behaviour beyond the vectors: random concurrent editing with reordered
// and duplicated delivery, change reports against the text, catch-up, local edit errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rga } from '../src/rga.js';

// Applying the reported changes in order to the text before gives the text after, in both
// UTF-16 units and code points.
function checkChanges(before, changes, after, where) {
  let t16 = before;
  const cps = [...before];
  for (const ch of changes) {
    t16 = t16.slice(0, ch.pos16) + ch.text + t16.slice(ch.pos16 + ch.del16);
    cps.splice(ch.pos, ch.del, ...ch.text);
  }
  assert.equal(t16, after, `${where}: changes (UTF-16)`);
  assert.equal(cps.join(''), after, `${where}: changes (code points)`);
}

// xorshift32: fixed seeds, the same sequence on every platform.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

const alphabet = ['a', 'b', 'c', 'é', '中', '😀', '🎉', '\u0000', '\u{10ffff}'];

function randomText(rand) {
  let s = '';
  for (let i = 1 + rand(6); i > 0; i--) s += alphabet[rand(alphabet.length)];
  return s;
}

// One random session: replicas edit locally and deliver each other's ops late, out of order
// and twice; at the end everything is delivered everywhere.
function session(seed) {
  const rand = rng(seed);
  const ids = [1, 2, 2 ** 53 - 1].slice(0, 2 + rand(2));
  const reps = ids.map((id) => new Rga(id));
  const inbox = reps.map(() => []);
  const deliver = (i, op) => {
    const before = reps[i].text();
    const res = reps[i].applyRemote(op);
    assert.notEqual(res.status, 'rejected', `seed ${seed}: ${res.error}`);
    checkChanges(before, res.changes, reps[i].text(), `seed ${seed}`);
    if (res.status === 'duplicate' || res.status === 'buffered') assert.equal(res.changes.length, 0);
  };
  for (let step = 0; step < 120; step++) {
    const i = rand(reps.length);
    const r = reps[i];
    const k = rand(10);
    let op = null;
    if (k < 5 || r.length === 0) op = r.localInsert(rand(r.length + 1), randomText(rand));
    else if (k < 7) {
      const pos = rand(r.length);
      op = r.localDelete(pos, 1 + rand(Math.min(4, r.length - pos)));
    } else if (k < 9) {
      const box = inbox[i];
      if (box.length > 0) deliver(i, box.splice(rand(box.length), 1)[0]);
    } else {
      // Catch-up from another replica's version: ops_since, possibly overlapping what is held.
      const j = rand(reps.length);
      for (const o of reps[j].opsSince(r.version())) deliver(i, o);
    }
    if (op) {
      reps.forEach((_, j) => {
        if (j === i) return;
        inbox[j].push(op);
        if (rand(4) === 0) inbox[j].push(op);
      });
    }
  }
  reps.forEach((r, i) => { while (inbox[i].length > 0) deliver(i, inbox[i].shift()); });
  for (const r of reps) {
    assert.equal(r.bufferedOps, 0);
    assert.equal(r.text(), reps[0].text(), `seed ${seed}: text`);
    assert.deepEqual(r.runs(), reps[0].runs(), `seed ${seed}: runs`);
    assert.deepEqual(r.version(), reps[0].version());
    assert.equal(r.clock, reps[0].clock);
    assert.deepEqual(r.encodeSnapshot(), reps[0].encodeSnapshot());
  }
  // A fresh replica catches up from opsSince without buffering.
  const fresh = new Rga(0);
  for (const op of reps[1].opsSince([])) assert.equal(fresh.applyRemote(op).status, 'applied');
  assert.deepEqual(fresh.runs(), reps[0].runs());
}

test('random concurrent sessions converge, and changes follow the text', () => {
  for (let seed = 1; seed <= 60; seed++) session(seed);
});

test('local edit errors change nothing', () => {
  const observer = new Rga(0);
  assert.throws(() => observer.localInsert(0, 'a'), { name: 'no_local_replica' });
  const rga = new Rga(4, { maxRun: 3 });
  assert.throws(() => rga.localInsert(1, 'a'), { name: 'position_out_of_range' });
  assert.throws(() => rga.localInsert(0, ''), { name: 'empty_op' });
  assert.throws(() => rga.localInsert(0, 'abcd'), { name: 'run_too_long' });
  assert.throws(() => rga.localInsert(0, 'a\udc00'), { name: 'invalid_utf8' });
  rga.localInsert(0, 'abc');
  assert.throws(() => rga.localDelete(2, 2), { name: 'position_out_of_range' });
  assert.throws(() => rga.localDelete(0, 0), { name: 'empty_op' });
  assert.deepEqual(rga.version(), [[4, 3]]);
  assert.equal(rga.clock, 3);
  rga.replica = 0;
  assert.throws(() => rga.localDelete(0, 1), { name: 'no_local_replica' });
});

test('applyRemote reports integrated ops trimmed, released ops after the op itself', () => {
  const rga = new Rga(0);
  const ab = { type: 'insert', replica: 1, seq: 0, lamport: 1, parent: [0, 0], text: 'ab' };
  const x = { type: 'insert', replica: 2, seq: 0, lamport: 3, parent: [1, 1], text: 'x' };
  assert.equal(rga.applyRemote(x).status, 'buffered');
  const res = rga.applyRemote({ ...ab, text: 'a' });
  assert.equal(res.status, 'applied');
  const res2 = rga.applyRemote(ab);
  assert.deepEqual(res2.integrated, [
    { type: 'insert', replica: 1, seq: 1, lamport: 2, parent: [1, 0], text: 'b' },
    { type: 'insert', replica: 2, seq: 0, lamport: 3, parent: [1, 1], text: 'x' },
  ]);
  assert.deepEqual(res2.changes.map((c) => [c.pos, c.text]), [[1, 'b'], [2, 'x']]);
  assert.equal(rga.text(), 'abx');
  assert.equal(rga.applyRemote({ ...x, lamport: 4 }).error, 'conflicting_duplicate');
});

test('a local edit that releases a buffered op reports it in lastRelease', () => {
  const rga = new Rga(1);
  const waiting = { type: 'insert', replica: 2, seq: 0, lamport: 2, parent: [1, 0], text: 'y' };
  assert.equal(rga.applyRemote(waiting).status, 'buffered');
  rga.localInsert(0, 'x');
  assert.equal(rga.text(), 'xy');
  assert.deepEqual(rga.lastRelease.changes, [{ pos: 1, pos16: 1, del: 0, del16: 0, text: 'y' }]);
  rga.localInsert(0, 'w');
  assert.deepEqual(rga.lastRelease.integrated, []);
});

test('sequential typing and backspacing keep few runs', () => {
  const rga = new Rga(1);
  let s = '';
  for (let i = 0; i < 500; i++) {
    rga.localInsert(s.length, 'k');
    s += 'k';
    if (i % 7 === 6) {
      rga.localDelete(s.length - 1, 1);
      s = s.slice(0, -1);
    }
  }
  assert.equal(rga.text(), s);
  // Each backspace run splits typing once: runs stay proportional to the backspaces.
  assert.ok(rga.runs().length <= 2 * 72 + 1, `runs: ${rga.runs().length}`);
});
