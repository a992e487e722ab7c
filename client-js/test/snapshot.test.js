// snapshot.test.js — snapshot bytes (crdt §11.1) and load checks (§11.2), including snapshots
// written by the C++ side (the seed corpus of fuzz/snapshot_decode_fuzz).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rga } from '../src/rga.js';
import { decodeSnapshot, encodeSnapshot } from '../src/snapshot.js';

const corpus = fileURLToPath(new URL('../../fuzz/corpus/snapshot_decode_fuzz/', import.meta.url));
const hex = (s) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ins = (replica, seq, lamport, parent, text) => ({ type: 'insert', replica, seq, lamport, parent, text });
const del = (replica, seq, lamport, targets) => ({ type: 'delete', replica, seq, lamport, targets });

test('the §11.1 example encodes to its 28 bytes and loads back', () => {
  const rga = new Rga(0);
  rga.applyRemote(ins(1, 0, 1, [0, 0], 'hi'));
  rga.applyRemote(ins(2, 0, 3, [1, 1], '!'));
  rga.applyRemote(del(1, 2, 4, [[1, 0, 1]]));
  const want = hex('57 52 53 01 04 02 01 03 04 01 01 03 03 00 00 02 03 00 00 00 02 01 03 04 02 02 69 21');
  assert.deepEqual(rga.encodeSnapshot(), want);
  const back = Rga.fromSnapshot(want, 5);
  assert.equal(back.text(), 'i!');
  assert.equal(back.clock, 4);
  assert.deepEqual(back.version(), [[1, 3], [2, 1]]);
  assert.deepEqual(back.runs(), [[1, 0, 1, 1, true], [1, 1, 2, 1, false], [2, 0, 3, 1, false]]);
});

test('C++ snapshots from the fuzz seed corpus load and re-encode byte for byte', () => {
  const good = ['empty.snap', 'typed.snap', 'concurrent.snap', 'astral.snap', 'all_deleted.snap',
    'five_replicas.snap', 'high_ids.snap', 'loaded_then_edited.snap'];
  const bad = ['bad_magic.snap', 'trailing_byte.snap', 'truncated.snap', 'regression_unsorted_replicas'];
  const files = readdirSync(corpus);
  for (const f of good) assert.ok(files.includes(f), f);
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(corpus + f));
    let rga;
    try {
      rga = Rga.fromSnapshot(bytes);
    } catch (e) {
      assert.equal(e.name, 'bad_snapshot', f);
      assert.ok(!good.includes(f), `${f} must load`);
      continue;
    }
    assert.ok(!bad.includes(f), `${f} must be rejected`);
    assert.deepEqual(rga.encodeSnapshot(), bytes, `${f} re-encodes identically`);
  }
  const typed = Rga.fromSnapshot(new Uint8Array(readFileSync(corpus + 'typed.snap')));
  assert.equal(typed.text(), 'hello world');
});

test('a loaded replica keeps working and has no history below its base', () => {
  const a = new Rga(1);
  a.localInsert(0, 'hello 😀 world');
  a.localDelete(2, 3);
  const b = Rga.fromSnapshot(a.encodeSnapshot(), 2);
  assert.equal(b.text(), a.text());
  assert.throws(() => b.opsSince([]), { name: 'history_unavailable' });
  assert.deepEqual(b.opsSince(b.version()), []);
  const op = b.localInsert(3, 'XY');
  assert.equal(a.applyRemote(op).status, 'applied');
  const op2 = a.localDelete(0, 2);
  assert.equal(b.applyRemote(op2).status, 'applied');
  // An echo of a unit the snapshot holds only as a delete unit is a duplicate (not compared).
  assert.equal(b.applyRemote(del(1, 14, 99, [[1, 0, 1]])).status, 'duplicate');
  assert.equal(b.text(), a.text());
  assert.deepEqual(b.runs(), a.runs());
  assert.deepEqual(b.opsSince([[1, 16]]).map((o) => [o.replica, o.seq]), [[2, 0], [1, 16]]);
});

test('counters near 2^53 round-trip (deltas need BigInt)', () => {
  const top = 2 ** 53;
  const snap = {
    clock: top - 1,
    replicas: [[1, 1, 1], [top - 1, top, top - 1]],
    runs: [[top - 1, top - 3, 5, 2, false], [1, 0, 1, 1, true], [top - 1, 0, top - 1, 1, false]],
    text: 'ab😀',
  };
  const bytes = encodeSnapshot(snap);
  assert.deepEqual(decodeSnapshot(bytes), snap);
  const rga = Rga.fromSnapshot(bytes, 7);
  assert.equal(rga.text(), 'ab😀');
  assert.deepEqual(rga.runs(), snap.runs);
  assert.deepEqual(rga.version(), [[1, 1], [top - 1, top]]);
  assert.deepEqual(rga.encodeSnapshot(), bytes);
  assert.throws(() => rga.localInsert(0, 'x'), { name: 'bad_counter' });
  // Replica top − 1 has no ids left, but others can still delete its elements.
  assert.equal(rga.applyRemote(ins(top - 1, top, top - 1, [0, 0], 'x')).error, 'bad_counter');
  assert.equal(rga.applyRemote(del(2, 0, top - 1, [[top - 1, top - 3, 2]])).error, 'bad_counter');
  const res = rga.applyRemote(del(2, 0, top - 2, [[top - 1, top - 3, 2]]));
  assert.equal(res.status, 'applied');
  assert.deepEqual(res.changes, [{ pos: 0, pos16: 0, del: 2, del16: 2, text: '' }]);
  assert.equal(rga.text(), '😀');
});

test('varints: long forms accepted, overlong or oversized ones rejected', () => {
  const snap = { clock: 0, replicas: [], runs: [], text: '' };
  assert.deepEqual(encodeSnapshot(snap), hex('57525301 00 00 00 00'));
  assert.deepEqual(decodeSnapshot(hex('57525301 80 00 00 00 00')), snap);
  assert.deepEqual(decodeSnapshot(hex('57525301 80 80 80 80 80 80 80 80 80 00 00 00 00')), snap);
  assert.throws(() => decodeSnapshot(hex('57525301 80 80 80 80 80 80 80 80 80 02 00 00 00')), { name: 'bad_snapshot' });
  assert.throws(() => decodeSnapshot(hex('57525301 80 80 80 80 80 80 80 80 80 80 00 00 00 00')), { name: 'bad_snapshot' });
  // clock 2^53 is out of range; 2^53 − 1 is fine.
  assert.throws(() => decodeSnapshot(hex('57525301 8080808080808010 00 00 00')), { name: 'bad_snapshot' });
  assert.equal(decodeSnapshot(hex('57525301 ffffffffffffff0f 00 00 00')).clock, 2 ** 53 - 1);
});

test('load checks reject inconsistent snapshots', () => {
  const ok = (o) => encodeSnapshot({ clock: 4, replicas: [[1, 3, 4]], runs: [[1, 0, 1, 3, false]], text: 'abc', ...o });
  assert.equal(decodeSnapshot(ok({})).text, 'abc');
  const cases = {
    'text too short': { text: 'ab' },
    'text too long': { text: 'abcd' },
    'run past next_seq': { replicas: [[1, 2, 4]] },
    'lamport past clock': { clock: 2, replicas: [[1, 3, 2]] },
    'lamport past last_lamport': { replicas: [[1, 3, 2]] },
    'lamport 0': { runs: [[1, 0, 0, 3, false]] },
    'shared ids': { runs: [[1, 0, 1, 2, false], [1, 1, 2, 1, true]], text: 'ab' },
    'replica 0': { replicas: [[0, 3, 4]], runs: [] , text: '' },
    'next_seq 0': { replicas: [[1, 0, 0]], runs: [], text: '' },
  };
  for (const [name, o] of Object.entries(cases)) {
    assert.throws(() => decodeSnapshot(ok(o)), { name: 'bad_snapshot' }, name);
  }
  assert.throws(() => decodeSnapshot(hex('57525301 04 01 01 03 04 01 01 00 02 06 03 ff fe fd')), { name: 'bad_snapshot' });
  assert.throws(() => Rga.fromSnapshot(new Uint8Array(0)), { name: 'bad_snapshot' });
});
