// ui.js — the page around the editor: home page (the server's list is home.js), header, status,
// members, name, share link, History button.
//
// Everything here is plain DOM. Text from other users (names, document ids) only ever goes
// through textContent, and colours through safeColor.
import { withToken } from './api.js';
import { safeColor } from './cursors.js';
import { serverDocs } from './home.js';

const NAME_KEY = 'weft.name';
const COLOR_KEY = 'weft.color';
const RECENT_KEY = 'weft.recent';
const MAX_RECENT = 20;
const MAX_NAME_BYTES = 64;  // PROTOCOL.md §5.9

const PALETTE = ['#e0457b', '#2f80ed', '#27ae60', '#f2994a', '#9b51e0', '#00a3a3', '#d35400',
  '#c0392b', '#16a085', '#8e44ad', '#2d9cdb', '#b7950b'];
const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Fox', 'Wren', 'Badger', 'Marten', 'Ibis', 'Hare',
  'Puffin', 'Stoat', 'Kestrel'];

export const DOC_ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

const STATUS_TEXT = {
  connecting: 'Connecting…',
  synced: 'Saved',
  unsaved: 'Saving…',
  offline: 'Offline — edits kept',
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

function storageGet(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function storageSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private windows may refuse storage; the session still works.
  }
}

// Cuts `name` to the protocol's 64 UTF-8 bytes without splitting a character.
export function clipName(name) {
  const encoder = new TextEncoder();
  let out = '';
  for (const ch of name.trim()) {
    if (encoder.encode(out + ch).length > MAX_NAME_BYTES) break;
    out += ch;
  }
  return out;
}

// The user's display name and colour, created at random on first use and remembered.
export function identity() {
  let name = storageGet(NAME_KEY);
  if (!name) {
    name = `${pick(ANIMALS)} ${Math.floor(100 + Math.random() * 900)}`;
    storageSet(NAME_KEY, name);
  }
  let color = storageGet(COLOR_KEY);
  if (!color || safeColor(color) !== color) {
    color = pick(PALETTE);
    storageSet(COLOR_KEY, color);
  }
  return { name: clipName(name), color };
}

export function randomDocId() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `doc-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function recentDocs() {
  try {
    const list = JSON.parse(storageGet(RECENT_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((e) => DOC_ID_PATTERN.test(e?.id ?? '')) : [];
  } catch {
    return [];
  }
}

export function rememberDoc(id) {
  const list = recentDocs().filter((entry) => entry.id !== id);
  list.unshift({ id, opened: Date.now() });
  storageSet(RECENT_KEY, JSON.stringify(list.slice(0, MAX_RECENT)));
}

function nameInput(me, onName) {
  const input = el('input', {
    class: 'name-input', type: 'text', value: me.name, 'aria-label': 'Your name',
    maxlength: '64', autocomplete: 'off', spellcheck: 'false',
  });
  input.addEventListener('change', () => {
    const name = clipName(input.value) || me.name;
    input.value = name;
    me.name = name;
    storageSet(NAME_KEY, name);
    onName(name);
  });
  const dot = el('span', { class: 'color-dot', title: 'Your colour' });
  dot.style.backgroundColor = me.color;
  return el('label', { class: 'name' }, dot, input);
}

export function renderHome(root, me) {
  const openForm = el('form', { class: 'open-form' },
    el('input', {
      name: 'id', type: 'text', placeholder: 'document name, e.g. team-notes',
      'aria-label': 'Document name', pattern: '[A-Za-z0-9._~\\-]{1,128}',
      title: 'Letters, digits and . _ ~ - (at most 128)', required: '',
    }),
    el('button', { type: 'submit' }, 'Open'));
  openForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = openForm.elements.id.value.trim();
    if (DOC_ID_PATTERN.test(id)) location.assign(withToken(`/d/${id}`));
  });

  const list = el('ul', { class: 'recent' });
  const recent = recentDocs();
  for (const entry of recent) {
    const when = new Date(entry.opened).toLocaleString();
    list.append(el('li', {}, el('a', { href: withToken(`/d/${entry.id}`) }, entry.id),
      el('span', { class: 'when' }, when)));
  }
  if (recent.length === 0) list.append(el('li', { class: 'empty' }, 'No documents yet.'));

  root.replaceChildren(
    el('header', { class: 'bar' },
      el('a', { class: 'brand', href: withToken('/') }, 'Weft'),
      el('span', { class: 'spacer' }),
      nameInput(me, () => {})),
    el('main', { class: 'home' },
      el('h1', {}, 'Documents'),
      el('div', { class: 'actions' },
        el('button', {
          class: 'primary new-doc', type: 'button',
          onclick: () => location.assign(withToken(`/d/${randomDocId()}`)),
        }, 'New document'),
        openForm),
      el('h2', {}, 'Recent on this device'),
      list,
      serverDocs()));
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = el('textarea', { readonly: '', class: 'offscreen' });
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

// Builds the editor page. Returns the node the editor goes into and setters for the header.
export function renderEditorShell(root, docId, me, onName) {
  const status = el('span', { class: 'status', 'data-state': 'connecting', role: 'status' },
    STATUS_TEXT.connecting);
  const members = el('ul', { class: 'members', 'aria-label': 'Who is online' });
  const link = `${location.origin}/d/${docId}`;
  const share = el('button', { class: 'share', type: 'button', title: link }, 'Copy share link');
  share.addEventListener('click', async () => {
    try {
      await copyText(link);
      share.textContent = 'Link copied';
    } catch {
      share.textContent = link;
    }
    setTimeout(() => { share.textContent = 'Copy share link'; }, 2000);
  });
  const history = el('button', {
    class: 'history-open', type: 'button', hidden: '', 'aria-expanded': 'false',
    title: 'Earlier versions, who wrote what, restore',
  }, 'History');
  const editor = el('main', { class: 'editor' });
  const message = el('p', { class: 'message', hidden: '' });

  root.replaceChildren(
    el('header', { class: 'bar' },
      el('a', { class: 'brand', href: withToken('/'), title: 'All documents' }, 'Weft'),
      el('span', { class: 'doc-id', title: docId }, docId),
      status,
      el('span', { class: 'spacer' }),
      members,
      history,
      share,
      nameInput(me, onName)),
    message,
    editor);

  return {
    editor,
    history,  // the History button, shown once the editor is ready (main.js opens history.js)
    setStatus(state) {
      status.dataset.state = state;
      status.textContent = STATUS_TEXT[state] ?? state;
    },
    // peers: [{ name, color, typing }] without the local user.
    setMembers(peers) {
      const items = [{ name: `${me.name} (you)`, color: me.color, typing: false }, ...peers]
        .map((peer) => {
          const dot = el('span', { class: 'color-dot' });
          dot.style.backgroundColor = safeColor(peer.color);
          const item = el('li', { class: 'member', title: peer.name || 'Anonymous' }, dot,
            el('span', { class: 'member-name' }, peer.name || 'Anonymous'));
          if (peer.typing) item.append(el('span', { class: 'typing' }, 'typing…'));
          return item;
        });
      members.replaceChildren(...items);
    },
    showMessage(text) {
      message.textContent = text;
      message.hidden = !text;
    },
  };
}
