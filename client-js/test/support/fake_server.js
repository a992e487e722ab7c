// fake_server.js — the server's side of the handshake for tests that drive a WeftClient through
// a fake socket: a client on fake timers, welcome, the answer to a join, a synced handle.

import { WeftClient } from '../../src/client.js';
import { MemoryPersistence } from '../../src/persistence.js';
import { Rga } from '../../src/rga.js';
import { DEFAULT_LIMITS } from '../../src/frames.js';
import { textDigest } from '../../src/digest.js';
import { FakeNetwork, FakeTimers, settle } from './fake_socket.js';

export const TOKEN = Uint8Array.from({ length: 16 }, (_, i) => i);
export const EPOCH = 77;

export function setup({ persistence = new MemoryPersistence(), random = () => 0.5 } = {}) {
  const net = new FakeNetwork();
  const timers = new FakeTimers();
  const client = new WeftClient({ url: 'ws://test/ws', WebSocket: net.WebSocket, timers,
    now: timers.now, random, persistence });
  return { net, timers, client, persistence };
}

// The server's side of connect + welcome.
export function welcome(sock, limits = {}) {
  sock.accept();
  sock.deliver({ type: 'welcome', version: 1, server: 'fake', limits: { ...DEFAULT_LIMITS, ...limits } });
}

// The server's answer to a join: joined, catch-up from `server` (an Rga) as a snapshot or as
// `ops`, synced.
export function answerJoin(sock, doc, { replica = 1, server = new Rga(0), reset = false, ops = null } = {}) {
  const vv = server.version();
  sock.deliver({ type: 'joined', doc, epoch: EPOCH, replica, token: TOKEN, vv, reset });
  if (ops) {
    if (ops.length) sock.deliver({ type: 'ops', doc, ops });
  } else {
    const bytes = server.encodeSnapshot();
    sock.deliver({ type: 'snapshot', doc, offset: 0, total: bytes.length, bytes });
  }
  sock.deliver({ type: 'synced', doc, vv, digest: textDigest(server.text()) });
  sock.deliver({ type: 'presences', doc, entries: [] });
}

export async function openSynced(ctx, docId = 'd', opts = {}) {
  const opening = ctx.client.open(docId);
  await settle();
  const sock = ctx.net.last;
  welcome(sock, opts.limits);
  answerJoin(sock, docId, opts);
  const doc = await opening;
  return { doc, sock };
}
