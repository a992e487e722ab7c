// utf16.test.js — UTF-16 offsets at the editor boundary, converted exactly to code points.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rga } from '../src/rga.js';
import { cpLength, cpToUnit, isWellFormed, unitToCp } from '../src/utf8.js';

test('string helpers count astral characters as one code point', () => {
  assert.equal(cpLength('a😀b𝄞'), 4);
  assert.equal(cpToUnit('a😀b𝄞', 2), 3);
  assert.equal(unitToCp('a😀b𝄞', 3), 2);
  assert.equal(unitToCp('a😀b𝄞', 2), -1);
  assert.ok(isWellFormed('a😀'));
  assert.ok(!isWellFormed('a\ud83d'));
  assert.ok(!isWellFormed('\ude00b'));
});

test('positions convert both ways across emoji, at every offset', () => {
  const rga = new Rga(1);
  const text = 'a😀bc𝄞\u{10ffff}中é👍🏽!';
  const cps = [...text];
  rga.localInsert(0, cps.slice(0, 5).join(''));
  rga.localInsert(5, cps.slice(5).join(''));
  rga.localDelete(2, 1); // 'b': two runs and a tombstone in the middle
  const live = 'a😀c𝄞\u{10ffff}中é👍🏽!';
  assert.equal(rga.text(), live);
  assert.equal(rga.length16, live.length);
  assert.equal(rga.length, [...live].length);
  let off = 0;
  [...live].forEach((ch, pos) => {
    assert.equal(rga.posToUtf16(pos), off);
    assert.equal(rga.utf16ToPos(off), pos);
    if (ch.length === 2) {
      assert.throws(() => rga.utf16ToPos(off + 1), { name: 'position_out_of_range' });
      assert.throws(() => rga.localInsert16(off + 1, 'x'), { name: 'position_out_of_range' });
    }
    off += ch.length;
  });
  assert.equal(rga.posToUtf16(rga.length), live.length);
  assert.equal(rga.utf16ToPos(live.length), rga.length);
  assert.throws(() => rga.utf16ToPos(live.length + 1), { name: 'position_out_of_range' });
});

test('localInsert16 / localDelete16 edit at UTF-16 offsets and emit code-point ops', () => {
  const rga = new Rga(3);
  rga.localInsert16(0, '😀😀');
  const op = rga.localInsert16(2, 'x🎉');
  assert.deepEqual(op.parent, [3, 0]);
  assert.equal(rga.text(), '😀x🎉😀');
  const d = rga.localDelete16(2, 3);
  assert.deepEqual(d.targets, [[3, 2, 2]]);
  assert.equal(rga.text(), '😀😀');
  assert.throws(() => rga.localDelete16(0, 1), { name: 'position_out_of_range' });
  assert.throws(() => rga.localInsert16(0, '\ud83d'), { name: 'invalid_utf8' });
  assert.equal(rga.text(), '😀😀');
});

test('remote changes report UTF-16 positions next to code points', () => {
  const a = new Rga(1);
  const b = new Rga(2);
  const ops = [a.localInsert(0, '😀ab'), a.localInsert(1, '🎉'), a.localDelete(0, 2)];
  const seen = ops.map((op) => b.applyRemote(op).changes);
  assert.deepEqual(seen, [
    [{ pos: 0, pos16: 0, del: 0, del16: 0, text: '😀ab' }],
    [{ pos: 1, pos16: 2, del: 0, del16: 0, text: '🎉' }],
    [{ pos: 0, pos16: 0, del: 2, del16: 4, text: '' }],
  ]);
  assert.equal(b.text(), 'ab');
});
