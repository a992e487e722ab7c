// backoff.js — reconnect delays: exponential backoff with full jitter.
//
// delay(attempt) = random(0, min(maxMs, initialMs * 2^attempt)); `attempt` counts failures
// since the last successful join (reset()). Full jitter spreads a crowd of clients that lost the
// same server over the whole window instead of bunching them at its edge.

export class Backoff {
  constructor({ initialMs = 250, maxMs = 10000, random = Math.random } = {}) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
    this.attempt = 0;
  }

  // The cap of the next delay, before jitter.
  ceiling() {
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 52));
  }

  // Returns the next delay in ms and counts the attempt.
  next() {
    const delay = this.random() * this.ceiling();
    this.attempt++;
    return delay;
  }

  reset() {
    this.attempt = 0;
  }
}
