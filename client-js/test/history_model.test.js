// history_model.test.js — the History panel's and the document list's pure logic
// (editor/history_model.js, editor/format.js): slider marks, diff and blame ranges in UTF-16
// units of the shown text, author keys and colours, relative times, sizes and titles.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUTHOR_PALETTE, authorColor, authorKey, blameRanges, diffDisplay, initialPrevious, legendOf,
  markPercent, sliderMarks,
} from '../editor/history_model.js';
import { docTitle, relativeTime, sizeText } from '../editor/format.js';

const timeline = {
  id: 'notes', ops: 7, created_us: 1764133200000000, gap: 300,
  authors: [{ user: 'ana', name: 'Ana', replicas: [1, 3] }, { user: 'bo', name: 'Bo', replicas: [2] }],
  sessions: [
    { user: 'ana', from: 0, to: 5, ops: 4, first_us: 1, last_us: 2, inserted: 40, deleted: 3 },
    { user: 'bo', from: 2, to: 7, ops: 1, first_us: 1, last_us: 2, inserted: 12, deleted: 0 },
  ],
  versions: [{ name: 'draft', at: 5, user: 'ana', created_us: 1764133300000000 }],
};

test('slider marks: sessions at their start, named versions labelled, in order', () => {
  const marks = sliderMarks(timeline, new Map([['ana', 'Ana']]));
  assert.deepEqual(marks, [
    { at: 0, kind: 'session', label: 'Ana: 4 edits', us: 1 },
    { at: 2, kind: 'session', label: 'bo: 1 edit', us: 1 },
    { at: 5, kind: 'version', label: 'draft', us: 1764133300000000 },
  ]);
  assert.equal(markPercent(5, 10), 50);
  assert.equal(markPercent(0, 0), 0);
  assert.equal(markPercent(12, 10), 100);
  assert.equal(initialPrevious(timeline), 2);
  assert.equal(initialPrevious({ ops: 3, sessions: [] }), 2);
});

test('diff segments become the text of B with inserted ranges and deleted markers', () => {
  const shown = diffDisplay([
    { op: 'keep', text: 'hel' },
    { op: 'delete', text: 'lo', user: 'bo' },
    { op: 'insert', text: 'p😀!', user: 'ana' },
    { op: 'keep', text: ' x' },
  ]);
  assert.equal(shown.text, 'help😀! x');
  assert.deepEqual(shown.inserts, [{ from: 3, to: 7, user: 'ana' }]);  // 😀 is two units
  assert.deepEqual(shown.deletes, [{ at: 3, text: 'lo', user: 'bo' }]);
});

test('blame runs in code points become UTF-16 ranges of the text', () => {
  const text = 'a😀b𝄞cd';
  const runs = [
    { from: 0, to: 2, text: 'a😀', user: 'ana', replica: 1 },
    { from: 2, to: 4, text: 'b𝄞', user: '', replica: 4 },
    { from: 4, to: 6, text: 'cd', user: 'bo', replica: 2 },
  ];
  assert.deepEqual(blameRanges(text, runs).map(({ from, to, key }) => [from, to, key]),
    [[0, 3, 'u:ana'], [3, 6, 'r:4'], [6, 8, 'u:bo']]);
  // A run that does not match the text there is left out.
  const wrong = blameRanges('abcd', [{ from: 0, to: 2, text: 'xy', user: 'a', replica: 1 },
    { from: 2, to: 4, text: 'cd', user: 'b', replica: 2 }]);
  assert.deepEqual(wrong.map(({ from, to }) => [from, to]), [[2, 4]]);
});

test('authors: keys, legend and colours consistent with live cursors', () => {
  assert.equal(authorKey('ana', 1), 'u:ana');
  assert.equal(authorKey('', 7), 'r:7');
  const legend = legendOf([...timeline.authors, { user: '', name: 'Zed', replicas: [4, 5] }]);
  assert.deepEqual(legend.map((e) => [e.key, e.name]),
    [['u:ana', 'Ana'], ['u:bo', 'Bo'], ['r:4', 'Zed'], ['r:5', 'Zed']]);
  const known = new Map([[3, '#123456']]);
  assert.equal(authorColor('u:ana', [1, 3], known), '#123456');
  const fallback = authorColor('u:bo', [2], known);
  assert.ok(AUTHOR_PALETTE.includes(fallback));
  assert.equal(authorColor('u:bo', [2], new Map()), fallback, 'the same key, the same colour');
});

test('the document list: relative times, sizes, titles', () => {
  const now = Date.UTC(2026, 0, 10, 12, 0, 0);
  assert.equal(relativeTime(now * 1000, now), 'just now');
  assert.equal(relativeTime((now - 5 * 60 * 1000) * 1000, now), '5 minutes ago');
  assert.equal(relativeTime((now - 26 * 3600 * 1000) * 1000, now), 'yesterday');
  assert.equal(sizeText(1), '1 character');
  assert.equal(sizeText(230), '230 characters');
  assert.equal(sizeText(12345), '12.3k characters');
  assert.equal(sizeText(undefined), '');
  assert.equal(docTitle({ id: 'a', title: 'Meeting notes' }), 'Meeting notes');
  assert.equal(docTitle({ id: 'a', title: '' }), 'a');
  assert.equal(docTitle({ id: 'a' }), 'a');
});
