// pacer.js — Pacer: the client's model of the server's per-connection token buckets (frames/s,
// ops/s, bytes/s; PROTOCOL.md §9), so ops frames leave no faster than the server admits them and
// a big paste is spread out instead of refused with `rate_limited`.
//
// Each bucket follows the server's rule: it refills continuously at its rate up to its capacity
// and admits a cost when it holds min(cost, capacity), after which the whole cost is taken (a
// frame larger than the capacity passes alone and leaves the bucket in debt). The model runs at
// SAFETY of the announced rates and capacities: the server's buckets start filling at the
// connection, before ours (at welcome), and the network may bunch up frames that left evenly.
// Times are milliseconds from the client's clock.

const SAFETY = 0.9;
const EPSILON = 1e-9;

export class TokenBucket {
  constructor(perSecond, now) {
    perSecond = Math.max(1, perSecond);           // the server's flags are at least 1
    this.rate = perSecond * SAFETY / 1000;       // tokens per millisecond
    this.capacity = 2 * perSecond * SAFETY;
    this.level = this.capacity;
    this.at = now;
  }

  refill(now) {
    if (now <= this.at) return;
    this.level = Math.min(this.capacity, this.level + (now - this.at) * this.rate);
    this.at = now;
  }

  // Whether `cost` fits now. `alone`: the cost of a frame that cannot be made smaller (one op),
  // which the server admits once the bucket is full even when it exceeds the capacity; a frame
  // that is still being filled must fit as it is, or the rule would admit any size.
  fits(cost, now, alone = false) {
    this.refill(now);
    return this.level + EPSILON >= (alone ? Math.min(cost, this.capacity) : cost);
  }

  // Milliseconds until `cost` fits (0: now).
  wait(cost, now) {
    this.refill(now);
    const missing = Math.min(cost, this.capacity) - this.level;
    return missing <= EPSILON ? 0 : Math.ceil(missing / this.rate);
  }

  take(cost, now) {
    this.refill(now);
    this.level -= cost;
  }

  // The server refused a frame: its bucket was short, so assume it is empty now.
  drain(now) {
    this.refill(now);
    this.level = Math.min(this.level, 0);
  }
}

export class Pacer {
  // `limits`: the welcome limits (max_frames_per_second, max_ops_per_second, max_bytes_per_second).
  constructor(limits, now) {
    this.frames = new TokenBucket(limits.max_frames_per_second, now);
    this.ops = new TokenBucket(limits.max_ops_per_second, now);
    this.bytes = new TokenBucket(limits.max_bytes_per_second, now);
    this.pausedUntil = -Infinity;
  }

  // Whether an ops frame of `ops` ops and `bytes` message bytes may be sent now (`alone`: it holds
  // one op, so it cannot be split further).
  admits(ops, bytes, now, alone = false) {
    return now >= this.pausedUntil && this.frames.fits(1, now, true) &&
      this.ops.fits(ops, now, alone) && this.bytes.fits(bytes, now, alone);
  }

  // Milliseconds until a frame of one op of `bytes` message bytes may be sent (0: now).
  wait(bytes, now) {
    return Math.max(this.pausedUntil - now, this.frames.wait(1, now), this.ops.wait(1, now),
      this.bytes.wait(bytes, now), 0);
  }

  // A frame was sent: every frame costs a frame token, an ops frame also its ops and bytes.
  sent(ops, bytes, now) {
    this.frames.take(1, now);
    if (ops > 0) {
      this.ops.take(ops, now);
      this.bytes.take(bytes, now);
    }
  }

  // The server refused a frame (rate_limited): nothing is sent for `pauseMs`, and afterwards only
  // what the buckets, assumed empty, earn back.
  refused(pauseMs, now) {
    this.frames.drain(now);
    this.ops.drain(now);
    this.bytes.drain(now);
    this.pause(pauseMs, now);
  }

  // No ops frame is sent for `pauseMs`.
  pause(pauseMs, now) {
    this.pausedUntil = Math.max(this.pausedUntil, now + pauseMs);
  }
}
