// cursors.js — other members' cursors and selections, drawn in their colours with a name label.
//
// The field keeps each peer's head/anchor as UTF-16 offsets into the current document and maps
// them through every change (local or remote), so a cursor stays on its text between presence
// updates. setPeers replaces the whole set when a 'presence' event arrives.
import { StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, WidgetType } from '@codemirror/view';

// [{ id, name, color, head, anchor, typing }], offsets in UTF-16 code units of the new state.
export const setPeers = StateEffect.define();

const FALLBACK_COLOR = '#7a7a7a';

// Only plain hex colours reach a style attribute: presence comes from other users.
export function safeColor(color) {
  return typeof color === 'string' && /^#[0-9a-f]{6}$/i.test(color) ? color : FALLBACK_COLOR;
}

class CaretWidget extends WidgetType {
  constructor(name, color) {
    super();
    this.name = name;
    this.color = color;
  }

  eq(other) {
    return other.name === this.name && other.color === this.color;
  }

  toDOM() {
    const caret = document.createElement('span');
    caret.className = 'cm-remote-caret';
    caret.style.borderLeftColor = this.color;
    caret.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'cm-remote-label';
    label.style.backgroundColor = this.color;
    label.textContent = this.name;
    caret.appendChild(label);
    return caret;
  }

  ignoreEvent() {
    return true;
  }
}

function clamp(pos, length) {
  return Math.max(0, Math.min(pos, length));
}

function buildDecorations(peers) {
  const ranges = [];
  for (const peer of peers) {
    const color = safeColor(peer.color);
    const from = Math.min(peer.head, peer.anchor);
    const to = Math.max(peer.head, peer.anchor);
    if (from < to) {
      ranges.push(Decoration.mark({
        class: 'cm-remote-selection',
        attributes: { style: `background-color: ${color}38` },
      }).range(from, to));
    }
    ranges.push(Decoration.widget({
      widget: new CaretWidget(peer.name || 'Anonymous', color),
      side: 1,
    }).range(peer.head));
  }
  return Decoration.set(ranges, true);
}

export const remoteCursors = StateField.define({
  create() {
    return { peers: [], decorations: Decoration.none };
  },

  update(value, tr) {
    let peers = value.peers;
    let changed = false;
    if (tr.docChanged) {
      peers = peers.map((peer) => ({
        ...peer,
        head: tr.changes.mapPos(peer.head, 1),
        anchor: tr.changes.mapPos(peer.anchor, 1),
      }));
      changed = true;
    }
    for (const effect of tr.effects) {
      if (effect.is(setPeers)) {
        const length = tr.newDoc.length;
        peers = effect.value.map((peer) => ({
          ...peer,
          head: clamp(peer.head, length),
          anchor: clamp(peer.anchor ?? peer.head, length),
        }));
        changed = true;
      }
    }
    return changed ? { peers, decorations: buildDecorations(peers) } : value;
  },

  provide: (field) => EditorView.decorations.from(field, (value) => value.decorations),
});
