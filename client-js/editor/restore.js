// restore.js — "Restore this version" as the editor types it (client-js/README.md, "History"):
// the difference between the live text and the version's, as ONE transaction isolated in the
// undo history, so it goes out through collab.js as ordinary ops and one undo takes it back.
import { isolateHistory } from '@codemirror/commands';
import { diffChanges } from './text_diff.js';

// The transaction spec that turns `state`'s document into `text`, or null if they are equal.
export function restoreSpec(state, text) {
  const changes = diffChanges(state.doc.toString(), text);
  if (changes.length === 0) return null;
  return {
    changes,
    userEvent: 'input.restore',
    annotations: isolateHistory.of('full'),
    scrollIntoView: false,
  };
}
