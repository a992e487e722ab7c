// client.js — WeftClient: one WebSocket connection to a Weft server, shared by every open
// document, with hello/welcome, reconnection and frame dispatch (PROTOCOL.md §7, §10).
//
// The connection is (re)opened whenever a document is open and the socket is gone; delays
// follow Backoff (exponential, full jitter), reset once a join succeeds. After each welcome every
// open document rejoins with its epoch, replica, token and version vector and, once caught up,
// resends its unacknowledged ops (DocHandle).
//
// Every frame sent is counted by `pacer` (pacer.js), a model of the server's rate limits from
// welcome; ops frames wait for it (DocHandle.flush). A frame the server refuses anyway is sent
// again (DocHandle.onError); a dropped frame of unknown content means every op in flight goes again.
//
// The socket is `WebSocket` (any class with the browser WebSocket's onopen/onmessage/onclose/
// send/close/binaryType surface): by default the global one, or in Node without one the `ws`
// package's ('#websocket' in package.json, so browser bundles never contain `ws`).
// Injectable for tests: timers ({ setTimeout, clearTimeout }), random, now, schedule (how local
// ops are coalesced before sending: default one frame per microtask).

import { decodeFrame, encodeFrame, DEFAULT_LIMITS, FrameError } from './frames.js';
import { Backoff } from './backoff.js';
import { MemoryPersistence } from './persistence.js';
import { DocHandle } from './doc.js';
import { Emitter } from './emitter.js';
import { Pacer } from './pacer.js';
import { defaultWebSocket } from '#websocket';

const PROTOCOL_VERSION = 1;
// After a frame dropped by the frame rate limit: the server's one-second window of drops is over.
const FRAME_DROP_PAUSE_MS = 1000;

// `url` with the access token as the `token` query parameter (browsers cannot set headers on
// WebSockets; PROTOCOL.md §13); `url` itself without a token.
function withToken(url, token) {
  return token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
}

export class WeftClient extends Emitter {
  constructor({
    url, WebSocket = defaultWebSocket(), persistence = new MemoryPersistence(),
    name = 'weft-js/0.1', token = null, backoff = {}, random = Math.random,
    timers = { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) },
    now = () => Date.now(), schedule = (fn) => queueMicrotask(fn),  // browsers refuse queueMicrotask called as a method
  }) {
    super();
    // Here rather than at the first connect, which may be long after the program's setup.
    if (typeof WebSocket !== 'function') {
      throw new TypeError('WeftClient: no WebSocket class here; pass one as the WebSocket option');
    }
    this.baseUrl = url;
    this.url = withToken(url, token);
    this.accessToken = token;     // its `docs` claim tells documents they are read-only up front
    this.pendingRefresh = null;   // { resolve, reject, token } while a refresh frame is unanswered
    this.WebSocket = WebSocket;
    this.persistence = persistence;
    this.name = name;
    this.backoff = new Backoff({ ...backoff, random });
    this.timers = timers;
    this.now = now;
    this.schedule = schedule;
    this.docs = new Map();
    this.opening = new Map();
    this.limits = { ...DEFAULT_LIMITS };
    this.pacer = new Pacer(this.limits, now());
    this.ws = null;
    this.welcomed = false;
    this.status = 'offline';
    this.closed = false;
    this.reconnectTimer = null;
  }

  // Opens a document: restores it from persistence, joins it when online. Resolves with the
  // handle once it is synced, or as soon as the connection is found to be down (offline use).
  open(docId) {
    if (this.closed) return Promise.reject(new Error('client closed'));
    if (!this.opening.has(docId)) {
      const doc = new DocHandle(this, docId);
      const opened = doc.restore().then(() => {
        this.docs.set(docId, doc);
        if (this.welcomed) doc.join();
        else {
          doc.updateStatus();
          if (!this.ws && this.reconnectTimer === null) this.connect();
          if (this.status === 'offline' && this.reconnectTimer !== null) doc.resolveReady(doc);
        }
        return doc.ready;
      });
      this.opening.set(docId, opened);
      opened.catch(() => this.opening.delete(docId));
    }
    return this.opening.get(docId);
  }

  close() {
    this.closed = true;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    for (const doc of [...this.docs.values()]) doc.close();
    if (this.ws) this.ws.close(1000);
    this.ws = null;
    this.welcomed = false;
    this.setStatus('offline');
  }

  // Sends one frame if the connection is up; returns whether it was sent.
  send(frame) {
    if (!this.ws || !this.welcomed && frame.type !== 'hello') return false;
    const bytes = encodeFrame(frame);
    this.ws.send(bytes);
    this.pacer.sent(frame.type === 'ops' ? frame.ops.length : 0, bytes.length, this.now());
    return true;
  }

  // ---- connection ------------------------------------------------------------------------------

  connect() {
    this.reconnectTimer = null;
    if (this.closed || this.ws) return;
    this.setStatus('connecting');
    const ws = new this.WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (ev) => this.onMessage(ws, ev);
    ws.onclose = () => this.onClose(ws);
    ws.onerror = () => {};      // a close event follows
    this.ws = ws;
  }

  onOpen(ws) {
    if (ws !== this.ws) return;
    this.send({ type: 'hello', version: PROTOCOL_VERSION, client: this.name });
  }

  onMessage(ws, ev) {
    if (ws !== this.ws) return;
    if (typeof ev.data === 'string') return;
    let frame;
    try {
      frame = decodeFrame(ev.data instanceof Uint8Array ? ev.data : new Uint8Array(ev.data));
    } catch (e) {
      if (e instanceof FrameError) return this.emit('error', { name: e.code, message: e.message });
      throw e;
    }
    if (frame.type === 'welcome') return this.onWelcome(frame);
    if (frame.type === 'refreshed') return this.onRefreshed(frame);
    if (frame.type === 'error' && frame.doc === null) return this.onConnectionError(frame);
    const doc = this.docs.get(frame.doc);
    if (doc) doc.handle(frame);
  }

  onWelcome(f) {
    this.limits = f.limits;
    this.pacer = new Pacer(f.limits, this.now());
    this.welcomed = true;
    this.setStatus('online');
    for (const doc of this.docs.values()) doc.join();
  }

  // Replaces the access token without reconnecting (PROTOCOL.md §5.15). Resolves with the new
  // token's expiry (Unix seconds, or null) on `refreshed`; rejects on `unauthorized` (the old
  // token stays in force), when offline, or if the connection drops first. Reconnects use the
  // new token once it is accepted.
  refresh(token) {
    if (!this.ws || !this.welcomed) return Promise.reject(new Error('refresh: not connected'));
    if (this.pendingRefresh) return Promise.reject(new Error('refresh: one is already pending'));
    return new Promise((resolve, reject) => {
      this.pendingRefresh = { resolve, reject, token };
      this.send({ type: 'refresh', token });
    });
  }

  onRefreshed(f) {
    const pending = this.pendingRefresh;
    this.pendingRefresh = null;
    if (!pending) return;
    this.url = withToken(this.baseUrl, pending.token);
    this.accessToken = pending.token;
    // Widened rights are not announced (PROTOCOL.md §13): the new token's claim says what they
    // are, or, if the client cannot read it, the next edit finds out.
    for (const doc of this.docs.values()) doc.readOnly = doc.tokenSaysReadOnly();
    pending.resolve(f.expires);
  }

  failRefresh(message) {
    const pending = this.pendingRefresh;
    this.pendingRefresh = null;
    pending?.reject(new Error(message));
  }

  onConnectionError(f) {
    if (f.name === 'unauthorized') this.failRefresh(`refresh: unauthorized: ${f.message}`);
    this.emit('error', f);
    if (f.name === 'rate_limited') {
      // A frame was dropped (frame rate limit; at most one such error a second, without saying
      // which): any ops frame in flight may have been it, so every one goes again (duplicates are
      // harmless), once the server's window of drops is over.
      this.pacer.refused(FRAME_DROP_PAUSE_MS, this.now());
      for (const doc of this.docs.values()) doc.resendInFlight();
    }
  }

  onClose(ws) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.welcomed = false;
    this.failRefresh('refresh: connection closed');
    if (this.closed) return;
    for (const doc of this.docs.values()) doc.disconnected();
    this.setStatus('offline');
    const delay = this.backoff.next();
    this.reconnectTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  // A join succeeded: the next failure starts the backoff from its first step again.
  joinedOnce() {
    this.backoff.reset();
  }

  forget(doc) {
    this.docs.delete(doc.id);
    this.opening.delete(doc.id);
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.emit('status', status);
    for (const doc of this.docs.values()) doc.updateStatus();
  }
}
