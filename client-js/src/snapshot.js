// snapshot.js — the snapshot byte format, version 1 (crdt/README.md §11.1), and its load checks
// (§11.2).
//
// A snapshot as data: { clock, replicas: [[replica, nextSeq, lastLamport], ...] ascending,
// runs: [[replica, seq, lamport, len, deleted], ...] in document order, text }.
// Values are Numbers where they are exact. Deltas and `len_deleted` can reach about 2^55, so
// those varints are written and read as BigInt when they do not fit 2^53.

import { RgaError, ID_LIMIT } from './rga_ops.js';
import { cpLength, decodeUtf8, encodeUtf8 } from './utf8.js';

const magic = [0x57, 0x52, 0x53, 0x01];
const BIG_ID_LIMIT = BigInt(ID_LIMIT);

function bad() {
  return new RgaError('bad_snapshot');
}

class Writer {
  constructor() {
    this.buf = new Uint8Array(256);
    this.len = 0;
  }

  room(n) {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  // Shortest LEB128 of a non-negative safe integer or BigInt.
  varint(x) {
    this.room(10);
    if (typeof x === 'bigint') {
      while (x >= 128n) { this.buf[this.len++] = Number(x & 127n) | 128; x >>= 7n; }
      this.buf[this.len++] = Number(x);
      return;
    }
    while (x >= 128) { this.buf[this.len++] = (x % 128) | 128; x = Math.floor(x / 128); }
    this.buf[this.len++] = x;
  }

  bytes(b) {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
}

// zigzag of a signed integer given as a Number (exact) or BigInt.
function zigzag(x) {
  if (typeof x === 'number' && Math.abs(x) < 2 ** 51) return x >= 0 ? 2 * x : -2 * x - 1;
  const b = BigInt(x);
  return b >= 0n ? 2n * b : -2n * b - 1n;
}

// Exact a − b for safe integers, as a Number when that is exact, else as BigInt.
function diff(a, b) {
  if (Math.abs(a) < 2 ** 52 && Math.abs(b) < 2 ** 52) return a - b;
  return BigInt(a) - BigInt(b);
}

export function encodeSnapshot(snap) {
  const w = new Writer();
  w.bytes(magic);
  w.varint(snap.clock);
  w.varint(snap.replicas.length);
  const index = new Map();
  let prev = 0;
  snap.replicas.forEach(([r, next, last], i) => {
    index.set(r, i);
    w.varint(r - prev);
    w.varint(next);
    w.varint(last);
    prev = r;
  });
  w.varint(snap.runs.length);
  let prevEnd = 0;
  let prevGap = 0;
  for (const [r, s, l, n, del] of snap.runs) {
    w.varint(index.get(r));
    w.varint(zigzag(diff(s, prevEnd)));
    const gap = l - s;
    w.varint(zigzag(diff(gap, prevGap)));
    w.varint(n < 2 ** 51 ? 2 * n + (del ? 1 : 0) : (BigInt(n) << 1n) | (del ? 1n : 0n));
    prevEnd = s + n;
    prevGap = gap;
  }
  const text = encodeUtf8(snap.text);
  w.varint(text.length);
  w.bytes(text);
  return w.buf.slice(0, w.len);
}

class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.pos = 0;
  }

  // Any LEB128 form of at most 10 bytes whose value fits 64 bits. Returns a Number when the
  // value is at most 2^53, else a BigInt.
  varint() {
    const b = this.b;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= b.length) throw bad();
      const x = b[this.pos++];
      v += (x & 127) * mul;
      if (!(x & 128)) return v;
      mul *= 128;
    }
    let big = BigInt(v);
    for (let i = 7; i < 10; i++) {
      if (this.pos >= b.length) throw bad();
      const x = b[this.pos++];
      if (i === 9 && x > 1) throw bad();
      big |= BigInt(x & 127) << BigInt(7 * i);
      if (!(x & 128)) return big <= BIG_ID_LIMIT ? Number(big) : big;
    }
    throw bad();
  }

  // A varint that must be below 2^53 (or at most 2^53 when `inclusive`).
  small(inclusive = false) {
    const v = this.varint();
    if (typeof v !== 'number' || (!inclusive && v === ID_LIMIT)) throw bad();
    return v;
  }

  // A zigzag varint as a signed Number when exact, else BigInt.
  signed() {
    const u = this.varint();
    if (typeof u === 'number') return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    return (u & 1n) === 0n ? u >> 1n : -((u + 1n) >> 1n);
  }
}

// a + b for a safe integer and a signed Number or BigInt delta; the result must lie in
// [lo, hi] (both safe), else the snapshot is bad.
function addChecked(a, d, lo, hi) {
  let v;
  if (typeof d === 'bigint') {
    const x = BigInt(a) + d;
    if (x < BigInt(lo) || x > BigInt(hi)) throw bad();
    v = Number(x);
  } else {
    v = a + d;
    if (!(v >= lo && v <= hi)) throw bad();
  }
  return v;
}

// Decodes and checks a snapshot (§11.2); throws RgaError('bad_snapshot').
export function decodeSnapshot(bytes) {
  if (!(bytes instanceof Uint8Array)) throw bad();
  const rd = new Reader(bytes);
  for (let i = 0; i < 4; i++) if (bytes[i] !== magic[i]) throw bad();
  rd.pos = 4;
  const clock = rd.small();
  const replicaCount = rd.varint();
  const replicas = [];
  let prev = 0;
  // Each entry is at least 3 bytes, so the loop ends at the input's end whatever the count.
  for (let i = 0; i < replicaCount; i++) {
    const r = addChecked(prev, rd.varint(), 1, ID_LIMIT - 1);
    if (i > 0 && r <= prev) throw bad();
    const next = rd.small(true);
    const last = rd.small();
    if (next < 1 || last > clock) throw bad();
    replicas.push([r, next, last]);
    prev = r;
  }
  const runCount = rd.varint();
  const runs = [];
  let prevEnd = 0;
  let prevGap = 0;
  let live = 0;
  for (let i = 0; i < runCount; i++) {
    const ri = rd.varint();
    if (typeof ri !== 'number' || ri >= replicas.length) throw bad();
    const [r, next, last] = replicas[ri];
    const s = addChecked(prevEnd, rd.signed(), 0, ID_LIMIT);
    const gap = addChecked(prevGap, rd.signed(), -ID_LIMIT, ID_LIMIT);
    const ld = rd.varint();
    const n = typeof ld === 'number' ? Math.floor(ld / 2) : ld >> 1n;
    const del = typeof ld === 'number' ? ld % 2 === 1 : (ld & 1n) === 1n;
    if (typeof n !== 'number' || n < 1 || n > next - s) throw bad();
    const l = s + gap;
    if (!(l >= 1) || l + n - 1 > clock || l + n - 1 > last) throw bad();
    runs.push([r, s, l, n, del]);
    if (!del) live += n;
    prevEnd = s + n;
    prevGap = gap;
  }
  checkDistinctIds(runs);
  const textBytes = rd.varint();
  if (typeof textBytes !== 'number' || textBytes !== bytes.length - rd.pos) throw bad();
  const text = decodeUtf8(bytes.subarray(rd.pos));
  if (text === null || cpLength(text) !== live) throw bad();
  return { clock, replicas, runs, text };
}

function checkDistinctIds(runs) {
  const sorted = runs.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a[0] === b[0] && a[1] + a[3] > b[1]) throw bad();
  }
}
