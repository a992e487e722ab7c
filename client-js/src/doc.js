// doc.js — DocHandle: one open document, the coordinator of its replica, its sync state with
// the server, presence, and three collaborators: the Outbox (own ops until acknowledged,
// outbox.js), the Saver (persistence, saver.js) and its events (Emitter, emitter.js).
//
// Life of a join (PROTOCOL.md §7.2): join → joined → catch-up (snapshot chunks or ops) →
// synced → presences; then live ops, acks and digests. Catch-up that starts from nothing (a
// snapshot, a reset, a resync after divergence) is built in `incoming`, a second replica, while
// the user keeps editing `rga`; at `synced` our unacknowledged ops are re-applied on top of it and
// it replaces `rga`, with one change event for the difference (§10.5).
//
// Invariants:
//   - Every op authored under `replica` is recorded in the outbox and the saver as it is made.
//   - Ops are sent only in phase 'synced' (after catch-up, §10.2): the outbox sends from the
//     synced frame until the connection drops.
//
// Recovery (PROTOCOL.md §7.8): when our replica's unacknowledged ops can never be integrated (a
// refused resume token, `replica_taken_over`, a permanent refusal such as `read_only` or
// `document_full`), the document is rebuilt from the server's state under a replica the server
// accepts, and the user's unacknowledged edits are typed again on it as new local edits, minus
// those the server already holds and those it refused (reported by a 'refused' event).
//
// Rate limits (PROTOCOL.md §9): frames leave when the client's Pacer admits them. A frame the
// server refuses anyway (`rate_limited` naming its first op, or `overloaded`: the document's queue
// was full) or an op it did not keep (its own `buffer_full`) goes back into the outbox and is
// sent again after a pause (the Outbox says which ops, and in which order).

import { Rga } from './rga.js';
import { tokenAccess } from './token_access.js';
import { opByteLength, encodeFrame } from './frames.js';
import { textDigest, digestEquals } from './digest.js';
import { Emitter } from './emitter.js';
import { Outbox } from './outbox.js';
import { Saver } from './saver.js';

const SIDE_AFTER = 1;
const OP_OVERHEAD_BYTES = 64;        // frame header, doc id, array headers: far below this
const DELETE_TARGET_BYTES = 30;      // worst-case encoded [replica, seq, len]
const ARRAY_HEADER_GROWTH = 4;       // an ops array header: fixarray (1 byte) up to array32 (5)
// How long a document waits before sending refused ops again (the C++ client's pause); the
// Pacer then also waits until the (assumed empty) server buckets have earned their cost.
const RATE_LIMIT_PAUSE_MS = 250;
// Per-op refusals that are not retry-later (PROTOCOL.md §8): the op will never be integrated.
// 112 buffer_full is retry-later; 114-117 are never sent for ops.
const PERMANENT_REFUSALS = new Set(['read_only', 'document_full']);
const isPermanentRefusal = (f) => PERMANENT_REFUSALS.has(f.name) ||
  (f.code >= 101 && f.code <= 113 && f.code !== 112);

function vvGet(vv, replica) {
  const e = vv.find(([r]) => r === replica);
  return e ? e[1] : 0;
}

function vvEquals(a, b) {
  return a.length === b.length && a.every(([r, n], i) => b[i][0] === r && b[i][1] === n);
}

// The single change turning `a` into `b` (common prefix and suffix kept), at UTF-16 offsets
// that never split a surrogate pair.
function diffText(a, b) {
  if (a === b) return [];
  let p = 0;
  const max = Math.min(a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p > 0 && isHigh(a.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  if (s > 0 && isLow(a.charCodeAt(a.length - s))) s--;
  return [{ from: p, to: a.length - s, insert: b.slice(p, b.length - s) }];
}
const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;

export class DocHandle extends Emitter {
  constructor(client, id) {
    super();
    this.client = client;
    this.id = id;
    this.epoch = null;
    this.replica = null;
    this.token = null;
    this.rga = new Rga(0);
    this.incoming = null;          // replica being rebuilt by a catch-up from nothing
    // A recovery in progress (§7.8): { replica, dropped: Set of refused seqs of `replica`,
    // dropAll, refusals: [error frames] }; the rebuild's swapIncoming types our edits again.
    this.recovery = null;
    // The pause before the next join after document_unavailable (ms); null: 1 s.
    this.unavailablePause = null;
    // The token's claim, a read_only refusal or access_revoked said so (§13, §8): edits throw.
    this.readOnly = this.tokenSaysReadOnly();
    this.outbox = new Outbox();
    this.flushTimer = null;        // a flush waiting for the Pacer
    this.phase = 'idle';           // idle | joining | catchup | synced | leaving
    this.rebuild = false;          // the next join asks for everything (vv [])
    this.serverVv = [];
    this.chunks = [];
    this.members = new Map();      // replica -> raw presence state (anchors)
    this.localPresence = null;     // { head16, anchor16, name, color, typing }
    this.presenceTimer = null;
    this.presenceSentAt = -Infinity;
    this.flushScheduled = false;
    this.saver = new Saver(this, {
      persistence: client.persistence,
      timers: client.timers,
      onError: (e) => client.emit('error', { doc: id, name: 'persistence', message: String(e) }),
    });
    this.status = 'connecting';
    this.closed = false;
    this.ready = new Promise((resolve) => { this.resolveReady = resolve; });
  }

  // ---- public API -----------------------------------------------------------------------------

  text() { return this.rga.text(); }
  get length16() { return this.rga.length16; }

  // Our ops that no ack covers yet, in seq order (read-only).
  get unacked() { return this.outbox.unacked; }

  insert(off16, text) {
    if (text.length === 0) return;
    this.checkWritable(text, 0);
    const { maxRun, opBytes } = this.opBudget();
    let pos = this.rga.utf16ToPos(off16);
    let chunk = '';
    let units = 0;
    let bytes = 0;
    for (const ch of text) {
      const b = ch.length === 2 ? 4 : ch.charCodeAt(0) < 0x80 ? 1 : ch.charCodeAt(0) < 0x800 ? 2 : 3;
      if (units > 0 && (units + 1 > maxRun || bytes + b > opBytes)) {
        this.recordLocal(this.rga.localInsert(pos, chunk));
        pos += units;
        chunk = '';
        units = 0;
        bytes = 0;
      }
      chunk += ch;
      units++;
      bytes += b;
    }
    this.recordLocal(this.rga.localInsert(pos, chunk));
  }

  delete(off16, len16) {
    if (len16 <= 0) return;
    this.checkWritable('', [...this.text().slice(off16, off16 + len16)].length);
    const { maxRun, opBytes } = this.opBudget();
    const from = this.rga.utf16ToPos(off16);
    let n = this.rga.utf16ToPos(off16 + len16) - from;
    const step = Math.max(1, Math.min(maxRun, Math.floor(opBytes / DELETE_TARGET_BYTES)));
    while (n > 0) {
      const k = Math.min(n, step);
      this.recordLocal(this.rga.localDelete(from, k));
      n -= k;
    }
  }

  // Offsets are turned into anchors now, not when the (rate-limited) frame is sent: remote
  // changes arriving in between would otherwise shift what the offsets mean.
  setPresence(p) {
    const next = { ...(this.localPresence ?? {}), ...p };
    if ('head16' in p || 'anchor16' in p) {
      next.head = this.anchorOf(next.head16);
      next.anchor = next.anchor16 != null && next.anchor16 !== next.head16 ? this.anchorOf(next.anchor16) : null;
    }
    this.localPresence = next;
    this.schedulePresence();
  }

  // Other members' presence now: replica -> { name, color, typing, head16, anchor16 }.
  get presence() {
    return this.presenceMap();
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.phase !== 'idle') this.client.send({ type: 'leave', doc: this.id });
    this.client.forget(this);
    if (this.presenceTimer !== null) this.client.timers.clearTimeout(this.presenceTimer);
    this.cancelFlush();
    await this.saver.saveNow();
  }

  // ---- connection events (called by WeftClient) ------------------------------------------------

  async restore() {
    const rec = await this.client.persistence.load(this.id);
    if (!rec) return;
    this.epoch = rec.epoch;
    this.replica = rec.replica;
    this.token = rec.token;
    this.rga = rec.snapshot ? Rga.fromSnapshot(rec.snapshot, rec.replica ?? 0) : new Rga(rec.replica ?? 0);
    for (const op of rec.pending) this.rga.applyRemote(op);
    this.outbox.restore(rec.pending);
    this.saver.restored(rec);
  }

  join() {
    this.phase = 'joining';
    if (this.recovery?.fresh) {
      // A new replica: the old one must never author again (§7.8).
      this.recovery.fresh = false;
      this.epoch = null;
      this.replica = null;
      this.token = null;
      this.rebuild = true;
    }
    this.chunks = [];
    this.incoming = null;
    const fresh = this.epoch === null;
    this.client.send({
      type: 'join', doc: this.id, epoch: this.epoch, replica: fresh ? null : this.replica,
      token: fresh ? null : this.token, vv: fresh || this.rebuild ? [] : this.rga.version(),
    });
    this.updateStatus();
  }

  disconnected() {
    this.phase = 'idle';
    this.outbox.stopSending();
    this.cancelFlush();
    this.chunks = [];
    this.incoming = null;
    if (this.members.size) {
      this.members.clear();
      this.emitPresence();
    }
    this.updateStatus();
    this.resolveReady(this);
  }

  handle(f) {
    switch (f.type) {
      case 'joined': return this.onJoined(f);
      case 'snapshot': return this.onSnapshot(f);
      case 'ops': return this.onOps(f);
      case 'synced': return this.onSynced(f);
      case 'ack': return this.onAck(f);
      case 'presences': return this.onPresences(f);
      case 'digest': return this.onDigest(f);
      case 'left': return this.onLeft();
      case 'error': return this.onError(f);
      default: return undefined;
    }
  }

  onJoined(f) {
    this.client.joinedOnce();
    const tokenRefused = !f.reset && this.replica !== null && f.replica !== this.replica;
    if (tokenRefused && this.outbox.unacked.length && !this.recovery) {
      // Our old replica's unacknowledged ops can never be sent (replica_mismatch): after this
      // catch-up we rebuild from the server's state and type them again under the new replica.
      this.recovery = this.newRecovery();
    }
    if (f.reset) {
      // Another epoch drops the state, replica and unacknowledged ops (§7.2).
      this.recovery = null;
      this.outbox.forget();
      this.saver.forgetOwn();
      this.incoming = new Rga(f.replica);
      this.resetPending = true;
    } else if (this.rebuild) {
      this.incoming = new Rga(f.replica);
    }
    this.rebuild = false;
    this.epoch = f.epoch;
    this.replica = f.replica;
    this.token = f.token;
    this.rga.replica = f.replica;
    this.serverVv = f.vv;
    this.phase = 'catchup';
    this.saver.saveSoon();
  }

  onSnapshot(f) {
    if (f.offset === 0) this.chunks = [];
    this.chunks.push(f.bytes);
    if (f.offset + f.bytes.length < f.total) return;
    const bytes = new Uint8Array(f.total);
    let at = 0;
    for (const c of this.chunks) { bytes.set(c, at); at += c.length; }
    this.chunks = [];
    this.incoming = Rga.fromSnapshot(bytes, this.replica);
  }

  onOps(f) {
    const target = this.incoming ?? this.rga;
    const changes = [];
    for (const op of f.ops) {
      const res = target.applyRemote(op);
      if (res.status === 'rejected') {
        this.client.emit('error', { doc: this.id, name: res.error, message: `server op refused: ${res.error}`, op });
      }
      if (target === this.rga) {
        for (const c of res.changes) changes.push({ from: c.pos16, to: c.pos16 + c.del16, insert: c.text });
      }
    }
    if (changes.length) this.emitChanges(changes);
    this.saver.saveLater();
  }

  onSynced(f) {
    if (this.incoming) this.swapIncoming();
    this.outbox.trimUnacked(vvGet(this.serverVv, this.replica));
    if (vvEquals(this.rga.version(), f.vv) && !digestEquals(textDigest(this.rga.text()), f.digest)) {
      return this.diverge(f.vv);
    }
    if (this.recovery) return this.resync();  // catch-up was against our old state
    this.phase = 'synced';
    this.unavailablePause = null;
    this.outbox.startSending();
    this.flush();
    if (this.localPresence) this.schedulePresence();
    this.updateStatus();
    this.resolveReady(this);
    this.saver.saveLater();
  }

  swapIncoming() {
    const next = this.incoming;
    this.incoming = null;
    const recovery = this.recovery;
    this.recovery = null;
    const ops = this.outbox.unacked;
    if (recovery) {
      this.outbox.forget();
      this.saver.forgetOwn();
    } else {
      for (const op of ops) next.applyRemote(op);
    }
    const before = this.rga.text();
    this.rga = next;
    this.rga.replica = this.replica;
    const dropped = recovery ? this.retypeOps(ops, recovery) : null;
    const changes = diffText(before, this.rga.text());
    if (changes.length) this.emitChanges(changes);
    if (recovery?.refusals.length) this.emitRefused(recovery, dropped);
    if (this.resetPending) {
      this.resetPending = false;
      this.emit('reset');
    }
    this.saver.dropSnapshot();
    this.saver.saveLater();
  }

  onAck(f) {
    this.outbox.ack(f.next_seq);
    this.updateStatus();
    this.saver.saveLater();
  }

  onDigest(f) {
    if (this.phase !== 'synced' || this.incoming) return;
    if (!vvEquals(this.rga.version(), f.vv)) return;
    if (!digestEquals(textDigest(this.rga.text()), f.digest)) this.diverge(f.vv);
  }

  // Our text differs from the server's at the same version: report, leave, and rejoin asking
  // for everything (§7.7). The replica and token are kept; the rebuilt state replaces ours.
  diverge(vv) {
    this.client.send({ type: 'diverged', doc: this.id, vv, digest: textDigest(this.rga.text()) });
    this.resync();
    this.emit('diverged');
  }

  // Leaves and rejoins asking for the whole document (built in `incoming`, swapped in at synced).
  resync() {
    this.client.send({ type: 'leave', doc: this.id });
    this.phase = 'leaving';
    this.rebuild = true;
    this.updateStatus();
  }

  // Starts (or extends) a recovery of our replica's unacknowledged ops (§7.8): nothing more is
  // sent under it; the document is rebuilt from the server under a new replica (`fresh`), and
  // swapIncoming types the edits again minus the refused ones.
  recover({ refusal = null, dropAll = false } = {}) {
    const rec = this.recovery ?? this.newRecovery();
    if (refusal) {
      rec.refusals.push(refusal);
      if (refusal.op) rec.dropped.add(refusal.op[1]);
    }
    rec.dropAll ||= dropAll;
    if (this.recovery) return;
    rec.fresh = true;
    this.recovery = rec;
    this.outbox.stopSending();
    this.cancelFlush();
    if (this.phase === 'synced' || this.phase === 'catchup') this.resync();
    else if (this.phase === 'idle' && this.client.welcomed && !this.closed) this.join();
  }

  newRecovery() {
    return { replica: this.replica, dropped: new Set(), dropAll: false, refusals: [],
      blocked: { text: '', deleted: 0 } };
  }

  // Types the effect of `ops` (our unacknowledged ops, seq order, of the lost replica and of any
  // replica since) again as new local edits on the rebuilt `rga`: units the server holds (below
  // its version of their replica) are skipped, refused ops are dropped; inserts go after their
  // parent (after the parent's own parent for a dropped or skipped-over parent, recursively),
  // deletes remove the units still visible. Returns what was dropped: { text, deleted }.
  retypeOps(ops, recovery) {
    const version = new Map(this.rga.version());
    const moved = new Map();      // `r:s` of a unit typed again or dropped -> its id now
    const idOf = (r, s) => moved.get(`${r}:${s}`) ?? [r, s];
    const held = (op, seq) => seq < (version.get(op.replica) ?? 0);
    const isDropped = (op) => op.replica === recovery.replica &&
      (recovery.dropAll || recovery.dropped.has(op.seq));
    const dropped = { text: '', deleted: 0 };
    for (const op of ops) {
      const drop = isDropped(op);
      if (op.type === 'insert') {
        const parent = idOf(op.parent[0], op.parent[1]);
        let pos = this.rga.resolve([...parent, SIDE_AFTER]) ?? this.rga.length;
        let seq = op.seq;
        let run = '';
        let runStart = seq;
        const typeRun = () => {
          if (!run) return;
          const made = this.rga.localInsert(pos, run);
          let i = 0;
          for (const _ of run) {
            moved.set(`${op.replica}:${runStart + i}`, [made.replica, made.seq + i]);
            i++;
          }
          pos += i;
          this.recordLocal(made);
          run = '';
        };
        for (const ch of op.text) {
          if (drop) {
            moved.set(`${op.replica}:${seq}`, parent);
            dropped.text += ch;
          } else if (held(op, seq)) {
            typeRun();
            pos = (this.rga.resolve([op.replica, seq, SIDE_AFTER]) ?? pos);
          } else {
            if (!run) runStart = seq;
            run += ch;
          }
          seq++;
        }
        typeRun();
        continue;
      }
      let seq = op.seq;
      for (const [r, s, len] of op.targets) {
        for (let j = 0; j < len; j++, seq++) {
          if (held(op, seq)) continue;
          const id = idOf(r, s + j);
          const at = this.rga.resolve([...id, 0]);
          const visible = at !== null && this.rga.resolve([...id, SIDE_AFTER]) === at + 1;
          if (!visible) continue;
          if (drop) dropped.deleted++;
          else this.recordLocal(this.rga.localDelete(at, 1));
        }
      }
    }
    dropped.text += recovery.blocked.text;
    dropped.deleted += recovery.blocked.deleted;
    return dropped;
  }

  // Tells the program what the server refused for good and what of the user's edits it cost.
  emitRefused(recovery, dropped) {
    const first = recovery.refusals[0];
    const chars = [...dropped.text].length;
    const lost = [
      chars ? `${chars} character${chars === 1 ? '' : 's'} typed` : '',
      dropped.deleted ? `${dropped.deleted} character${dropped.deleted === 1 ? '' : 's'} deleted` : '',
    ].filter(Boolean).join(' and ');
    const what = lost ? `${lost} ${chars + dropped.deleted === 1 ? 'was' : 'were'} not saved` : 'nothing was lost';
    let message;
    if (first.name === 'read_only') message = `This document is read-only: ${what}.`;
    else if (first.name === 'document_full') {
      message = `The document is full (max ${this.client.limits.max_document_bytes} bytes): ${what}.`;
    } else message = `The server refused an edit (${first.name}): ${what}.`;
    this.emit('refused', {
      name: first.name, code: first.code, message, serverMessage: first.message,
      op: first.op ?? null, text: dropped.text, deleted: dropped.deleted, readOnly: this.readOnly,
    });
  }

  // Whether the client's access token grants only `read` on this document (token_access.js).
  tokenSaysReadOnly() {
    return tokenAccess(this.client.accessToken, this.id) === 'read';
  }

  // Throws on an edit of a read-only document; while the refusal that told us is being recovered
  // from, the edit counts as not saved in its report.
  checkWritable(text, deleted) {
    if (!this.readOnly) return;
    if (this.recovery) {
      this.recovery.blocked.text += text;
      this.recovery.blocked.deleted += deleted;
    }
    const error = new Error(`${this.id} is read-only: the edit was not made`);
    error.name = 'read_only';
    throw error;
  }

  onLeft() {
    if (this.phase === 'leaving' && !this.closed) this.join();
    else this.phase = 'idle';
  }

  onError(f) {
    this.client.emit('error', f);
    if (f.name === 'storage_failed' && this.phase !== 'idle') {
      // Membership ended and unacknowledged ops were not kept: rejoin, then resend.
      this.phase = 'idle';
      this.client.timers.setTimeout(() => { if (this.client.welcomed && !this.closed) this.join(); }, 1000);
    } else if (f.name === 'document_unavailable' && this.phase === 'joining') {
      // The server could not load it (its store is down or the document damaged): try again
      // after a pause that doubles, 1 s to 30 s (§10, obligation 8); synced resets it.
      this.phase = 'idle';
      const pause = this.unavailablePause ?? 1000;
      this.unavailablePause = Math.min(pause * 2, 30000);
      this.client.timers.setTimeout(() => {
        if (this.client.welcomed && !this.closed && this.phase === 'idle') this.join();
      }, pause);
      this.updateStatus();
    } else if ((f.name === 'rate_limited' || f.name === 'overloaded') && f.op?.[0] === this.replica) {
      this.refusedFrame(f.op[1]);
    } else if (f.name === 'buffer_full' && f.op?.[0] === this.replica) {
      this.refusedOp(f.op[1]);
    } else if (f.name === 'replica_taken_over') {
      // Another tab or device authors under our replica now: it is never ours again. Rejoin with
      // a new replica and type again what the server lacks of our edits (§7.8).
      this.phase = 'idle';
      this.emit('taken_over');
      this.recover();
    } else if (f.name === 'access_revoked' && this.phase !== 'idle' && /read-only|read only/i.test(f.message ?? '')) {
      this.readOnly = true;
    } else if (isPermanentRefusal(f) && f.op && (f.op[0] === this.replica || f.op[0] === this.recovery?.replica)) {
      if (f.name === 'read_only') this.readOnly = true;
      this.recover({ refusal: f, dropAll: f.name === 'read_only' });
    }
  }

  // ---- local ops --------------------------------------------------------------------------------

  opBudget() {
    const l = this.client.limits;
    const opBytes = l.max_frame_bytes - OP_OVERHEAD_BYTES - new TextEncoder().encode(this.id).length;
    return { maxRun: l.max_run, opBytes };
  }

  recordLocal(op) {
    this.outbox.record(op);
    this.saver.recorded(op);
    this.scheduleFlush();
    this.saver.saveSoon();
    this.saver.saveLater();
    this.updateStatus();
    if (this.members.size) this.emitPresence();
  }

  scheduleFlush() {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.client.schedule(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  // Sends the queued ops in frames within max_ops_per_frame and max_frame_bytes, as fast as the
  // Pacer admits them (a frame holds what the buckets allow now); the rest waits for a timer.
  flush() {
    if (this.phase !== 'synced' || !this.outbox.queued.length || this.flushTimer !== null) return;
    const l = this.client.limits;
    const pacer = this.client.pacer;
    const maxBytes = l.max_frame_bytes - OP_OVERHEAD_BYTES;
    const overhead = encodeFrame({ type: 'ops', doc: this.id, ops: [] }).length + ARRAY_HEADER_GROWTH;
    while (this.outbox.queued.length) {
      const queued = this.outbox.queued;
      const now = this.client.now();
      let n = 0;
      let bytes = 0;               // of the ops alone
      while (n < queued.length && n < l.max_ops_per_frame) {
        const size = opByteLength(queued[n]);
        if (n > 0 && bytes + size > maxBytes) break;
        if (!pacer.admits(n + 1, overhead + bytes + size, now, n === 0)) {
          if (n > 0) break;
          return this.flushLater(pacer.wait(overhead + size, now));
        }
        n++;
        bytes += size;
      }
      this.client.send({ type: 'ops', doc: this.id, ops: this.outbox.sent(n) });
    }
  }

  flushLater(ms) {
    this.flushTimer = this.client.timers.setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, Math.max(1, ms));
  }

  cancelFlush() {
    if (this.flushTimer === null) return;
    this.client.timers.clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  // The server refused our frame starting at `seq` (rate_limited, overloaded): its ops go again
  // once the buckets, assumed empty, allow it.
  refusedFrame(seq) {
    if (!this.outbox.refusedFrame(seq)) return;
    this.client.pacer.refused(RATE_LIMIT_PAUSE_MS, this.client.now());
    this.flush();
  }

  // The server did not keep our op `seq` (buffer_full): it goes again after a pause.
  refusedOp(seq) {
    if (!this.outbox.refusedOp(seq)) return;
    this.client.pacer.pause(RATE_LIMIT_PAUSE_MS, this.client.now());
    this.flush();
  }

  // Every frame in flight may have been dropped (the frame rate limit does not say which).
  resendInFlight() {
    if (this.phase !== 'synced') return;
    if (this.outbox.resendInFlight()) this.flush();
  }

  // ---- presence ---------------------------------------------------------------------------------

  // The anchor of a UTF-16 offset; null for none or for an offset outside the text.
  anchorOf(off16) {
    if (off16 == null) return null;
    try {
      return this.rga.anchorAt(this.rga.utf16ToPos(off16), SIDE_AFTER);
    } catch {
      return null;
    }
  }

  // Sends our presence at most every presence_interval_ms, always the latest state.
  schedulePresence() {
    if (this.presenceTimer !== null || this.phase !== 'synced') return;
    const interval = this.client.limits.presence_interval_ms;
    const wait = Math.max(0, this.presenceSentAt + interval - this.client.now());
    this.presenceTimer = this.client.timers.setTimeout(() => {
      this.presenceTimer = null;
      if (this.phase !== 'synced' || !this.localPresence) return;
      const p = this.localPresence;
      this.client.send({ type: 'presence', doc: this.id,
        state: { head: p.head ?? null, anchor: p.anchor ?? null, name: p.name ?? '', color: p.color ?? '',
          typing: !!p.typing } });
      this.presenceSentAt = this.client.now();
    }, wait);
  }

  onPresences(f) {
    for (const [replica, state] of f.entries) {
      if (state) this.members.set(replica, state);
      else this.members.delete(replica);
    }
    this.emitPresence();
  }

  resolve16(anchor) {
    if (!anchor) return null;
    const pos = this.rga.resolve(anchor);
    return pos == null ? null : this.rga.posToUtf16(pos);
  }

  emitPresence() {
    this.emit('presence', this.presenceMap());
  }

  presenceMap() {
    const out = new Map();
    for (const [replica, s] of this.members) {
      const head16 = this.resolve16(s.head);
      out.set(replica, { name: s.name, color: s.color, typing: s.typing, head16,
        anchor16: s.anchor ? this.resolve16(s.anchor) : head16 });
    }
    return out;
  }

  emitChanges(changes) {
    this.emit('change', { changes, origin: 'remote' });
    if (this.members.size) this.emitPresence();
  }

  // ---- status -----------------------------------------------------------------------------------

  updateStatus() {
    let status;
    if (this.phase === 'synced') status = this.outbox.unacked.length ? 'unsaved' : 'synced';
    else status = this.client.welcomed || this.client.status === 'connecting' ? 'connecting' : 'offline';
    if (status !== this.status) {
      this.status = status;
      this.emit('status', status);
    }
  }
}
