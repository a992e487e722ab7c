// rga_ops.js — ops as plain objects: unit counts, the format check (crdt §7.3), trimming (§7.4)
// and target coalescing (§8).
//
// Op shapes (client-js/README.md, "Replica"):
//   { type: 'insert', replica, seq, lamport, parent: [replica, seq], text }
//   { type: 'delete', replica, seq, lamport, targets: [[replica, seq, len], ...] }
// `text` is a JS string, or a Uint8Array of UTF-8 bytes as received (validated here).

import { cpLength, cpToUnit, decodeUtf8, isWellFormed } from './utf8.js';

export const ID_LIMIT = 2 ** 53;

// The crdt Errc names (crdt/errc.hpp) travel in `.name`.
export class RgaError extends Error {
  constructor(name, message = name) {
    super(message);
    this.name = name;
  }
}

// Integers may arrive as BigInt from a wire decoder; anything at or above 2^53 is out of range
// for every field, so it maps to a value that fails the range checks without rounding into range.
export function toCounter(x) {
  if (typeof x === 'number') return Number.isInteger(x) && x >= 0 ? x : -1;
  if (typeof x === 'bigint') {
    if (x < 0n) return -1;
    return x >= BigInt(ID_LIMIT) ? ID_LIMIT + 2 : Number(x);
  }
  return -1;
}

// Returns { error } or { op, n }: `op` is a normalised copy (numbers, string text) and `n` its
// unit count. Checks run in the order of §7.3; first failure wins.
export function checkFormat(op, maxRun) {
  const r = toCounter(op.replica);
  const s = toCounter(op.seq);
  const L = toCounter(op.lamport);
  if (!(r >= 1 && r < ID_LIMIT)) return { error: 'bad_replica' };
  if (!(s >= 0 && s < ID_LIMIT) || !(L >= 1 && L < ID_LIMIT)) return { error: 'bad_counter' };
  if (op.type === 'insert') {
    let text = op.text;
    if (text instanceof Uint8Array) text = decodeUtf8(text);
    else if (typeof text !== 'string' || !isWellFormed(text)) text = null;
    const parent = op.parent || [];
    const pr = toCounter(parent[0]);
    const ps = toCounter(parent[1]);
    if (text !== null) {
      const n = cpLength(text);
      if (n > 0 && (n > ID_LIMIT - s || n > ID_LIMIT - L)) return { error: 'bad_counter' };
      if (n === 0) return { error: 'empty_op' };
      if (n > maxRun) return { error: 'run_too_long' };
      if (!(pr >= 0 && pr < ID_LIMIT) || (pr === 0 && ps !== 0)) return { error: 'bad_replica' };
      if (!(ps >= 0 && ps < ID_LIMIT)) return { error: 'bad_counter' };
      return {
        n,
        op: { type: 'insert', replica: r, seq: s, lamport: L, parent: [pr, ps], text },
      };
    }
    return { error: 'invalid_utf8' };
  }
  if (op.type === 'delete') {
    const raw = Array.isArray(op.targets) ? op.targets : [];
    // Saturated at 2^53 + 1: the verdicts are those of the exact sum (§7.3).
    let n = 0;
    const lens = raw.map((t) => toCounter(t[2]));
    for (const m of lens) n = m < 0 ? ID_LIMIT + 1 : Math.min(n + m, ID_LIMIT + 1);
    if (n > 0 && (n > ID_LIMIT - s || n > ID_LIMIT - L)) return { error: 'bad_counter' };
    if (raw.length === 0 || lens.some((m) => m < 1)) return { error: 'empty_op' };
    if (n > maxRun) return { error: 'run_too_long' };
    const targets = [];
    for (let i = 0; i < raw.length; i++) {
      const q = toCounter(raw[i][0]);
      const t = toCounter(raw[i][1]);
      const m = lens[i];
      if (!(q >= 1 && q < ID_LIMIT)) return { error: 'bad_replica' };
      if (!(t >= 0 && t < ID_LIMIT) || m > ID_LIMIT - t) return { error: 'bad_counter' };
      targets.push([q, t, m]);
    }
    return { n, op: { type: 'delete', replica: r, seq: s, lamport: L, targets } };
  }
  return { error: 'empty_op' };
}

export function opLength(op) {
  if (op.type === 'insert') return cpLength(op.text);
  let n = 0;
  for (const t of op.targets) n += t[2];
  return n;
}

// Drops the first k units of a normalised op (0 < k < n).
export function trimOp(op, k) {
  const r = op.replica;
  if (op.type === 'insert') {
    return {
      type: 'insert', replica: r, seq: op.seq + k, lamport: op.lamport + k,
      parent: [r, op.seq + k - 1], text: op.text.slice(cpToUnit(op.text, k)),
    };
  }
  const targets = [];
  let skip = k;
  for (const [q, t, m] of op.targets) {
    if (skip >= m) { skip -= m; continue; }
    targets.push([q, t + skip, m - skip]);
    skip = 0;
  }
  return { type: 'delete', replica: r, seq: op.seq + k, lamport: op.lamport + k, targets };
}

// Merges neighbouring ranges that continue each other, in list order (never sorted: §8).
export function coalesceTargets(targets) {
  const out = [];
  for (const [q, t, m] of targets) {
    const last = out[out.length - 1];
    if (last && last[0] === q && last[1] + last[2] === t) last[2] += m;
    else out.push([q, t, m]);
  }
  return out;
}

export function copyOp(op) {
  if (op.type === 'insert') {
    return { type: 'insert', replica: op.replica, seq: op.seq, lamport: op.lamport,
      parent: [op.parent[0], op.parent[1]], text: op.text };
  }
  return { type: 'delete', replica: op.replica, seq: op.seq, lamport: op.lamport,
    targets: op.targets.map((t) => [t[0], t[1], t[2]]) };
}
