// fake_socket.js — an in-process stand-in for the browser WebSocket, driven by the test as the
// server: it records the frames the client sends (decoded) and delivers frames the test writes.

import { decodeFrame, encodeFrame } from '../../src/frames.js';

export class FakeNetwork {
  constructor() {
    this.sockets = [];
    const net = this;
    this.WebSocket = class FakeSocket {
      constructor(url) {
        this.url = url;
        this.sent = [];
        this.readyState = 0;
        this.closedByClient = null;
        net.sockets.push(this);
      }

      send(bytes) {
        this.sent.push(decodeFrame(bytes));
      }

      close(code = 1000) {
        this.closedByClient = code;
        this.readyState = 3;
      }

      // Test side: the server accepts, speaks, hangs up.
      accept() {
        this.readyState = 1;
        this.onopen?.({});
      }

      deliver(frame) {
        this.onmessage?.({ data: encodeFrame(frame).slice().buffer });
      }

      drop() {
        this.readyState = 3;
        this.onclose?.({ code: 1006 });
      }

      // Frames sent since the last take(), optionally only of one type.
      take(type) {
        const out = type ? this.sent.filter((f) => f.type === type) : this.sent.slice();
        this.sent = type ? this.sent.filter((f) => f.type !== type) : [];
        return out;
      }
    };
  }

  get last() {
    return this.sockets[this.sockets.length - 1];
  }
}

// Manual timers: run() fires those due at the current fake time.
export class FakeTimers {
  constructor() {
    this.time = 0;
    this.pending = new Map();
    this.nextId = 1;
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.pending.set(id, { fn, at: this.time + ms, ms });
      return id;
    };
    this.clearTimeout = (id) => this.pending.delete(id);
    this.now = () => this.time;
  }

  delays() {
    return [...this.pending.values()].map((t) => t.ms);
  }

  // The delay of the most recently set timer still pending.
  latest() {
    return [...this.pending.values()].at(-1)?.ms;
  }

  advance(ms) {
    this.time += ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= this.time)
        .sort((a, b) => a[1].at - b[1].at);
      if (!due.length) return;
      const [id, t] = due[0];
      this.pending.delete(id);
      t.fn();
    }
  }
}

export const settle = () => new Promise((resolve) => setImmediate(resolve));
