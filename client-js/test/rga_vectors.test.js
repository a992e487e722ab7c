// rga_vectors.test.js — the replica against every shared vector (crdt/testdata/README.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rga } from '../src/rga.js';

const dir = fileURLToPath(new URL('../../crdt/testdata/vectors/', import.meta.url));

// A vector op as the JS op shape; `text_hex` becomes raw bytes, never a string.
function toOp(v) {
  if (v.insert) {
    const o = v.insert;
    const text = o.text_hex !== undefined ? Uint8Array.from(Buffer.from(o.text_hex, 'hex')) : o.text;
    return { type: 'insert', replica: o.replica, seq: o.seq, lamport: o.lamport, parent: o.parent, text };
  }
  const o = v.delete;
  return { type: 'delete', replica: o.replica, seq: o.seq, lamport: o.lamport, targets: o.targets };
}

function resultOf(res) {
  return res.status === 'rejected' ? `rejected:${res.error}` : res.status;
}

// Checks `expect` and the derived position/anchor checks of the README.
function checkExpect(rga, expect, where) {
  assert.equal(rga.text(), expect.text, `${where}: text`);
  assert.equal(rga.length, expect.length, `${where}: length`);
  assert.equal(rga.length16, expect.text.length, `${where}: length16`);
  assert.equal(rga.clock, expect.clock, `${where}: clock`);
  assert.equal(rga.bufferedOps, expect.buffered, `${where}: buffered`);
  assert.deepEqual(rga.runs(), expect.runs, `${where}: runs`);
  assert.deepEqual(rga.version(), expect.version, `${where}: version`);
  let live = 0;
  for (const [r, s, , n, del] of expect.runs) {
    for (let k = 0; k < n; k++) {
      const id = [r, s + k];
      assert.equal(rga.positionOf(id), live, `${where}: positionOf`);
      assert.equal(rga.resolve([r, s + k, 0]), live, `${where}: resolve before`);
      assert.equal(rga.resolve([r, s + k, 1]), del ? live : live + 1, `${where}: resolve after`);
      if (!del) {
        assert.deepEqual(rga.idAt(live), id, `${where}: idAt`);
        live++;
      }
    }
  }
  assert.throws(() => rga.idAt(rga.length), { name: 'position_out_of_range' });
  for (let pos = 0; pos <= rga.length; pos++) {
    for (const side of [0, 1]) {
      const a = rga.anchorAt(pos, side);
      assert.equal(rga.resolve(a), pos, `${where}: anchor ${pos}/${side}`);
      const onRoot = a[0] === 0 && a[1] === 0;
      assert.equal(onRoot, (pos === 0 && side === 1) || (pos === rga.length && side === 0));
    }
  }
  assert.throws(() => rga.anchorAt(rga.length + 1, 1), { name: 'position_out_of_range' });
  assert.equal(rga.positionOf([0, 0]), 0);
  const elements = new Set();
  for (const [r, s, , n] of expect.runs) for (let k = 0; k < n; k++) elements.add(`${r}:${s + k}`);
  for (const [r, next] of expect.version) {
    for (let s = 0; s <= Math.min(next, 2000); s++) {
      if (elements.has(`${r}:${s}`)) continue;
      assert.equal(rga.positionOf([r, s]), null, `${where}: positionOf non-element ${r}:${s}`);
      assert.equal(rga.resolve([r, s, 1]), null);
    }
  }
  // A snapshot of the state decodes to the same state and re-encodes to the same bytes.
  const bytes = rga.encodeSnapshot();
  const back = Rga.fromSnapshot(bytes);
  assert.equal(back.text(), expect.text, `${where}: snapshot text`);
  assert.deepEqual(back.runs(), expect.runs, `${where}: snapshot runs`);
  assert.deepEqual(back.version(), expect.version, `${where}: snapshot version`);
  assert.equal(back.clock, expect.clock);
  assert.deepEqual(back.encodeSnapshot(), bytes, `${where}: snapshot bytes`);
}

// Every delivery ends in the same state, and ops_since({}) replayed into a fresh replica
// reproduces it without buffering.
function checkHistory(rga, where) {
  const copy = new Rga(0);
  for (const op of rga.opsSince([])) {
    assert.equal(copy.applyRemote(op).status, 'applied', `${where}: opsSince replay`);
  }
  assert.deepEqual(copy.runs(), rga.runs(), `${where}: opsSince runs`);
  assert.equal(copy.text(), rga.text());
}

function runReplay(c) {
  const ops = c.ops.map(toOp);
  c.deliveries.forEach((d, di) => {
    const rga = new Rga(0);
    d.order.forEach((k, step) => {
      const before = rga.text();
      const res = rga.applyRemote(ops[k]);
      assert.equal(resultOf(res), d.results[step], `${c.name} delivery ${di} step ${step}`);
      checkChanges(before, res.changes, rga.text(), `${c.name} delivery ${di} step ${step}`);
    });
    checkExpect(rga, c.expect, `${c.name} delivery ${di}`);
    checkHistory(rga, `${c.name} delivery ${di}`);
  });
}

// Applying the reported changes, in order, to the text before gives the text after, in both
// code points and UTF-16.
function checkChanges(before, changes, after, where) {
  let t16 = before;
  const cps = [...before];
  for (const ch of changes) {
    assert.equal(t16.slice(ch.pos16, ch.pos16 + ch.del16).length, ch.del16, `${where}: change in range`);
    t16 = t16.slice(0, ch.pos16) + ch.text + t16.slice(ch.pos16 + ch.del16);
    cps.splice(ch.pos, ch.del, ...ch.text);
  }
  assert.equal(t16, after, `${where}: changes (UTF-16)`);
  assert.equal(cps.join(''), after, `${where}: changes (code points)`);
}

function runLocal(c) {
  const rga = new Rga(c.replica);
  c.steps.forEach((st, i) => {
    const where = `${c.name} step ${i}`;
    if (st.remote) {
      assert.equal(resultOf(rga.applyRemote(toOp(st.remote))), st.result, where);
      return;
    }
    if (st.anchor_at) {
      const call = () => rga.anchorAt(st.anchor_at.pos, st.anchor_at.side);
      if (st.error) assert.throws(call, { name: st.error }, where);
      else assert.deepEqual(call(), st.anchor, where);
      return;
    }
    if (st.resolve) {
      assert.equal(rga.resolve(st.resolve), st.pos, where);
      return;
    }
    const call = st.local_insert
      ? () => rga.localInsert(st.local_insert.pos, st.local_insert.text)
      : () => rga.localDelete(st.local_delete.pos, st.local_delete.len);
    if (st.error) {
      const runs = rga.runs();
      assert.throws(call, { name: st.error }, where);
      assert.deepEqual(rga.runs(), runs, `${where}: unchanged`);
    } else {
      assert.deepEqual(call(), toOp(st.op), where);
    }
  });
  checkExpect(rga, c.expect, c.name);
}

for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const doc = JSON.parse(readFileSync(dir + file, 'utf8'));
  test(`vectors/${file}`, async (t) => {
    assert.equal(doc.format, 'weft-rga-vectors');
    assert.equal(doc.version, 2);
    for (const c of doc.cases) {
      await t.test(c.name, () => (c.type === 'local' ? runLocal(c) : runReplay(c)));
    }
  });
}
