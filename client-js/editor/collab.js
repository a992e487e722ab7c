// collab.js — keeps a CodeMirror view and a DocHandle showing the same text.
//
// Local transactions become DocHandle.insert/delete calls, in order; remote changes arrive as
// 'change' events and are dispatched with the `remote` annotation and addToHistory false, so
// undo/redo only touch the local user's edits and CodeMirror maps the local selection through
// them. Both sides count UTF-16 code units, and the editor treats only "\n" as a line break,
// so offsets match one to one.
import { Annotation, ChangeSet, EditorState, Transaction } from '@codemirror/state';
import { ViewPlugin } from '@codemirror/view';

export const remote = Annotation.define();

// Applies one transaction's changes to the handle. iterChanges reports them in ascending
// order with fromB already shifted by the earlier ones, so each lands where the handle's
// text (which has those earlier ones applied) expects it.
function pushChanges(handle, changes) {
  changes.iterChanges((fromA, toA, fromB, _toB, inserted) => {
    if (toA > fromA) handle.delete(fromB, toA - fromA);
    if (inserted.length > 0) handle.insert(fromB, inserted.toString());
  });
}

// Offsets of a 'change' event are valid after the previous change of the same event; compose
// them into one ChangeSet against the view's current document.
function composeChanges(changes, length) {
  let set = ChangeSet.empty(length);
  for (const { from, to, insert } of changes) {
    const next = ChangeSet.of({ from, to, insert: insert ?? '' }, set.newLength, '\n');
    set = set.compose(next);
  }
  return set;
}

function replaceAll(view, handle) {
  const text = handle.text();
  if (view.state.doc.toString() === text) return;
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: text },
    annotations: [remote.of(true), Transaction.addToHistory.of(false)],
  });
}

// The extensions that bind a view to `handle`. The view must be created with
// `doc: handle.text()`. `onLocal` runs after every local edit (typing indicator), and
// `onSelection(range)` after every update that changed the text or the selection (presence).
export function collab(handle, { onLocal = () => {}, onSelection = () => {} } = {}) {
  const plugin = ViewPlugin.define((view) => new Binding(view, handle, onLocal, onSelection));
  return [EditorState.lineSeparator.of('\n'), plugin];
}

class Binding {
  constructor(view, handle, onLocal, onSelection) {
    this.view = view;
    this.handle = handle;
    this.onLocal = onLocal;
    this.onSelection = onSelection;
    this.updating = false;
    this.onChange = (event) => this.applyRemote(event);
    this.onReset = () => this.later(() => replaceAll(this.view, this.handle));
    handle.on('change', this.onChange);
    handle.on('reset', this.onReset);
  }

  // Runs `fn` now, or after the current view update if the handle spoke during one.
  later(fn) {
    if (this.updating) queueMicrotask(() => this.alive && fn());
    else fn();
  }

  get alive() {
    return this.handle !== null;
  }

  resync(reason) {
    console.warn(`weft editor: resynchronising from the document (${reason})`);
    queueMicrotask(() => this.alive && replaceAll(this.view, this.handle));
  }

  update(update) {
    if (!this.alive) return;
    let local = false;
    this.updating = true;
    try {
      for (const tr of update.transactions) {
        if (!tr.docChanged || tr.annotation(remote)) continue;
        local = true;
        pushChanges(this.handle, tr.changes);
      }
    } catch (error) {
      this.resync(error?.message ?? String(error));
    } finally {
      this.updating = false;
    }
    if (local) this.onLocal();
    // Remote changes move the selection too; the handle wants offsets of its current text.
    if (update.docChanged || update.selectionSet) this.onSelection(update.state.selection.main);
  }

  applyRemote({ changes, origin }) {
    if (origin === 'local' || !changes?.length) return;
    this.later(() => {
      let set;
      try {
        set = composeChanges(changes, this.view.state.doc.length);
      } catch (error) {
        this.resync(error?.message ?? String(error));
        return;
      }
      this.view.dispatch({
        changes: set,
        annotations: [remote.of(true), Transaction.addToHistory.of(false)],
      });
      const length = this.handle.length16;
      if (typeof length === 'number' && length !== this.view.state.doc.length) {
        this.resync('length mismatch');
      }
    });
  }

  destroy() {
    this.handle.off?.('change', this.onChange);
    this.handle.off?.('reset', this.onReset);
    this.handle = null;
  }
}
