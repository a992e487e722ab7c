// home.js — the home page's "On the server" list: the server's documents from
// `GET /api/docs` (docs/http-api.md), a page at a time with "More", a search box (`q`,
// debounced), and deletion behind a confirmation for users who may write.
//
// Titles are the documents' first lines, typed by anyone: they go through textContent only.
import { tokenAccess } from '../src/token_access.js';
import { ApiError, api, describeApiError, docPath, pageToken, withToken } from './api.js';
import { confirmDialog } from './dialog.js';
import { absoluteTime, docTitle, relativeTime, sizeText } from './format.js';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 250;

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

// Whether this page's user may delete `docId`: what the token's `docs` claim grants (PROTOCOL.md
// §13); without a token, or one the client cannot read, the server decides (in development mode
// everyone may) and a refusal is shown.
export function mayWrite(docId, token = pageToken()) {
  const access = tokenAccess(token, docId);
  return access === null || access === 'write';
}

// Builds the section; returns its root node. It loads the first page at once.
export function serverDocs() {
  const search = el('input', {
    class: 'doc-search', type: 'search', placeholder: 'Search titles and names',
    'aria-label': 'Search the server\'s documents', maxlength: '200', autocomplete: 'off',
  });
  const list = el('ul', { class: 'server-docs', 'aria-live': 'polite' });
  const status = el('p', { class: 'server-status', role: 'status' });
  const more = el('button', { class: 'more', type: 'button', hidden: '' }, 'More');
  const section = el('section', { class: 'server', 'aria-label': 'Documents on the server' },
    el('div', { class: 'server-head' }, el('h2', {}, 'On the server'), search),
    list, status, more);

  let query = '';
  let next = null;
  let generation = 0;  // answers to an older search are dropped
  let shown = 0;

  const setStatus = (text, kind = '') => {
    status.textContent = text;
    status.dataset.kind = kind;
    status.hidden = !text;
  };

  const row = (doc) => {
    const title = docTitle(doc);
    const link = el('a', { class: 'doc-title', href: withToken(`/d/${encodeURIComponent(doc.id)}`) }, title);
    const info = el('span', { class: 'doc-info' });
    if (title !== doc.id) info.append(el('span', { class: 'doc-name' }, doc.id));
    if (typeof doc.last_change_us === 'number') {
      info.append(el('time', {
        class: 'when', datetime: new Date(doc.last_change_us / 1000).toISOString(),
        title: absoluteTime(doc.last_change_us),
      }, relativeTime(doc.last_change_us)));
    }
    const size = sizeText(doc.length);
    if (size) info.append(el('span', { class: 'size' }, size));
    const item = el('li', { class: 'server-doc', 'data-id': doc.id }, el('div', { class: 'doc-main' }, link, info));
    if (mayWrite(doc.id)) {
      const remove = el('button', { class: 'delete', type: 'button', 'aria-label': `Delete ${title}` }, 'Delete');
      remove.addEventListener('click', () => deleteDoc(doc, title, item, remove));
      item.append(remove);
    }
    return item;
  };

  async function deleteDoc(doc, title, item, remove) {
    const ok = await confirmDialog({
      title: 'Delete this document?',
      message: `“${title}” (${doc.id}) and its whole history will be deleted on the server for everyone. This cannot be undone.`,
      confirm: 'Delete',
      danger: true,
    });
    if (!ok) return;
    remove.disabled = true;
    try {
      await api(docPath(doc.id), { method: 'DELETE' });
      item.remove();
      shown -= 1;
      if (shown === 0 && next === null) showEmpty();
      setStatus(`Deleted “${title}”.`);
    } catch (error) {
      remove.disabled = false;
      setStatus(`Could not delete “${title}”: ${describeApiError(error)}`, 'error');
    }
  }

  const showEmpty = () => {
    list.replaceChildren(el('li', { class: 'empty' }, query
      ? `No document on the server matches “${query}”.`
      : 'There are no documents on the server yet. Create one with “New document”.'));
  };

  async function load(append) {
    const mine = ++generation;
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (append && next !== null) params.set('after', next);
    if (query) params.set('q', query);
    more.disabled = true;
    if (!append) setStatus('Loading…');
    try {
      const page = await api(`/api/docs?${params}`);
      if (mine !== generation) return;
      const documents = Array.isArray(page?.documents) ? page.documents : [];
      if (!append) {
        list.replaceChildren();
        shown = 0;
      }
      for (const doc of documents) list.append(row(doc));
      shown += documents.length;
      next = typeof page?.next === 'string' ? page.next : null;
      if (shown === 0) showEmpty();
      setStatus('');
      more.hidden = next === null;
      more.disabled = false;
    } catch (error) {
      if (mine !== generation) return;
      more.disabled = false;
      if (!append) {
        list.replaceChildren();
        more.hidden = true;
      }
      const refused = error instanceof ApiError && (error.status === 401 || error.status === 403);
      setStatus(`The server's documents cannot be listed. ${describeApiError(error)}`,
        refused ? 'refused' : 'error');
    }
  }

  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const wanted = search.value.trim();
      if (wanted === query) return;
      query = wanted;
      next = null;
      load(false);
    }, SEARCH_DELAY_MS);
  });
  more.addEventListener('click', () => load(true));
  load(false);
  return section;
}
