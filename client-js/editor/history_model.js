// history_model.js — the History panel's pure logic (no DOM, no CodeMirror, so `node --test`
// checks it): slider marks from a timeline, diff segments and blame runs turned into UTF-16
// ranges of the text shown, and author keys, names and colours.
//
// The API counts code points (docs/http-api.md "History"); CodeMirror counts UTF-16 units. Diff
// segments and blame runs carry their text, so ranges are measured on that text in UTF-16 units,
// and blame's code point positions are converted on the version's text and checked against it.
import { cpToUnit } from '../src/utf8.js';

// The palette of ui.js's identities, for authors whose colour no live cursor shows.
export const AUTHOR_PALETTE = ['#e0457b', '#2f80ed', '#27ae60', '#f2994a', '#9b51e0', '#00a3a3',
  '#d35400', '#c0392b', '#16a085', '#8e44ad', '#2d9cdb', '#b7950b'];

// One key per author: the user id, or (without authentication, where every user is "") the
// replica, so that two anonymous windows still get two colours.
export function authorKey(user, replica) {
  return user ? `u:${user}` : `r:${replica}`;
}

// The legend: [{ key, name, replicas }] from the timeline's `authors`; an anonymous user is one
// entry per replica.
export function legendOf(authors) {
  const out = [];
  for (const author of authors ?? []) {
    if (author.user) {
      out.push({ key: authorKey(author.user, 0), name: author.name || author.user, replicas: author.replicas ?? [] });
    } else {
      for (const replica of author.replicas ?? []) {
        out.push({ key: authorKey('', replica), name: author.name || `Replica ${replica}`, replicas: [replica] });
      }
    }
  }
  return out;
}

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

// The colour of an author: the live cursor colour of one of its replicas (`known`: Map replica
// -> colour, from presence and the local user) when there is one, else one of the palette's,
// the same for the same key every time.
export function authorColor(key, replicas, known) {
  for (const replica of replicas ?? []) {
    const color = known?.get(replica);
    if (color) return color;
  }
  return AUTHOR_PALETTE[hash(key) % AUTHOR_PALETTE.length];
}

// Marks for the slider over versions 0..ops: [{ at, kind: 'session'|'version', label, us }],
// sessions at their first record (version `from`, `us` its time), named versions at their `at`
// (`us` when named), by position.
export function sliderMarks(timeline, names = new Map()) {
  const marks = [];
  for (const session of timeline.sessions ?? []) {
    const who = names.get(session.user) || session.user || 'someone';
    marks.push({ at: session.from, kind: 'session', label: `${who}: ${session.ops} edit${session.ops === 1 ? '' : 's'}`, us: session.first_us });
  }
  for (const version of timeline.versions ?? []) {
    marks.push({ at: version.at, kind: 'version', label: version.name, us: version.created_us });
  }
  return marks.sort((x, y) => x.at - y.at || (x.kind === y.kind ? 0 : x.kind === 'version' ? 1 : -1));
}

// Where a mark at version `at` sits on a slider over 0..ops, in percent.
export function markPercent(at, ops) {
  return ops > 0 ? Math.min(100, Math.max(0, (at / ops) * 100)) : 0;
}

// The version the panel first compares the current one with: the start of the last session, so
// that opening it shows what the latest session changed.
export function initialPrevious(timeline) {
  const sessions = timeline.sessions ?? [];
  if (sessions.length === 0) return Math.max(0, (timeline.ops ?? 0) - 1);
  return Math.max(...sessions.map((s) => s.from));
}

// What a diff's segments show: the text of version B (keep and insert joined), the inserted
// ranges in it, and the deleted texts with the offset where each was.
// -> { text, inserts: [{ from, to, user }], deletes: [{ at, text, user }] }, UTF-16 offsets.
export function diffDisplay(segments) {
  let text = '';
  const inserts = [];
  const deletes = [];
  for (const segment of segments ?? []) {
    const piece = String(segment.text ?? '');
    if (segment.op === 'delete') {
      if (piece) deletes.push({ at: text.length, text: piece, user: segment.user ?? '' });
    } else if (segment.op === 'insert') {
      if (piece) inserts.push({ from: text.length, to: text.length + piece.length, user: segment.user ?? '' });
      text += piece;
    } else {
      text += piece;
    }
  }
  return { text, inserts, deletes };
}

// Blame runs as UTF-16 ranges of `text` (the version's text): [{ from, to, key, run }]. Code
// point positions are converted on `text`; a run whose text is not what `text` holds there
// (a server and client out of step) is left out rather than coloured in the wrong place.
export function blameRanges(text, runs) {
  const out = [];
  const sorted = [...(runs ?? [])].sort((x, y) => x.from - y.from);
  let cp = 0;
  let unit = 0;
  for (const run of sorted) {
    if (run.from < cp || run.to < run.from) continue;
    unit = cpToUnitFrom(text, unit, run.from - cp);
    const from = unit;
    unit = cpToUnitFrom(text, unit, run.to - run.from);
    cp = run.to;
    if (unit > text.length) break;
    if (typeof run.text === 'string' && text.slice(from, unit) !== run.text) continue;
    if (unit > from) out.push({ from, to: unit, key: authorKey(run.user, run.replica), run });
  }
  return out;
}

// The UTF-16 offset `count` code points after offset `start` of `text`.
function cpToUnitFrom(text, start, count) {
  return start + cpToUnit(text.slice(start), count);
}
