// text_diff.test.js — editor/text_diff.js: the restore's character diff keeps unchanged text,
// never splits a surrogate pair, and always turns the old text into the new one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges, diffChanges, myers } from '../editor/text_diff.js';

test('equal texts need no change', () => {
  assert.deepEqual(diffChanges('same', 'same'), []);
  assert.deepEqual(diffChanges('', ''), []);
});

test('a change in the middle keeps the common prefix and suffix', () => {
  assert.deepEqual(diffChanges('hello world', 'hello brave world'),
    [{ from: 6, to: 6, insert: 'brave ' }]);
  assert.deepEqual(diffChanges('abcdef', 'abef'), [{ from: 2, to: 4, insert: '' }]);
  assert.deepEqual(diffChanges('', 'new'), [{ from: 0, to: 0, insert: 'new' }]);
  assert.deepEqual(diffChanges('old', ''), [{ from: 0, to: 3, insert: '' }]);
});

test('Myers keeps the unchanged characters between several edits', () => {
  const changes = diffChanges('The quick brown fox', 'The quack brown box!');
  assert.equal(applyChanges('The quick brown fox', changes), 'The quack brown box!');
  assert.deepEqual(changes, [
    { from: 6, to: 7, insert: 'a' },
    { from: 16, to: 17, insert: 'b' },
    { from: 19, to: 19, insert: '!' },
  ]);
});

test('the edit script is minimal', () => {
  const script = myers([...'ABCABBA'], [...'CBABAC']);
  assert.equal(script.filter((s) => s !== '=').length, 5);  // Myers' own example: D = 5
});

test('surrogate pairs are never split', () => {
  // 😀 is \ud83d\ude00 and 😁 is \ud83d\ude01: a shared high surrogate is not a common prefix.
  const changes = diffChanges('a😀b', 'a😁b');
  assert.deepEqual(changes, [{ from: 1, to: 3, insert: '😁' }]);
  // 𝄞 (\ud834\udd1e) and 😞 (\ud83d\ude1e) share no unit; 🀞 (\ud83c\udc1e)... the low one
  // must not become a common suffix on its own.
  const other = diffChanges('x\ud83d\ude1e', 'x\ud83c\ude1e');
  assert.deepEqual(other, [{ from: 1, to: 3, insert: '\ud83c\ude1e' }]);
  for (const change of [...changes, ...other]) {
    assert.ok(!/[\ud800-\udbff]$/.test(change.insert) && !/^[\udc00-\udfff]/.test(change.insert));
  }
});

test('random edits round-trip, with astral characters and newlines', () => {
  const alphabet = ['a', 'b', 'c', '\n', '😀', 'é', '𝄞', ' '];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const word = (n) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  for (let i = 0; i < 300; i++) {
    const before = word(Math.floor(random() * 40));
    let after = before;
    for (let e = 0; e < 4; e++) {
      const units = [...after];
      const at = Math.floor(random() * (units.length + 1));
      const del = Math.floor(random() * 4);
      units.splice(at, del, word(Math.floor(random() * 4)));
      after = units.join('');
    }
    const changes = diffChanges(before, after);
    assert.equal(applyChanges(before, changes), after, JSON.stringify({ before, after }));
    let last = -1;
    for (const { from, to } of changes) {
      assert.ok(from > last && to >= from, 'ascending and not overlapping');
      last = to;
    }
  }
});

test('a large rewrite falls back to lines, then to one replacement', () => {
  const before = Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(i % 7)}\n`).join('');
  const after = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `LINE ${i}\n` : `line ${i} ${'x'.repeat(i % 7)}\n`)).join('');
  const byLines = diffChanges(before, after, { maxEdits: 250 });  // ~600 by characters, 200 by lines
  assert.equal(applyChanges(before, byLines), after);
  assert.ok(byLines.length > 1);
  const whole = diffChanges('abcdefgh', 'hgfedcba', { maxEdits: 2 });
  assert.equal(whole.length, 1);
  assert.equal(applyChanges('abcdefgh', whole), 'hgfedcba');
});
