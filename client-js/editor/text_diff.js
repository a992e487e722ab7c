// text_diff.js — the changes that turn one text into another, for the editor's "Restore this
// version": the History panel types the difference between the live text and an old version as
// ONE CodeMirror transaction, so unchanged text (and everyone's cursors in it) stays where it is
// and the user's own undo takes the restore back (client-js/README.md, "History").
//
// Common prefix and suffix first, then a Myers diff of the middle by code points; when that
// middle needs more than MAX_EDITS edits, a Myers diff by lines, and past that one replacement.
// Offsets are UTF-16 units (CodeMirror's), never inside a surrogate pair.

const MAX_EDITS = 2000;

function isHigh(u) {
  return u >= 0xd800 && u <= 0xdbff;
}

function isLow(u) {
  return u >= 0xdc00 && u <= 0xdfff;
}

// The shortest edit script from `a` to `b` (arrays compared with ===), as a list of '=', '-'
// (a's next token deleted) and '+' (b's next token inserted); null if it needs more than `maxD`
// insertions plus deletions. Myers 1986, O((N+M)·D) time, O(D²) memory for the trace.
export function myers(a, b, maxD = MAX_EDITS) {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(maxD, n + m);
  const off = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  const trace = [];
  for (let d = 0; d <= limit; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));  // the furthest x of each diagonal after d-1
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, d, n, m);
    }
  }
  return null;
}

function backtrack(trace, dEnd, n, m) {
  const script = [];
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const prev = trace[d];
    const at = (k) => prev[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) { script.push('='); x--; y--; }
    script.push(prevK === k + 1 ? '+' : '-');
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) { script.push('='); x--; y--; }
  return script.reverse();
}

// Changes [{ from, to, insert }] (UTF-16 offsets into the old tokens' text, ascending, not
// overlapping) from an edit script over token arrays; `base` is added to every offset.
function scriptChanges(script, a, b, base) {
  const changes = [];
  let pos = base;
  let ia = 0;
  let ib = 0;
  let current = null;
  for (const step of script) {
    if (step === '=') {
      if (current) changes.push(current);
      current = null;
      pos += a[ia].length;
      ia++;
      ib++;
    } else if (step === '-') {
      current ??= { from: pos, to: pos, insert: '' };
      pos += a[ia].length;
      current.to = pos;
      ia++;
    } else {
      current ??= { from: pos, to: pos, insert: '' };
      current.insert += b[ib];
      ib++;
    }
  }
  if (current) changes.push(current);
  return changes;
}

function lines(text) {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

// The changes that turn `before` into `after`: [{ from, to, insert }] with UTF-16 offsets into
// `before`, ascending and not overlapping (a CodeMirror change spec array), none for equal texts.
export function diffChanges(before, after, { maxEdits = MAX_EDITS } = {}) {
  if (before === after) return [];
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  if (prefix > 0 && isHigh(before.charCodeAt(prefix - 1))) prefix--;  // keep a pair whole
  let suffix = 0;
  while (suffix < shorter - prefix &&
         before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) {
    suffix++;
  }
  if (suffix > 0 && isLow(before.charCodeAt(before.length - suffix))) suffix--;
  const oldMiddle = before.slice(prefix, before.length - suffix);
  const newMiddle = after.slice(prefix, after.length - suffix);
  if (oldMiddle.length === 0 || newMiddle.length === 0) {
    return [{ from: prefix, to: prefix + oldMiddle.length, insert: newMiddle }];
  }
  for (const split of [(s) => [...s], lines]) {
    const a = split(oldMiddle);
    const b = split(newMiddle);
    const script = myers(a, b, maxEdits);
    if (script) return scriptChanges(script, a, b, prefix);
  }
  return [{ from: prefix, to: prefix + oldMiddle.length, insert: newMiddle }];
}

// `text` with `changes` (as diffChanges returns them) applied.
export function applyChanges(text, changes) {
  let out = '';
  let pos = 0;
  for (const { from, to, insert } of changes) {
    out += text.slice(pos, from) + insert;
    pos = to;
  }
  return out + text.slice(pos);
}
