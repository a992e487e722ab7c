// format.js — how the document list says when and how big: relative times ("5 minutes ago",
// the absolute one on hover), sizes, and a document's title. Pure, so `node --test` checks it.

const UNITS = [
  ['year', 365 * 24 * 3600], ['month', 30 * 24 * 3600], ['week', 7 * 24 * 3600],
  ['day', 24 * 3600], ['hour', 3600], ['minute', 60],
];

// "just now", "5 minutes ago", "in 2 days" for a server time in microseconds.
export function relativeTime(us, nowMs = Date.now(), locale = 'en') {
  const seconds = Math.round((us / 1000 - nowMs) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return 'just now';
}

// The absolute time for a tooltip.
export function absoluteTime(us, locale = undefined) {
  return new Date(us / 1000).toLocaleString(locale);
}

// "1 character", "230 characters", "12.3k characters" (code points, as `length` counts).
export function sizeText(length) {
  if (typeof length !== 'number') return '';
  const n = length < 10000 ? String(length) : `${(length / 1000).toFixed(length < 100000 ? 1 : 0)}k`;
  return `${n} character${length === 1 ? '' : 's'}`;
}

// The title shown for a listed document: its first line (the server's `title`), or the id when
// that is empty or the server is older and sends none.
export function docTitle(doc) {
  const title = typeof doc.title === 'string' ? doc.title.trim() : '';
  return title || doc.id;
}
