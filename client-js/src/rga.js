// rga.js — the Weft-RGA replica (crdt/README.md): local edits, apply_remote, positions, anchors.
//
// Implemented from the spec, not from crdt::Rga. State (§7.1):
//   - `replicas_`: per replica id, a ReplicaState (vv entry, last lamport, base, unit table and
//     element runs by seq);
//   - `seq_`: the document sequence as chunked element runs (rga_seq.js);
//   - `buffer_`: ops that passed the format check but are not ready, in arrival order;
//   - `log_`: every integrated op, trimmed, in integration order (for opsSince, §8).
// Positions are code points unless a name ends in 16 (UTF-16 units, what editors use).
// Not thread-safe, and ops returned or reported must be treated as immutable.

import { ReplicaState } from './rga_replica.js';
import { RunSeq } from './rga_seq.js';
import { RgaError, checkFormat, copyOp, ID_LIMIT, trimOp } from './rga_ops.js';
import { opsSince } from './rga_history.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { cpLength, cpToUnit, isHighSurrogate, isWellFormed, unitToCp } from './utf8.js';

export { RgaError } from './rga_ops.js';

const DEFAULT_RGA_LIMITS = { maxRun: 2 ** 20, maxBufferedOps: 4096, maxBufferedUnits: 2 ** 22 };

// key(a) > key(b), keys compared as (lamport, replica).
function keyAbove(la, ra, lb, rb) {
  return la > lb || (la === lb && ra > rb);
}

export class Rga {
  constructor(replica = 0, limits = {}) {
    this.self_ = replica;
    this.limits_ = { ...DEFAULT_RGA_LIMITS, ...limits };
    this.replicas_ = new Map();
    this.seq_ = new RunSeq();
    this.clock_ = 0;
    this.buffer_ = [];
    this.bufferUnits_ = 0;
    this.log_ = [];
    // What the release after the last local edit integrated (rare: a buffered remote op that
    // waited for a local unit), so the caller can show it: { integrated, changes }.
    this.lastRelease = { integrated: [], changes: [] };
  }

  // Builds a replica from snapshot bytes (§11); throws RgaError('bad_snapshot').
  static fromSnapshot(bytes, replica = 0, limits = {}) {
    const snap = decodeSnapshot(bytes);
    const rga = new Rga(replica, limits);
    rga.clock_ = snap.clock;
    const byReplica = new Map();
    const runs = [];
    let t = 0;
    for (const [r, s, l, n, del] of snap.runs) {
      let text = '';
      if (!del) {
        let e = t;
        for (let c = 0; c < n; c++) e += isHighSurrogate(snap.text.charCodeAt(e)) ? 2 : 1;
        text = snap.text.slice(t, e);
        t = e;
      }
      const run = { r, s, l, n, del, text, chunk: null };
      runs.push(run);
      if (!byReplica.has(r)) byReplica.set(r, []);
      byReplica.get(r).push(run);
    }
    for (const [r, next, last] of snap.replicas) {
      const st = new ReplicaState(r);
      st.loadRuns(byReplica.get(r) || [], next, last);
      rga.replicas_.set(r, st);
    }
    rga.seq_ = RunSeq.fromRuns(runs);
    return rga;
  }

  get replica() { return this.self_; }
  set replica(r) { this.self_ = r; }
  get length() { return this.seq_.length; }
  get length16() { return this.seq_.length16; }
  get clock() { return this.clock_; }
  get bufferedOps() { return this.buffer_.length; }

  text() {
    const parts = [];
    for (const run of this.seq_) if (!run.del) parts.push(run.text);
    return parts.join('');
  }

  // The canonical run listing (§9): [[replica, seq, lamport, len, deleted], ...].
  runs() {
    const out = [];
    let last = null;
    for (const { r, s, l, n, del } of this.seq_) {
      if (last && last[0] === r && last[1] + last[3] === s && last[2] + last[3] === l && last[4] === del) {
        last[3] += n;
      } else {
        last = [r, s, l, n, del];
        out.push(last);
      }
    }
    return out;
  }

  version() {
    const out = [];
    for (const st of this.replicas_.values()) if (st.next > 0) out.push([st.id, st.next]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  opsSince(vv) {
    return opsSince(this, vv);
  }

  encodeSnapshot() {
    const replicas = [];
    for (const st of this.replicas_.values()) if (st.next > 0) replicas.push([st.id, st.next, st.last]);
    replicas.sort((a, b) => a[0] - b[0]);
    return encodeSnapshot({ clock: this.clock_, replicas, runs: this.runs(), text: this.text() });
  }

  // ---- local edits (§6) ----

  localInsert(pos, text) {
    const self = this.checkLocal_();
    if (!(Number.isInteger(pos) && pos >= 0 && pos <= this.length)) throw new RgaError('position_out_of_range');
    if (typeof text !== 'string' || !isWellFormed(text)) throw new RgaError('invalid_utf8');
    const n = cpLength(text);
    const st = this.state_(self);
    this.checkUnits_(st, n);
    const s = st.next;
    const L = this.clock_ + 1;
    const seq = this.seq_;
    let parent;
    const fresh = { r: self, s, l: L, n, del: false, text, chunk: null };
    if (pos === 0) {
      parent = [0, 0];
      seq.insertAt(seq.chunks[0], 0, fresh);
      st.appendRun(fresh);
    } else {
      const run = seq.locate(pos - 1);
      const off = seq.atOff;
      parent = [run.r, run.s + off];
      if (off === run.n - 1 && run.r === self && run.s + run.n === s && run.l + run.n === L) {
        run.text += text;
        run.n += n;
        seq.bump(run.chunk, n, text.length);
      } else {
        if (off < run.n - 1) this.split_(run, off + 1);
        seq.insertAt(run.chunk, run.chunk.runs.indexOf(run) + 1, fresh);
        st.appendRun(fresh);
      }
    }
    const op = { type: 'insert', replica: self, seq: s, lamport: L, parent, text };
    this.finish_(op, n, true);
    this.releaseAfterLocal_();
    return op;
  }

  localDelete(pos, len) {
    const self = this.checkLocal_();
    if (!(Number.isInteger(pos) && Number.isInteger(len) && pos >= 0 && len >= 0 && pos + len <= this.length)) {
      throw new RgaError('position_out_of_range');
    }
    const st = this.state_(self);
    this.checkUnits_(st, len);
    const targets = [];
    for (let left = len; left > 0;) {
      const run = this.seq_.locate(pos);
      const off = this.seq_.atOff;
      const c = Math.min(run.n - off, left);
      const last = targets[targets.length - 1];
      if (last && last[0] === run.r && last[1] + last[2] === run.s + off) last[2] += c;
      else targets.push([run.r, run.s + off, c]);
      this.killPiece_(run, off, c, null);
      left -= c;
    }
    const op = { type: 'delete', replica: self, seq: st.next, lamport: this.clock_ + 1, targets };
    this.finish_(op, len, false);
    this.releaseAfterLocal_();
    return op;
  }

  localInsert16(off16, text) {
    return this.localInsert(this.utf16ToPos(off16), text);
  }

  localDelete16(off16, len16) {
    const pos = this.utf16ToPos(off16);
    return this.localDelete(pos, this.utf16ToPos(off16 + len16) - pos);
  }

  checkLocal_() {
    const self = this.self_;
    if (!(Number.isInteger(self) && self >= 1 && self < ID_LIMIT)) throw new RgaError('no_local_replica');
    return self;
  }

  checkUnits_(st, n) {
    if (n === 0) throw new RgaError('empty_op');
    if (n > this.limits_.maxRun) throw new RgaError('run_too_long');
    if (st.next + n > ID_LIMIT || this.clock_ + n >= ID_LIMIT) throw new RgaError('bad_counter');
  }

  // Records an integrated op's units and history, then releases the buffer (§7.5).
  finish_(op, n, ins) {
    this.state_(op.replica).addUnits(op.seq, op.lamport, n, ins);
    const top = op.lamport + n - 1;
    if (top > this.clock_) this.clock_ = top;
    this.log_.push(copyOp(op));
  }

  // A local edit can release a buffered op that waited for its units.
  releaseAfterLocal_() {
    if (this.lastRelease.integrated.length > 0) this.lastRelease = { integrated: [], changes: [] };
    if (this.buffer_.length === 0) return;
    this.release_(this.lastRelease);
  }

  // ---- remote ops (§7) ----

  applyRemote(raw) {
    const res = { status: 'rejected', error: undefined, integrated: [], changes: [] };
    const f = checkFormat(raw, this.limits_.maxRun);
    if (f.error) { res.error = f.error; return res; }
    const v = this.process_(f.op, f.n);
    if (v.status === 'buffered') {
      const lim = this.limits_;
      if (this.buffer_.length >= lim.maxBufferedOps || this.bufferUnits_ + f.n > lim.maxBufferedUnits) {
        res.error = 'buffer_full';
        return res;
      }
      this.buffer_.push(f);
      this.bufferUnits_ += f.n;
    } else if (v.status === 'ready') {
      this.integrate_(v.op, v.n, res);
      this.release_(res);
      v.status = 'applied';
    }
    res.status = v.status;
    res.error = v.error;
    return res;
  }

  // Steps 2–8 of §7.2 on a format-checked op; no side effects. Returns { status: 'ready' |
  // 'buffered' | 'duplicate' | 'rejected', error, op (trimmed), n }.
  process_(op, n) {
    const r = op.replica;
    const ins = op.type === 'insert';
    const st = this.replicas_.get(r);
    const have = st ? st.next : 0;
    if (op.seq > have) return { status: 'buffered' };
    if (op.seq < have) {
      const k = Math.min(n, have - op.seq);
      if (!st.unitsAgree(op.seq, op.lamport, k, ins)) return { status: 'rejected', error: 'conflicting_duplicate' };
      if (k === n) return { status: 'duplicate' };
      op = trimOp(op, k);
      n -= k;
    }
    const s = op.seq;
    if (ins) {
      const [pr, ps] = op.parent;
      if (pr === r && ps >= s) return { status: 'rejected', error: 'self_reference' };
      const pst = pr === 0 ? null : this.replicas_.get(pr);
      if (pr !== 0 && !(pst && ps < pst.next)) return { status: 'buffered' };
      let parentLamport = 0;
      if (pst) {
        const u = pst.unitAt(ps);
        if (!u.ins) return { status: 'rejected', error: 'parent_not_element' };
        parentLamport = u.l + (ps - u.s);
      }
      if (st && op.lamport <= st.last) return { status: 'rejected', error: 'lamport_not_increasing' };
      if (op.lamport <= parentLamport) return { status: 'rejected', error: 'heap_violation' };
    } else {
      for (const [q, t, m] of op.targets) {
        if (q === r && t + m - 1 >= s) return { status: 'rejected', error: 'self_reference' };
      }
      for (const [q, t, m] of op.targets) {
        const qst = this.replicas_.get(q);
        if (!(qst && t + m <= qst.next)) return { status: 'buffered' };
      }
      for (const [q, t, m] of op.targets) {
        if (!this.replicas_.get(q).allElements(t, m)) return { status: 'rejected', error: 'target_not_element' };
      }
      if (st && op.lamport <= st.last) return { status: 'rejected', error: 'lamport_not_increasing' };
    }
    return { status: 'ready', op, n };
  }

  integrate_(op, n, res) {
    if (op.type === 'insert') this.integrateInsert_(op, n, res.changes);
    else for (const [q, t, m] of op.targets) this.deleteRange_(q, t, m, res.changes);
    res.integrated.push(op);
    this.finish_(op, n, op.type === 'insert');
  }

  // Places an insert by the list rule (§5.2): after the parent, past every run whose first key
  // is above the op's key.
  integrateInsert_(op, n, changes) {
    const { replica: r, seq: s, lamport: L, text } = op;
    const seq = this.seq_;
    const [pr, ps] = op.parent;
    let chunk = seq.chunks[0];
    let i = 0;
    let prun = null;
    if (pr !== 0) {
      prun = this.replicas_.get(pr).runAt(ps);
      const off = ps - prun.s;
      if (off < prun.n - 1 && !keyAbove(prun.l + off + 1, prun.r, L, r)) this.split_(prun, off + 1);
      chunk = prun.chunk;
      i = chunk.runs.indexOf(prun) + 1;
    }
    let skipped = false;
    for (;;) {
      if (i === chunk.runs.length) {
        if (chunk.idx + 1 === seq.chunks.length) break;
        chunk = seq.chunks[chunk.idx + 1];
        i = 0;
        continue;
      }
      const x = chunk.runs[i];
      if (!keyAbove(x.l, x.r, L, r)) break;
      skipped = true;
      i++;
    }
    if (!skipped && prun && !prun.del && prun.r === r && prun.s + prun.n === s && prun.l + prun.n === L &&
        ps === prun.s + prun.n - 1) {
      seq.runStart(prun);
      changes.push({ pos: seq.atCp + prun.n, pos16: seq.atU16 + prun.text.length, del: 0, del16: 0, text });
      prun.text += text;
      prun.n += n;
      seq.bump(prun.chunk, n, text.length);
      return;
    }
    const fresh = { r, s, l: L, n, del: false, text, chunk: null };
    seq.insertAt(chunk, i, fresh);
    this.state_(r).appendRun(fresh);
    seq.runStart(fresh);
    changes.push({ pos: seq.atCp, pos16: seq.atU16, del: 0, del16: 0, text });
  }

  deleteRange_(q, t, m, changes) {
    const st = this.replicas_.get(q);
    while (m > 0) {
      const run = st.runAt(t);
      const off = t - run.s;
      const c = Math.min(run.n - off, m);
      if (!run.del) this.killPiece_(run, off, c, changes);
      t += c;
      m -= c;
    }
  }

  // Tombstones elements off … off+c−1 of a live run. A piece at either end of the run joins a
  // neighbouring tombstone run that continues it (backspace and forward delete), else the run
  // is split. Reports the change if `changes` is given.
  killPiece_(run, off, c, changes) {
    const seq = this.seq_;
    const i = seq.runStart(run);
    const text = run.text;
    const cps = text.length === run.n ? run.n : -1;
    const u0 = cpToUnit(text, off, cps);
    const u1 = cps >= 0 ? off + c : u0 + cpToUnit(text.slice(u0), c);
    if (changes) {
      const pos = seq.atCp + off;
      const last = changes[changes.length - 1];
      if (last && last.pos === pos && last.text === '') { last.del += c; last.del16 += u1 - u0; }
      else changes.push({ pos, pos16: seq.atU16 + u0, del: c, del16: u1 - u0, text: '' });
    }
    const chunk = run.chunk;
    if (c === run.n) { seq.kill(run); return; }
    if (off === 0) {
      const prev = chunk.runs[i - 1];
      if (prev && prev.del && prev.r === run.r && prev.s + prev.n === run.s && prev.l + prev.n === run.l) {
        prev.n += c;
        run.s += c;
        run.l += c;
        run.n -= c;
        run.text = text.slice(u1);
        seq.bump(chunk, -c, u0 - u1);
      } else {
        this.split_(run, c);
        seq.kill(run);
      }
      return;
    }
    if (off + c === run.n) {
      const next = chunk.runs[i + 1];
      if (next && next.del && next.r === run.r && run.s + run.n === next.s && run.l + run.n === next.l) {
        next.s -= c;
        next.l -= c;
        next.n += c;
        run.n -= c;
        run.text = text.slice(0, u0);
        seq.bump(chunk, -c, u0 - u1);
      } else {
        seq.kill(this.split_(run, off));
      }
      return;
    }
    const mid = this.split_(run, off);
    this.split_(mid, c);
    seq.kill(mid);
  }

  // Splits a run in the sequence and in its replica's index; returns the tail.
  split_(run, k) {
    const tail = this.seq_.splitRun(run, k);
    this.replicas_.get(run.r).insertAfter(run, tail);
    return tail;
  }

  // Retries buffered ops, earliest first, until none is retryable (§7.5).
  release_(res) {
    for (let again = this.buffer_.length > 0; again;) {
      again = false;
      for (let b = 0; b < this.buffer_.length; b++) {
        const entry = this.buffer_[b];
        const v = this.process_(entry.op, entry.n);
        if (v.status === 'buffered') continue;
        this.buffer_.splice(b, 1);
        this.bufferUnits_ -= entry.n;
        if (v.status === 'ready') this.integrate_(v.op, v.n, res);
        again = true;
        break;
      }
    }
  }

  state_(r) {
    let st = this.replicas_.get(r);
    if (!st) {
      st = new ReplicaState(r);
      this.replicas_.set(r, st);
    }
    return st;
  }

  // ---- positions and anchors (§10) ----

  idAt(pos) {
    if (!(Number.isInteger(pos) && pos >= 0 && pos < this.length)) throw new RgaError('position_out_of_range');
    const run = this.seq_.locate(pos);
    return [run.r, run.s + this.seq_.atOff];
  }

  positionOf(id) {
    const [r, s] = id;
    if (r === 0) return s === 0 ? 0 : null;
    const st = this.replicas_.get(r);
    const run = st && Number.isInteger(s) && s >= 0 && s < st.next ? st.runAt(s) : null;
    if (!run) return null;
    this.seq_.runStart(run);
    return this.seq_.atCp + (run.del ? 0 : s - run.s);
  }

  isLive_(r, s) {
    const st = this.replicas_.get(r);
    const run = st ? st.runAt(s) : null;
    return run !== null && !run.del;
  }

  anchorAt(pos, side) {
    if (!(Number.isInteger(pos) && pos >= 0 && pos <= this.length)) throw new RgaError('position_out_of_range');
    if (side === 1) return pos === 0 ? [0, 0, 1] : [...this.idAt(pos - 1), 1];
    return pos === this.length ? [0, 0, 0] : [...this.idAt(pos), 0];
  }

  resolve(anchor) {
    const [r, s, side] = anchor;
    if (r === 0 && s === 0) return side === 1 ? 0 : this.length;
    const p = this.positionOf([r, s]);
    if (p === null) return null;
    return side === 1 && this.isLive_(r, s) ? p + 1 : p;
  }

  posToUtf16(pos) {
    if (!(Number.isInteger(pos) && pos >= 0 && pos <= this.length)) throw new RgaError('position_out_of_range');
    if (pos === this.length) return this.length16;
    const run = this.seq_.locate(pos);
    return this.seq_.atU16 + cpToUnit(run.text, this.seq_.atOff, run.n === run.text.length ? run.n : -1);
  }

  // Throws position_out_of_range for an offset past the end or inside a surrogate pair.
  utf16ToPos(off16) {
    if (!(Number.isInteger(off16) && off16 >= 0 && off16 <= this.length16)) throw new RgaError('position_out_of_range');
    if (off16 === this.length16) return this.length;
    const run = this.seq_.locate16(off16);
    const k = unitToCp(run.text, this.seq_.atOff, run.n);
    if (k < 0) throw new RgaError('position_out_of_range');
    return this.seq_.atCp + k;
  }
}
