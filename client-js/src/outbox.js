// outbox.js — Outbox: one document's own ops from the moment they are made until an ack covers
// them: what is still to send on this connection, what was sent and awaits its ack, and which ops
// go again, in which order, when the server refuses some (PROTOCOL.md §9).
//
// Plain data: it sends nothing and knows no clock. DocHandle decides when to send (the Pacer),
// cuts frames from `queued` and reports them with sent(), and passes on acks and refusals.
//
// Invariants:
//   - `unacked` holds, in seq order, every op authored under the document's replica that no ack
//     covers.
//   - `queued` (to send, or refused and to send again) is in seq order: a replica's ops are
//     integrated in seq order, so a resent op never goes after a later one.
//   - While sending (from startSending() to stopSending()), every unacknowledged op is in exactly
//     one of `queued` and `inFlight` (as the frames that held it), unless the server refused it
//     for good (a 1xx error, document_full): those stay in their frame.
//   - A frame in flight is { first, end, ops }: `first` is the seq of its first op as sent (the
//     op a rate_limited refusal names), `end` the seq after its last op.

// The number of units (seqs) an op uses.
export function opUnits(op) {
  if (op.type === 'insert') {
    let n = 0;
    for (const _ of op.text) n++;
    return n;
  }
  return op.targets.reduce((n, t) => n + t[2], 0);
}

// Whether some of `op`'s units are at or after `nextSeq` (an ack of `nextSeq` does not cover it).
const reaches = (op, nextSeq) => op.seq + opUnits(op) > nextSeq;

export class Outbox {
  constructor() {
    this.unacked = [];
    this.queued = [];
    this.inFlight = [];
  }

  // Ops saved by an earlier session (persistence.js `pending`), none of them sent yet.
  restore(pending) {
    this.unacked = pending.slice();
  }

  // A local op: unacknowledged, and to send.
  record(op) {
    this.unacked.push(op);
    this.queued.push(op);
  }

  // The replica was dropped (another epoch, or a refused resume token): no op authored under
  // it can ever be acknowledged. `unacked` becomes a new array: one taken before stays as it was.
  forget() {
    this.unacked = [];
  }

  // The server holds our ops before `nextSeq` (its version vector at joined). Only `unacked` is
  // trimmed: what is queued or in flight is replaced by startSending().
  trimUnacked(nextSeq) {
    this.unacked = this.unacked.filter((op) => reaches(op, nextSeq));
  }

  // Caught up on a connection: every unacknowledged op goes, nothing is in flight yet.
  startSending() {
    this.queued = this.unacked.slice();
    this.inFlight = [];
  }

  // The connection is gone: nothing is in flight on it, and the next one starts afresh.
  stopSending() {
    this.queued = [];
    this.inFlight = [];
  }

  // The first `n` (> 0) queued ops were sent as one frame: they are in flight. Returns them.
  sent(n) {
    const ops = this.queued.splice(0, n);
    const last = ops[ops.length - 1];
    this.inFlight.push({ first: ops[0].seq, end: last.seq + opUnits(last), ops });
    return ops;
  }

  // The server acknowledged every op of ours before `nextSeq`.
  ack(nextSeq) {
    this.unacked = this.unacked.filter((op) => reaches(op, nextSeq));
    this.inFlight = this.inFlight.filter((frame) => frame.end > nextSeq);
    if (this.queued.length && this.queued[0].seq < nextSeq) {
      this.queued = this.queued.filter((op) => reaches(op, nextSeq));
    }
  }

  // The server refused the frame starting at `seq` (rate_limited): none of it was stored, so all
  // of its ops go again. Frames sent after it that the server took wait in its buffer and are
  // not sent twice. Returns whether such a frame was in flight (one that is not was sent before
  // startSending(), and everything unacknowledged is queued then anyway).
  refusedFrame(seq) {
    const i = this.inFlight.findIndex((frame) => frame.first === seq);
    if (i < 0) return false;
    const [frame] = this.inFlight.splice(i, 1);
    this.requeue(frame.ops);
    return true;
  }

  // The server did not keep our op `seq` (buffer_full: it waited for our ops that a refused frame
  // held, and the document's buffer was full): that op goes again. Returns whether it was in flight.
  refusedOp(seq) {
    const i = this.inFlight.findIndex((frame) => frame.first <= seq && seq < frame.end);
    if (i < 0) return false;
    const frame = this.inFlight[i];
    const op = frame.ops.find((o) => o.seq === seq);
    if (!op) return false;
    frame.ops = frame.ops.filter((o) => o !== op);
    if (!frame.ops.length) this.inFlight.splice(i, 1);
    this.requeue([op]);
    return true;
  }

  // Any frame in flight may have been dropped (the frame rate limit does not say which): all of
  // them go again (duplicates are harmless). Returns whether there were any.
  resendInFlight() {
    if (!this.inFlight.length) return false;
    this.requeue(this.inFlight.flatMap((frame) => frame.ops));
    this.inFlight = [];
    return true;
  }

  // `ops` go out again, before any later op.
  requeue(ops) {
    this.queued = [...ops, ...this.queued].sort((a, b) => a.seq - b.seq);
  }
}
