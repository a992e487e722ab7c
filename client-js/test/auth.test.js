// auth.test.js — WeftClient's token: the handshake URL and refresh() against a fake socket.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeftClient } from '../src/client.js';
import { DEFAULT_LIMITS } from '../src/frames.js';
import { FakeNetwork, FakeTimers, settle } from './support/fake_socket.js';

// A client with `token`, connected and welcomed by the fake server.
async function connected(token = 'tok-1') {
  const net = new FakeNetwork();
  const timers = new FakeTimers();
  const client = new WeftClient({ url: 'ws://test/ws', WebSocket: net.WebSocket, timers,
    now: timers.now, random: () => 0.5, token });
  client.open('d');
  await settle();
  const sock = net.last;
  sock.accept();
  sock.deliver({ type: 'welcome', version: 1, server: 'fake', limits: { ...DEFAULT_LIMITS } });
  sock.take();
  return { net, timers, client, sock };
}

test('the token goes in the handshake URL as the token query parameter', async () => {
  const { sock } = await connected('a.b-c_d');
  assert.equal(sock.url, 'ws://test/ws?token=a.b-c_d');
});

test('refresh sends the refresh frame and resolves with the expiry on refreshed', async () => {
  const { client, sock } = await connected();
  const refreshing = client.refresh('tok-2');
  assert.deepEqual(sock.take('refresh').map((f) => f.token), ['tok-2']);
  sock.deliver({ type: 'refreshed', expires: 1767225600 });
  assert.equal(await refreshing, 1767225600);
});

test('refresh rejects on unauthorized', async () => {
  const { client, sock } = await connected();
  const refreshing = client.refresh('bad');
  sock.deliver({ type: 'error', code: 18, name: 'unauthorized', message: 'bad signature',
    doc: null, op: null });
  await assert.rejects(refreshing, /unauthorized/);
});

test('after a refresh, reconnects use the new token', async () => {
  const { net, timers, client, sock } = await connected('old');
  const refreshing = client.refresh('new');
  sock.deliver({ type: 'refreshed', expires: null });
  assert.equal(await refreshing, null);
  sock.drop();
  timers.advance(60000);
  await settle();
  assert.equal(net.last.url, 'ws://test/ws?token=new');
});

test('refresh rejects when offline or when the connection drops first', async () => {
  const offline = new WeftClient({ url: 'ws://test/ws', WebSocket: new FakeNetwork().WebSocket });
  await assert.rejects(offline.refresh('x'), /not connected/);
  const { client, sock } = await connected();
  const refreshing = client.refresh('tok-2');
  sock.drop();
  await assert.rejects(refreshing, /connection closed/);
});
