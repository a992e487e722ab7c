// restore.test.js — editor/restore.js on a real CodeMirror state with the undo history the
// editor uses: the restore is one transaction, keeps unchanged text, and one undo takes it back
// without touching the user's typing before it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { history, undo } from '@codemirror/commands';
import { EditorState } from '@codemirror/state';
import { restoreSpec } from '../editor/restore.js';

function run(state, command) {
  let next = state;
  command({ state, dispatch: (tr) => { next = tr.state; } });
  return next;
}

test('restoring a version is one undoable step, separate from the typing before it', () => {
  let state = EditorState.create({ doc: 'Title\nold body 😀\n', extensions: [history()] });
  // The user types (joins the same undo event as anything within 500 ms, unless isolated).
  state = state.update({ changes: { from: 5, insert: '!' }, userEvent: 'input.type' }).state;
  const typed = state.doc.toString();
  const spec = restoreSpec(state, 'Title\nnew body 😀 and more\n');
  assert.ok(spec);
  const tr = state.update(spec);
  assert.equal(tr.state.doc.toString(), 'Title\nnew body 😀 and more\n');
  // Unchanged text is kept, not retyped: "Title" and " body 😀" map through.
  assert.equal(tr.changes.mapPos(2), 2);
  assert.equal(tr.changes.mapPos(typed.indexOf('😀')), 'Title\nnew body '.length);
  state = tr.state;
  state = run(state, undo);
  assert.equal(state.doc.toString(), typed, 'one undo takes the restore back, and only it');
  state = run(state, undo);
  assert.equal(state.doc.toString(), 'Title\nold body 😀\n');
});

test('restoring the text it already has changes nothing', () => {
  const state = EditorState.create({ doc: 'same' });
  assert.equal(restoreSpec(state, 'same'), null);
});
