// digest.js — the document digest of PROTOCOL.md §4: FNV-1a 64 over the text's UTF-8 bytes.
//
// Computed on two 32-bit halves (no BigInt on the per-byte path): the prime 0x100000001b3 is
// 2^40 + 0x1b3, so h * prime = h * 0x1b3 + (h << 40), and every partial product stays below
// 2^53, which doubles hold exactly.

const encoder = new TextEncoder();

// Returns the 8 digest bytes, most significant first.
export function textDigest(text) {
  const bytes = encoder.encode(text);
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]) >>> 0;
    const low = lo * 0x1b3;
    const carry = Math.floor(low / 4294967296);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return out;
}

export function digestEquals(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
