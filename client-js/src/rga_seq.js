// rga_seq.js — the document sequence (crdt §5.2): element runs in document order, tombstones
// included, kept in chunks of at most `CHUNK_MAX` runs with live counts per chunk.
//
// A run is { r, s, l, n, del, text, chunk }: elements (r, s … s+n−1) with lamports l … l+n−1,
// all live or all deleted. A live run holds its text (n code points); a deleted run holds ''.
// Invariants:
//   1. chunk.cp / chunk.u16 are the live code points / UTF-16 units of chunk.runs.
//   2. chunks[i].idx === i; run.chunk is the chunk whose runs hold it; no chunk but a lone
//      first one is empty.
//   3. cursor.cp / cursor.u16 are the live counts of chunks[0 … cursor.ci−1]. Positions are
//      found by walking chunks from the cursor, so edits near the previous one cost O(1) chunks.

import { cpToUnit } from './utf8.js';

const CHUNK_MAX = 64;

function newChunk(idx) {
  return { runs: [], cp: 0, u16: 0, idx };
}

export class RunSeq {
  constructor() {
    this.chunks = [newChunk(0)];
    this.length = 0;
    this.length16 = 0;
    this.cursor = { ci: 0, cp: 0, u16: 0 };
    // Results of the last lookup: the run's start position and the offset inside the run.
    this.atCp = 0;
    this.atU16 = 0;
    this.atOff = 0;
  }

  // Builds the sequence from runs in document order (snapshot load), chunks filled 3/4.
  static fromRuns(runs) {
    const seq = new RunSeq();
    seq.chunks = [];
    const per = (CHUNK_MAX * 3) >> 2;
    for (let i = 0; i < runs.length || seq.chunks.length === 0; i += per) {
      const chunk = newChunk(seq.chunks.length);
      chunk.runs = runs.slice(i, i + per);
      for (const run of chunk.runs) {
        run.chunk = chunk;
        if (!run.del) { chunk.cp += run.n; chunk.u16 += run.text.length; }
      }
      seq.length += chunk.cp;
      seq.length16 += chunk.u16;
      seq.chunks.push(chunk);
    }
    return seq;
  }

  // Changes a chunk's live counts, keeping the totals and the cursor right.
  bump(chunk, dcp, d16) {
    chunk.cp += dcp;
    chunk.u16 += d16;
    this.length += dcp;
    this.length16 += d16;
    if (chunk.idx < this.cursor.ci) {
      this.cursor.cp += dcp;
      this.cursor.u16 += d16;
    }
  }

  // Moves the cursor to chunk index ci.
  seek(ci) {
    const c = this.cursor;
    const chunks = this.chunks;
    while (c.ci < ci) { c.cp += chunks[c.ci].cp; c.u16 += chunks[c.ci].u16; c.ci++; }
    while (c.ci > ci) { c.ci--; c.cp -= chunks[c.ci].cp; c.u16 -= chunks[c.ci].u16; }
  }

  // Sets atCp / atU16 to the live counts before `run`; returns its index in its chunk.
  runStart(run) {
    const chunk = run.chunk;
    this.seek(chunk.idx);
    let cp = this.cursor.cp;
    let u16 = this.cursor.u16;
    const runs = chunk.runs;
    let i = 0;
    for (; runs[i] !== run; i++) {
      const x = runs[i];
      if (!x.del) { cp += x.n; u16 += x.text.length; }
    }
    this.atCp = cp;
    this.atU16 = u16;
    return i;
  }

  // Finds the run holding the live element at code point position pos (< length). Sets atOff to
  // the element's offset in the run and atCp / atU16 to the run's start; returns the run.
  locate(pos) {
    const chunks = this.chunks;
    const c = this.cursor;
    while (pos < c.cp) { c.ci--; c.cp -= chunks[c.ci].cp; c.u16 -= chunks[c.ci].u16; }
    while (pos >= c.cp + chunks[c.ci].cp) { c.cp += chunks[c.ci].cp; c.u16 += chunks[c.ci].u16; c.ci++; }
    let cp = c.cp;
    let u16 = c.u16;
    for (const run of chunks[c.ci].runs) {
      if (run.del) continue;
      if (pos < cp + run.n) {
        this.atCp = cp;
        this.atU16 = u16;
        this.atOff = pos - cp;
        return run;
      }
      cp += run.n;
      u16 += run.text.length;
    }
    throw new Error('rga_seq: live counts out of step');
  }

  // The same by UTF-16 offset (< length16); atOff is the UTF-16 offset inside the run.
  locate16(off) {
    const chunks = this.chunks;
    const c = this.cursor;
    while (off < c.u16) { c.ci--; c.cp -= chunks[c.ci].cp; c.u16 -= chunks[c.ci].u16; }
    while (off >= c.u16 + chunks[c.ci].u16) { c.cp += chunks[c.ci].cp; c.u16 += chunks[c.ci].u16; c.ci++; }
    let cp = c.cp;
    let u16 = c.u16;
    for (const run of chunks[c.ci].runs) {
      if (run.del) continue;
      if (off < u16 + run.text.length) {
        this.atCp = cp;
        this.atU16 = u16;
        this.atOff = off - u16;
        return run;
      }
      cp += run.n;
      u16 += run.text.length;
    }
    throw new Error('rga_seq: live counts out of step');
  }

  // Inserts `run` at index i of `chunk` (i may equal the chunk's run count).
  insertAt(chunk, i, run) {
    run.chunk = chunk;
    if (i === chunk.runs.length) chunk.runs.push(run);
    else chunk.runs.splice(i, 0, run);
    if (!run.del) this.bump(chunk, run.n, run.text.length);
    if (chunk.runs.length > CHUNK_MAX) this.splitChunk(chunk);
  }

  // Cuts `run` after k elements (0 < k < n); the tail becomes a new run right after it.
  splitRun(run, k) {
    let head = run.text;
    let tail = '';
    if (!run.del) {
      const u = cpToUnit(head, k, head.length === run.n ? run.n : -1);
      tail = head.slice(u);
      head = head.slice(0, u);
    }
    const piece = { r: run.r, s: run.s + k, l: run.l + k, n: run.n - k, del: run.del, text: tail, chunk: null };
    run.n = k;
    run.text = head;
    const chunk = run.chunk;
    const i = chunk.runs.indexOf(run);
    if (!run.del) this.bump(chunk, -piece.n, -tail.length);
    this.insertAt(chunk, i + 1, piece);
    return piece;
  }

  // Tombstones a whole live run.
  kill(run) {
    this.bump(run.chunk, -run.n, -run.text.length);
    run.del = true;
    run.text = '';
  }

  splitChunk(chunk) {
    const j = chunk.idx;
    const half = chunk.runs.length >> 1;
    const next = newChunk(j + 1);
    next.runs = chunk.runs.splice(half);
    for (const run of next.runs) {
      run.chunk = next;
      if (!run.del) { next.cp += run.n; next.u16 += run.text.length; }
    }
    chunk.cp -= next.cp;
    chunk.u16 -= next.u16;
    this.chunks.splice(j + 1, 0, next);
    for (let i = j + 2; i < this.chunks.length; i++) this.chunks[i].idx = i;
    if (this.cursor.ci > j) this.cursor.ci++;
  }

  // Every run in document order.
  *[Symbol.iterator]() {
    for (const chunk of this.chunks) yield* chunk.runs;
  }
}
