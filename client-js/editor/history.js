// history.js — the editor's History panel (docs/http-api.md "History"): a slider over versions
// 0..ops with session and named-version marks, the document at the slider point in a read-only
// CodeMirror view with what changed since the previous point highlighted (or, toggled, coloured
// by author with a legend), "Name this version" and "Restore this version".
//
// The live editor stays bound to its DocHandle underneath (hidden, still receiving ops), so
// closing the panel shows the live document as it is now. A restore is typed by this editor:
// the difference between the live text and the old version's (restore.js, text_diff.js) is
// dispatched on the live view as ONE transaction, isolated in the undo history, so it goes out
// as ordinary ops and Ctrl-Z takes it back (client-js/README.md, "History").
import { EditorState, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, WidgetType } from '@codemirror/view';
import { api, describeApiError, docPath } from './api.js';
import { safeColor } from './cursors.js';
import { confirmDialog, promptDialog } from './dialog.js';
import { absoluteTime } from './format.js';
import {
  authorColor, blameRanges, diffDisplay, initialPrevious, legendOf, markPercent, sliderMarks,
} from './history_model.js';
import { restoreSpec } from './restore.js';

const LOAD_DELAY_MS = 120;  // slider moves are coalesced: one request per resting point

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

const setDecorations = StateEffect.define();

const decorationField = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setDecorations)) return effect.value;
    return value.map(tr.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Deleted text, shown struck through where it was.
class DeletedWidget extends WidgetType {
  constructor(text, who) {
    super();
    this.text = text;
    this.who = who;
  }

  eq(other) {
    return other.text === this.text && other.who === this.who;
  }

  toDOM() {
    const node = document.createElement('del');
    node.className = 'cm-hist-delete';
    node.textContent = this.text;
    if (this.who) node.title = `deleted by ${this.who}`;
    return node;
  }
}

// Opens the panel in place of the live editor. `live`: the live EditorView; `container`: the
// node holding it; `knownColors()`: Map replica -> cursor colour (presence and the local user);
// `readOnly`: no Name/Restore; `me`: { name }; `onClose()`, `onRestored(version)`.
export function openHistory({ docId, live, container, knownColors, readOnly, me, onClose, onRestored }) {
  const title = el('h2', { id: 'history-title' }, 'History');
  const where = el('span', { class: 'history-where', 'aria-live': 'polite' });
  const blameToggle = el('button', { class: 'history-blame', type: 'button', 'aria-pressed': 'false' }, 'Colour by author');
  const nameButton = el('button', { class: 'history-name', type: 'button' }, 'Name this version');
  const restoreButton = el('button', { class: 'history-restore', type: 'button' }, 'Restore this version');
  const closeButton = el('button', { class: 'history-close', type: 'button', 'aria-label': 'Close history' }, 'Close');
  const slider = el('input', {
    class: 'history-slider', type: 'range', min: '0', max: '0', step: '1', value: '0',
    'aria-label': 'Version', disabled: '',
  });
  const marks = el('div', { class: 'history-marks' });
  const legend = el('ul', { class: 'history-legend', 'aria-label': 'Authors', hidden: '' });
  const message = el('p', { class: 'history-message', role: 'status', hidden: '' });
  const viewer = el('div', { class: 'history-view' });
  const actions = el('div', { class: 'history-actions' }, blameToggle);
  if (!readOnly) actions.append(nameButton, restoreButton);
  actions.append(closeButton);
  const panel = el('section', { class: 'history-panel', 'aria-labelledby': 'history-title', 'data-state': 'loading' },
    el('div', { class: 'history-head' }, title, where, el('span', { class: 'spacer' }), actions),
    el('div', { class: 'history-track' }, slider, marks),
    legend, message, viewer);

  const view = new EditorView({
    parent: viewer,
    state: EditorState.create({
      doc: '',
      extensions: [
        EditorState.readOnly.of(true),
        EditorView.editable.of(false),
        EditorView.lineWrapping,
        EditorState.lineSeparator.of('\n'),
        decorationField,
        EditorView.contentAttributes.of({ 'aria-label': `Document ${docId} at the chosen version` }),
      ],
    }),
  });

  container.hidden = true;
  container.after(panel);

  let timeline = null;
  let blame = false;
  let shown = null;  // { from, at } of the diff on screen
  let generation = 0;
  let timer = null;
  let closed = false;

  const say = (text) => {
    message.textContent = text;
    message.hidden = !text;
  };

  const authorNames = () => new Map((timeline?.authors ?? []).map((a) => [a.user, a.name || a.user]));
  const legendEntries = () => {
    const known = knownColors();
    return legendOf(timeline?.authors).map((entry) => ({
      ...entry, color: safeColor(authorColor(entry.key, entry.replicas, known)),
    }));
  };

  function drawMarks() {
    const ops = timeline.ops;
    const items = sliderMarks(timeline, authorNames()).map((mark) => {
      const left = `${markPercent(mark.at, ops)}%`;
      const when = typeof mark.us === 'number' ? `, ${absoluteTime(mark.us)}` : '';
      if (mark.kind === 'version') {
        const node = el('button', {
          class: 'history-mark version', type: 'button', title: `${mark.label} (version ${mark.at}${when})`,
          'data-at': String(mark.at), 'data-name': mark.label,
        }, mark.label);
        node.style.left = left;
        // Labels near an end grow inwards, so none sticks out of the panel.
        const percent = markPercent(mark.at, ops);
        if (percent < 15) node.style.transform = 'none';
        else if (percent > 85) node.style.transform = 'translateX(-100%)';
        node.addEventListener('click', () => moveTo(mark.at));
        return node;
      }
      const node = el('span', {
        class: 'history-mark session', title: `${mark.label} from version ${mark.at}${when}`,
        'data-at': String(mark.at),
      });
      node.style.left = left;
      return node;
    });
    marks.replaceChildren(...items);
  }

  function drawLegend() {
    legend.replaceChildren(...legendEntries().map((entry) => {
      const dot = el('span', { class: 'color-dot' });
      dot.style.backgroundColor = entry.color;
      return el('li', { 'data-key': entry.key, 'data-color': entry.color }, dot, el('span', {}, entry.name));
    }));
    legend.hidden = !blame;
  }

  function describe(at) {
    const named = (timeline.versions ?? []).filter((v) => v.at === at).map((v) => `“${v.name}”`);
    return `Version ${at} of ${timeline.ops}${named.length ? ` — ${named.join(', ')}` : ''}`;
  }

  function showText(text, decorations, at) {
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
      effects: setDecorations.of(Decoration.set(decorations, true)),
    });
    where.textContent = describe(at);
    slider.setAttribute('aria-valuetext', describe(at));
    panel.dataset.version = String(at);
    panel.dataset.mode = blame ? 'blame' : 'diff';
    panel.dataset.state = 'ready';
  }

  async function load(at) {
    const mine = ++generation;
    panel.dataset.state = 'loading';
    const from = shown && shown.at !== at ? shown.at : (shown?.from ?? initialPrevious(timeline));
    try {
      if (blame) {
        const answer = await api(docPath(docId, `/blame?at=${at}`));
        if (mine !== generation || closed) return;
        const text = (answer.runs ?? []).map((run) => run.text).join('');
        const colors = new Map(legendEntries().map((entry) => [entry.key, entry]));
        const decorations = blameRanges(text, answer.runs).map(({ from: a, to: b, key, run }) => {
          const color = colors.get(key)?.color ?? safeColor(authorColor(key, [run.replica], knownColors()));
          const name = colors.get(key)?.name ?? (run.user || `Replica ${run.replica}`);
          return Decoration.mark({
            class: 'cm-hist-blame',
            attributes: {
              style: `background-color: ${color}33; box-shadow: inset 0 -2px 0 ${color}`,
              'data-author': key, 'data-color': color, title: name,
            },
          }).range(a, b);
        });
        drawLegend();
        showText(text, decorations, at);
      } else {
        const answer = await api(docPath(docId, `/diff?from=${from}&to=${at}`));
        if (mine !== generation || closed) return;
        const shownDiff = diffDisplay(answer.segments);
        const names = authorNames();
        const decorations = [
          ...shownDiff.inserts.map((range) => Decoration.mark({
            class: 'cm-hist-insert',
            attributes: range.user ? { title: `inserted by ${names.get(range.user) || range.user}` } : {},
          }).range(range.from, range.to)),
          ...shownDiff.deletes.map((gone) => Decoration.widget({
            widget: new DeletedWidget(gone.text, names.get(gone.user) || gone.user), side: -1,
          }).range(gone.at)),
        ];
        legend.hidden = true;
        showText(shownDiff.text, decorations, at);
        shown = { from, at };
      }
      say('');
    } catch (error) {
      if (mine !== generation || closed) return;
      panel.dataset.state = 'error';
      say(`Could not show version ${at}: ${describeApiError(error)}`);
    }
  }

  function moveTo(at) {
    slider.value = String(at);
    clearTimeout(timer);
    load(at);
  }

  slider.addEventListener('input', () => {
    clearTimeout(timer);
    const at = Number(slider.value);
    where.textContent = describe(at);
    timer = setTimeout(() => load(at), LOAD_DELAY_MS);
  });

  blameToggle.addEventListener('click', () => {
    blame = !blame;
    blameToggle.setAttribute('aria-pressed', String(blame));
    legend.hidden = !blame;
    load(Number(slider.value));
  });

  nameButton.addEventListener('click', async () => {
    const at = Number(slider.value);
    const name = await promptDialog({
      title: 'Name this version',
      message: `A name for version ${at}, kept with the document.`,
      label: 'Name', confirm: 'Save name', maxLength: 200,
    });
    if (name === null || closed) return;
    try {
      const version = await api(docPath(docId, '/versions'), { method: 'POST', body: { name, at, user: me.name } });
      timeline.versions = [...(timeline.versions ?? []), version]
        .sort((x, y) => x.at - y.at || (x.name < y.name ? -1 : 1));
      drawMarks();
      where.textContent = describe(at);
      say(`Named version ${at} “${version.name}”.`);
    } catch (error) {
      say(error?.code === 'already_exists'
        ? `There is already a version named “${name}”.`
        : `Could not name the version: ${describeApiError(error)}`);
    }
  });

  restoreButton.addEventListener('click', async () => {
    const at = Number(slider.value);
    const ok = await confirmDialog({
      title: 'Restore this version?',
      message: `The document will be changed back to version ${at} for everyone. Edits since then are removed (they stay in the history), and Undo (Ctrl+Z) takes the restore back.`,
      confirm: 'Restore',
    });
    if (!ok || closed) return;
    restoreButton.disabled = true;
    try {
      const { text } = await api(docPath(docId, `/text?at=${at}`));
      if (closed) return;
      const spec = restoreSpec(live.state, text);
      if (spec) live.dispatch(spec);
      close();
      onRestored(at);
    } catch (error) {
      restoreButton.disabled = false;
      say(`Could not restore version ${at}: ${describeApiError(error)}`);
    }
  });

  function close() {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    document.removeEventListener('keydown', onKey);
    view.destroy();
    panel.remove();
    container.hidden = false;
    live.requestMeasure();
    live.focus();
    onClose();
  }

  closeButton.addEventListener('click', close);
  // Escape leaves the panel wherever the focus is, except inside one of its dialogs (which
  // Escape cancels first).
  function onKey(event) {
    if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('dialog[open]')) return;
    event.preventDefault();
    close();
  }
  document.addEventListener('keydown', onKey);

  (async () => {
    try {
      timeline = await api(docPath(docId, '/history'));
      if (closed) return;
      slider.max = String(timeline.ops);
      slider.value = String(timeline.ops);
      slider.disabled = false;
      drawMarks();
      drawLegend();
      await load(timeline.ops);
      if (!closed) slider.focus();
    } catch (error) {
      if (closed) return;
      panel.dataset.state = 'error';
      say(`The history cannot be shown: ${describeApiError(error)}`);
    }
  })();

  return { close, panel, view };
}
