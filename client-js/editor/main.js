// main.js — the browser editor: routes `/` to the document list and `/d/DOC_ID` to a
// CodeMirror 6 editor bound to that document through the Weft client.
import './editor.css';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, placeholder } from '@codemirror/view';
import { minimalSetup } from 'codemirror';
import { IndexedDbPersistence, WeftClient } from '../src/index.js';
import { collab } from './collab.js';
import { remoteCursors, setPeers } from './cursors.js';
import { openHistory } from './history.js';
import {
  DOC_ID_PATTERN, identity, rememberDoc, renderEditorShell, renderHome,
} from './ui.js';

const TYPING_IDLE_MS = 1500;

function route(pathname) {
  const match = /^\/d\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  const id = decodeURIComponent(match[1]);
  return DOC_ID_PATTERN.test(id) ? id : null;
}

function socketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws`;
}

// Sends the local cursor, name, colour and typing flag. DocHandle coalesces what it sends;
// offsets are handed over at once, while they still match the handle's text.
class PresenceSender {
  constructor(handle, me) {
    this.handle = handle;
    this.me = me;
    this.range = { head: 0, anchor: 0 };
    this.typing = false;
    this.idle = null;
  }

  selection(range) {
    if (range.head === this.range.head && range.anchor === this.range.anchor) return;
    this.range = { head: range.head, anchor: range.anchor };
    this.send();
  }

  typed() {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.typing = false;
      this.send();
    }, TYPING_IDLE_MS);
    if (!this.typing) {
      this.typing = true;
      this.send();
    }
  }

  send() {
    this.handle.setPresence({
      head16: this.range.head,
      anchor16: this.range.anchor,
      name: this.me.name,
      color: this.me.color,
      typing: this.typing,
    });
  }
}

function peersOf(members, ownReplica) {
  const peers = [];
  for (const [replica, state] of members ?? []) {
    if (replica === ownReplica || !state) continue;
    peers.push({
      id: replica,
      name: state.name || 'Anonymous',
      color: state.color,
      typing: Boolean(state.typing),
      head: state.head16,
      anchor: state.anchor16 ?? state.head16,
    });
  }
  return peers;
}

async function openEditor(root, docId) {
  const me = identity();
  let presence = null;
  let peers = [];
  const shell = renderEditorShell(root, docId, me, () => {
    presence?.send();
    shell.setMembers(peers);
  });
  document.title = `${docId} — Weft`;
  rememberDoc(docId);

  const client = new WeftClient({
    url: socketUrl(),
    persistence: new IndexedDbPersistence(),
    name: 'weft-editor',
    // An access token (PROTOCOL.md §13) given as the page's `token` query parameter.
    token: new URLSearchParams(location.search).get('token'),
    // Browsers refuse queueMicrotask called as a method of another object.
    schedule: (fn) => queueMicrotask(fn),
  });
  client.on('error', (error) => console.warn('weft:', error?.message ?? error));

  let handle;
  try {
    handle = await client.open(docId);
  } catch (error) {
    shell.setStatus('offline');
    shell.showMessage(`Could not open “${docId}”: ${error?.message ?? error}`);
    return;
  }
  presence = new PresenceSender(handle, me);
  // Holds EditorState.readOnly once the server said this user may only read.
  const access = new Compartment();

  const view = new EditorView({
    parent: shell.editor,
    state: EditorState.create({
      doc: handle.text(),
      extensions: [
        minimalSetup,  // history, drawn selection, default and undo/redo keymaps
        EditorView.lineWrapping,
        placeholder('Start typing…'),
        remoteCursors,
        collab(handle, {
          onLocal: () => presence.typed(),
          onSelection: (range) => presence.selection(range),
        }),
        EditorView.contentAttributes.of({ 'aria-label': `Document ${docId}` }),
        access.of(EditorState.readOnly.of(handle.readOnly)),
      ],
    }),
  });

  // Between reconnect attempts the handle goes offline → connecting → offline; the header
  // keeps saying offline until the document is joined again.
  let shown = null;
  const showStatus = (status) => {
    if (status === 'connecting' && shown === 'offline') return;
    shown = status;
    shell.setStatus(status);
  };
  showStatus(handle.status ?? 'connecting');
  // The token's docs claim grants only read (PROTOCOL.md §13): say so before the user types.
  if (handle.readOnly) shell.showMessage('This document is read-only for you: you can read it but not edit it.');
  handle.on('status', showStatus);
  handle.on('diverged', () => shell.showMessage('The document was out of step and has been reloaded.'));
  handle.on('reset', () => shell.showMessage('This document was reset on the server; its text was reloaded.'));
  // An edit the server refused for good: the text is the server's again; say what was lost and
  // why, and stop taking input if the user may only read (PROTOCOL.md §7.8).
  handle.on('refused', (refusal) => {
    shell.showMessage(refusal.readOnly ? `${refusal.message} You can read it but not edit it.` : refusal.message);
    if (refusal.readOnly) view.dispatch({ effects: access.reconfigure(EditorState.readOnly.of(true)) });
  });
  handle.on('taken_over', () => shell.showMessage('This document was opened with the same identity elsewhere; it reconnected as a new participant.'));

  // The handle also reports presence in the middle of a local edit (remote cursors move), which
  // is inside a CodeMirror update: the cursors are redrawn right after it.
  const showPresence = (members) => {
    peers = peersOf(members, handle.replica);
    shell.setMembers(peers);
    const cursors = peers.filter((peer) => typeof peer.head === 'number');
    queueMicrotask(() => view.dispatch({ effects: setPeers.of(cursors) }));
  };
  handle.on('presence', showPresence);
  showPresence(handle.presence);

  // Leaving says goodbye at once (others drop our cursor) and flushes the saved copy.
  window.addEventListener('pagehide', () => handle.close());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });

  // The History panel replaces the live view while open; the view keeps receiving ops.
  let historyPanel = null;
  shell.history.hidden = false;
  shell.history.addEventListener('click', () => {
    if (historyPanel) return;
    shell.history.setAttribute('aria-expanded', 'true');
    historyPanel = openHistory({
      docId,
      live: view,
      container: shell.editor,
      readOnly: handle.readOnly,
      me,
      knownColors: () => new Map([...peers.map((peer) => [peer.id, peer.color]), [handle.replica, me.color]]),
      onClose: () => {
        historyPanel = null;
        window.weftEditor.history = null;
        shell.history.setAttribute('aria-expanded', 'false');
      },
      onRestored: (at) => shell.showMessage(`Restored version ${at}. Undo (Ctrl+Z) takes the restore back.`),
    });
    window.weftEditor.history = historyPanel;
  });

  presence.send();
  view.focus();
  window.weftEditor = { view, handle, client, history: null };  // for the browser tests and for debugging
}

const root = document.getElementById('app');
const docId = route(location.pathname);
if (docId) openEditor(root, docId);
else renderHome(root, identity());
