// ui.js — the page around the editor: document list, header, status, members, name, share link.
//
// Everything here is plain DOM. Text from other users (names, document ids) only ever goes
// through textContent, and colours through safe_color.
import { safe_color } from './cursors.js';

const name_key = 'weft.name';
const color_key = 'weft.color';
const recent_key = 'weft.recent';
const max_recent = 20;
const max_name_bytes = 64;  // PROTOCOL.md §5.9

const palette = ['#e0457b', '#2f80ed', '#27ae60', '#f2994a', '#9b51e0', '#00a3a3', '#d35400',
  '#c0392b', '#16a085', '#8e44ad', '#2d9cdb', '#b7950b'];
const animals = ['Otter', 'Heron', 'Lynx', 'Fox', 'Wren', 'Badger', 'Marten', 'Ibis', 'Hare',
  'Puffin', 'Stoat', 'Kestrel'];

export const doc_id_pattern = /^[A-Za-z0-9._~-]{1,128}$/;

const status_text = {
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

function storage_get(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function storage_set(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private windows may refuse storage; the session still works.
  }
}

// Cuts `name` to the protocol's 64 UTF-8 bytes without splitting a character.
export function clip_name(name) {
  const encoder = new TextEncoder();
  let out = '';
  for (const ch of name.trim()) {
    if (encoder.encode(out + ch).length > max_name_bytes) break;
    out += ch;
  }
  return out;
}

// The user's display name and colour, created at random on first use and remembered.
export function identity() {
  let name = storage_get(name_key);
  if (!name) {
    name = `${pick(animals)} ${Math.floor(100 + Math.random() * 900)}`;
    storage_set(name_key, name);
  }
  let color = storage_get(color_key);
  if (!color || safe_color(color) !== color) {
    color = pick(palette);
    storage_set(color_key, color);
  }
  return { name: clip_name(name), color };
}

export function random_doc_id() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `doc-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function recent_docs() {
  try {
    const list = JSON.parse(storage_get(recent_key) ?? '[]');
    return Array.isArray(list) ? list.filter((e) => doc_id_pattern.test(e?.id ?? '')) : [];
  } catch {
    return [];
  }
}

export function remember_doc(id) {
  const list = recent_docs().filter((entry) => entry.id !== id);
  list.unshift({ id, opened: Date.now() });
  storage_set(recent_key, JSON.stringify(list.slice(0, max_recent)));
}

function name_input(me, on_name) {
  const input = el('input', {
    class: 'name-input', type: 'text', value: me.name, 'aria-label': 'Your name',
    maxlength: '64', autocomplete: 'off', spellcheck: 'false',
  });
  input.addEventListener('change', () => {
    const name = clip_name(input.value) || me.name;
    input.value = name;
    me.name = name;
    storage_set(name_key, name);
    on_name(name);
  });
  const dot = el('span', { class: 'color-dot', title: 'Your colour' });
  dot.style.backgroundColor = me.color;
  return el('label', { class: 'name' }, dot, input);
}

export function renderHome(root, me) {
  const open_form = el('form', { class: 'open-form' },
    el('input', {
      name: 'id', type: 'text', placeholder: 'document name, e.g. team-notes',
      'aria-label': 'Document name', pattern: '[A-Za-z0-9._~\\-]{1,128}',
      title: 'Letters, digits and . _ ~ - (at most 128)', required: '',
    }),
    el('button', { type: 'submit' }, 'Open'));
  open_form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = open_form.elements.id.value.trim();
    if (doc_id_pattern.test(id)) location.assign(`/d/${id}`);
  });

  const list = el('ul', { class: 'recent' });
  const recent = recent_docs();
  for (const entry of recent) {
    const when = new Date(entry.opened).toLocaleString();
    list.append(el('li', {}, el('a', { href: `/d/${entry.id}` }, entry.id),
      el('span', { class: 'when' }, when)));
  }
  if (recent.length === 0) list.append(el('li', { class: 'empty' }, 'No documents yet.'));

  root.replaceChildren(
    el('header', { class: 'bar' },
      el('a', { class: 'brand', href: '/' }, 'Weft'),
      el('span', { class: 'spacer' }),
      name_input(me, () => {})),
    el('main', { class: 'home' },
      el('h1', {}, 'Documents'),
      el('div', { class: 'actions' },
        el('button', {
          class: 'primary new-doc', type: 'button',
          onclick: () => location.assign(`/d/${random_doc_id()}`),
        }, 'New document'),
        open_form),
      el('h2', {}, 'Recent on this device'),
      list));
}

async function copy_text(text) {
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
export function renderEditorShell(root, doc_id, me, on_name) {
  const status = el('span', { class: 'status', 'data-state': 'connecting', role: 'status' },
    status_text.connecting);
  const members = el('ul', { class: 'members', 'aria-label': 'Who is online' });
  const link = `${location.origin}/d/${doc_id}`;
  const share = el('button', { class: 'share', type: 'button', title: link }, 'Copy share link');
  share.addEventListener('click', async () => {
    try {
      await copy_text(link);
      share.textContent = 'Link copied';
    } catch {
      share.textContent = link;
    }
    setTimeout(() => { share.textContent = 'Copy share link'; }, 2000);
  });
  const editor = el('main', { class: 'editor' });
  const message = el('p', { class: 'message', hidden: '' });

  root.replaceChildren(
    el('header', { class: 'bar' },
      el('a', { class: 'brand', href: '/', title: 'All documents' }, 'Weft'),
      el('span', { class: 'doc-id', title: doc_id }, doc_id),
      status,
      el('span', { class: 'spacer' }),
      members,
      share,
      name_input(me, on_name)),
    message,
    editor);

  return {
    editor,
    setStatus(state) {
      status.dataset.state = state;
      status.textContent = status_text[state] ?? state;
    },
    // peers: [{ name, color, typing }] without the local user.
    setMembers(peers) {
      const items = [{ name: `${me.name} (you)`, color: me.color, typing: false }, ...peers]
        .map((peer) => {
          const dot = el('span', { class: 'color-dot' });
          dot.style.backgroundColor = safe_color(peer.color);
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
