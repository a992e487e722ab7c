// utf8.js — code point / UTF-16 / UTF-8 conversions at the model's boundary (crdt/README.md §3).
//
// The model counts code points; JS strings count UTF-16 units. Text inside the replica is kept
// as JS strings that are always well formed (no lone surrogates), so every conversion here can
// assume that a high surrogate is followed by its low surrogate.

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

// True if `u` is a UTF-16 code unit of the first half of a surrogate pair.
export function isHighSurrogate(u) {
  return u >= 0xd800 && u <= 0xdbff;
}

// Code points in a well-formed string.
export function cpLength(str) {
  let n = str.length;
  for (let i = 0; i < str.length; i++) {
    const u = str.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) { n--; i++; }
  }
  return n;
}

// UTF-16 offset of code point `k` in a well-formed string whose code point length is `cps`
// (pass `cps` when known: an all-BMP string converts in O(1)).
export function cpToUnit(str, k, cps = -1) {
  if (cps === str.length) return k;
  let i = 0;
  for (let c = 0; c < k; c++) {
    const u = str.charCodeAt(i);
    i += u >= 0xd800 && u <= 0xdbff ? 2 : 1;
  }
  return i;
}

// Code point offset of UTF-16 offset `off`, or -1 when `off` splits a surrogate pair.
export function unitToCp(str, off, cps = -1) {
  if (cps === str.length) return off;
  let c = 0;
  let i = 0;
  while (i < off) {
    const u = str.charCodeAt(i);
    i += u >= 0xd800 && u <= 0xdbff ? 2 : 1;
    c++;
  }
  return i === off ? c : -1;
}

// True if the string has no lone surrogate, i.e. it encodes to well-formed UTF-8.
export function isWellFormed(str) {
  for (let i = 0; i < str.length; i++) {
    const u = str.charCodeAt(i);
    if (u < 0xd800 || u > 0xdfff) continue;
    if (u > 0xdbff) return false;
    const v = str.charCodeAt(i + 1);
    if (!(v >= 0xdc00 && v <= 0xdfff)) return false;
    i++;
  }
  return true;
}

// Decodes bytes that must be well-formed UTF-8 (§3); returns null for anything else. A
// substituting decoder would accept ops that every other replica rejects.
export function decodeUtf8(bytes) {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

export function encodeUtf8(str) {
  return encoder.encode(str);
}
