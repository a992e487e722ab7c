// peer.mjs — the runner's own participant: a minimal client written from proto/PROTOCOL.md
// alone (frames as msgpack arrays over a binary WebSocket), used to create conditions around the
// client under test (concurrent edits, held-back ops, presence) and to check what the server
// sends. It keeps no replica: it authors inserts of its own replica only, at the document start
// or after its own elements, with lamports above anything a scenario's client makes (the op of
// seq s has lamport LAMPORT_BASE + s, so lamports grow with seqs whatever order ops are sent in).

import { WebSocket, encode, decode } from './deps.mjs';

export const T = {
  hello: 1, welcome: 2, join: 3, joined: 4, snapshot: 5, ops: 6, synced: 7, ack: 8,
  presence: 9, presences: 10, leave: 11, left: 12, digest: 13, diverged: 14, error: 15,
};
const LAMPORT_BASE = 1_000_000_000;

export class Peer {
  // Connects, says hello and waits for welcome. `options` go to the `ws` constructor
  // (e.g. { autoPong: false } for a peer that never answers pings).
  static async connect(url, options = {}) {
    const peer = new Peer(new WebSocket(url, options));
    await new Promise((resolve, reject) => {
      peer.ws.once('open', resolve);
      peer.ws.once('error', reject);
    });
    peer.send([T.hello, 1, 'weft-conformance-peer/1']);
    peer.welcome = await peer.waitFor((f) => f[0] === T.welcome);
    return peer;
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];          // every frame received, decoded
    this.waiters = [];
    this.closeCode = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code) => { this.closeCode = code; resolve(code); this.wake(); });
    });
    ws.on('message', (data) => {
      this.frames.push(decode(data));
      this.wake();
    });
    ws.on('error', () => {});
    this.doc = null;
    this.replica = null;
    this.epoch = null;
    this.seq = 0;              // next seq of our replica
  }

  send(frame) { this.ws.send(encode(frame)); }

  wake() {
    for (const w of [...this.waiters]) w();
  }

  // The first frame received from index `from` on that satisfies `pred` (waits up to `ms`).
  waitFor(pred, ms = 5000, from = 0, what = 'a frame') {
    return new Promise((resolve, reject) => {
      const check = () => {
        const f = this.frames.slice(from).find(pred);
        if (f !== undefined) { done(); resolve(f); return; }
        if (this.closeCode !== null) { done(); reject(new Error(`peer: connection closed (${this.closeCode}) waiting for ${what}`)); }
      };
      const timer = setTimeout(() => {
        done();
        const errors = this.errors().map((e) => `${e[2]}: ${e[3]}`).join('; ');
        reject(new Error(`peer: timed out waiting for ${what}${errors ? ` (errors: ${errors})` : ''}`));
      }, ms);
      const done = () => { clearTimeout(timer); this.waiters = this.waiters.filter((w) => w !== check); };
      this.waiters.push(check);
      check();
    });
  }

  // Joins `doc` fresh and waits for synced and the first presences; returns the catch-up frames.
  async join(doc) {
    const from = this.frames.length;
    this.doc = doc;
    this.send([T.join, doc, null, null, null, []]);
    const joined = await this.waitFor((f) => f[0] === T.joined && f[1] === doc, 5000, from);
    [, , this.epoch, this.replica, this.token] = joined;
    await this.waitFor((f) => f[0] === T.presences && f[1] === doc, 5000, from);
    return this.frames.slice(from);
  }

  // The version vector of the latest synced or digest frame (what this peer holds once caught up).
  heldVv() {
    const f = this.frames.findLast((x) => (x[0] === T.synced || x[0] === T.digest) && x[1] === this.doc);
    return f ? f[2] : [];
  }

  // Leaves and joins again as a returning client (its epoch, replica, token and `vv`); returns
  // the frames of that catch-up.
  async rejoin(vv) {
    let from = this.frames.length;
    this.send([T.leave, this.doc]);
    await this.waitFor((f) => f[0] === T.left && f[1] === this.doc, 5000, from);
    from = this.frames.length;
    this.send([T.join, this.doc, this.epoch, this.replica, this.token, vv]);
    await this.waitFor((f) => f[0] === T.presences && f[1] === this.doc, 5000, from);
    return this.frames.slice(from);
  }

  // An insert op of our replica: `text` after our element `afterSeq` (null: the document start).
  insertOp(text, afterSeq = null, seq = this.seq) {
    const op = [1, this.replica, seq, LAMPORT_BASE + seq,
      afterSeq === null ? 0 : this.replica, afterSeq === null ? 0 : afterSeq, text];
    this.seq = Math.max(this.seq, seq + [...text].length);
    return op;
  }

  sendOps(ops) { this.send([T.ops, this.doc, ops]); }

  // Waits for an ack covering every seq below `nextSeq`.
  waitAck(nextSeq, ms = 5000) {
    return this.waitFor((f) => f[0] === T.ack && f[1] === this.doc && f[2] >= nextSeq, ms, 0, `ack ${nextSeq}`);
  }

  // Sends our presence: cursor after our element `seq` (side 1).
  presenceAfter(seq) {
    this.send([T.presence, this.doc, { head: [this.replica, seq, 1] }]);
  }

  // The latest presence state received for `replica` (undefined: never; null: removed).
  presenceOf(replica) {
    let state;
    for (const f of this.frames) {
      if (f[0] !== T.presences || f[1] !== this.doc) continue;
      for (const [r, s] of f[2]) if (r === replica) state = s;
    }
    return state;
  }

  errors() { return this.frames.filter((f) => f[0] === T.error); }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(1000);
    }
    return Promise.race([this.closed, new Promise((r) => setTimeout(r, 1000))]).then(() => this.ws.terminate());
  }
}
