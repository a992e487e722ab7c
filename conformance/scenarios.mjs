// scenarios.mjs — the conformance scenarios (conformance/README.md describes each one). Each
// gets its own weft-server (started with `flags`) and its own adapter process; `run(t)` drives
// them and throws an Error whose message is the reason when the client does not conform.

import { Peer } from './lib/peer.mjs';

const DOC = 'conformance';
const SECRET = 'conformance-secret';

export class Failure extends Error {}

function check(cond, reason) {
  if (!cond) throw new Failure(reason);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (hay, needle) => hay.split(needle).length - 1;
const show = (s) => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);

// Polls `probe` (async, returns [ok, detail]) until ok or `ms` pass; fails with `what` and the
// last detail.
async function eventually(what, probe, ms = 8000) {
  const end = Date.now() + ms;
  let detail = '';
  for (;;) {
    const [ok, d] = await probe();
    if (ok) return;
    detail = d;
    if (Date.now() > end) throw new Failure(`${what} (${detail})`);
    await sleep(50);
  }
}

// The scenario context: the server, the client's adapter and helpers on both.
export class Context {
  constructor(server, adapter, adminToken) {
    this.server = server;
    this.adapter = adapter;
    this.adminToken = adminToken;
    this.peers = [];
  }

  async peer(token = this.adminToken) {
    const url = token ? `${this.server.wsUrl}?token=${token}` : this.server.wsUrl;
    const p = await Peer.connect(url);
    this.peers.push(p);
    return p;
  }

  async open(token = this.adminToken, doc = DOC) {
    return this.adapter.call('open', { url: this.server.wsUrl, doc, token: token ?? null });
  }

  async text() { return (await this.adapter.call('text')).text; }
  serverText() { return this.server.text(DOC, this.adminToken); }
  async status() { return this.adapter.call('status'); }
  insert(pos, text) { return this.adapter.call('insert', { pos, text }); }
  del(pos, len) { return this.adapter.call('delete', { pos, len }); }

  // Every local edit acknowledged (the adapter's wait_acked).
  async acked(ms = 8000) {
    try {
      await this.adapter.call('wait_acked', { timeout_ms: ms }, ms + 5000);
    } catch (e) {
      const st = await this.status().catch(() => ({}));
      throw new Failure(`edits not all acknowledged within ${ms} ms (${e.message}; status ${JSON.stringify(st)})`);
    }
  }

  // The client's text equals the server's durable text; returns it.
  async converged(ms = 8000) {
    let text = '';
    await eventually('client text never equalled the server text', async () => {
      const [mine, theirs] = [await this.text(), await this.serverText()];
      text = theirs;
      return [mine === theirs, `client ${show(mine)}, server ${show(theirs)}`];
    }, ms);
    return text;
  }

  async close() {
    await Promise.all(this.peers.map((p) => p.close()));
  }
}

// A peer's anchor [replica, seq, side] as a code point offset in a text made only of that peer's
// inserts at seqs 0..len-1 in order (how the presence scenarios build their document).
function offsetOf(anchor, peer, len) {
  if (!anchor) return null;
  const [r, s, side] = anchor;
  if (r === 0 && s === 0) return side === 1 ? 0 : len;
  if (r !== peer.replica) return null;
  return side === 1 ? s + 1 : s;
}

// The resume scenarios' start: `one ` typed and acknowledged, then `two` typed offline.
// Returns what `open` answered.
async function ackedThenOffline(t) {
  const opened = await t.open();
  await t.insert(0, 'one ');
  await t.acked();
  await t.adapter.call('disconnect');
  await t.insert(4, 'two');
  return opened;
}

// A joined writer peer that typed `text` at the document start and has it acknowledged.
async function writer(t, text) {
  const p = await t.peer();
  await p.join(DOC);
  if (text) {
    p.sendOps([p.insertOp(text)]);
    await p.waitAck(p.seq);
  }
  return p;
}

const scenarios = [
  {
    name: 'join',
    async run(t) {
      const created = await t.server.api('POST', '/api/docs', { body: { id: DOC, text: 'hello from the server' } });
      check(created.status === 201, `setup: POST /api/docs answered ${created.status}`);
      const opened = await t.open();
      check(Number.isInteger(opened.replica) && opened.replica > 0, `open answered replica ${opened.replica}`);
      check(await t.text() === 'hello from the server', `text after join is ${show(await t.text())}`);
      const st = await t.status();
      check(st.connected && st.synced && st.unacked === 0, `status after join ${JSON.stringify(st)}`);
    },
  },
  {
    name: 'catch_up_ops',
    async run(t) {
      const p = await writer(t, 'base ');
      const opened = await t.open();
      await t.insert(5, 'mine');
      await t.acked();
      // A reference peer that was as far as the client, to show the server answers this join by ops.
      const ref = await t.peer();
      await ref.join(DOC);
      const refVv = ref.heldVv();
      await t.adapter.call('disconnect');
      p.sendOps([p.insertOp('remote ', 4)]);
      await p.waitAck(p.seq);
      const refFrames = await ref.rejoin(refVv);
      check(refFrames.some((f) => f[0] === 6) && !refFrames.some((f) => f[0] === 5),
        'setup: the server did not catch a returning peer up by ops');
      await t.adapter.call('reconnect');
      const text = await t.converged();
      check(count(text, 'remote ') === 1 && count(text, 'mine') === 1, `server text ${show(text)}`);
      check((await t.status()).replica === opened.replica, 'the client did not resume its replica');
    },
  },
  {
    name: 'catch_up_snapshot',
    flags: ['--max-frame-bytes', '4096'],
    async run(t) {
      const lines = [];
      for (let i = 0; i < 400; i++) lines.push(`line ${String(i).padStart(4, '0')} of the snapshot test ✓\n`);
      const big = lines.join('');
      const created = await t.server.api('POST', '/api/docs', { body: { id: DOC, text: big } });
      check(created.status === 201, `setup: POST /api/docs answered ${created.status}`);
      const ref = await t.peer();
      const frames = await ref.join(DOC);
      const chunks = frames.filter((f) => f[0] === 5).length;
      check(chunks > 1, `setup: a fresh join got ${chunks} snapshot chunks, expected several`);
      await t.open();
      check(await t.text() === big, 'the text after a catch-up by snapshot chunks differs from the document');
      await t.insert([...big].length, 'tail');
      await t.acked();
      const text = await t.converged();
      check(text === `${big}tail`, 'the edit after the snapshot did not land at the end');
    },
  },
  {
    name: 'acks',
    async run(t) {
      await t.open();
      await t.insert(0, 'abc');
      await t.insert(3, 'déf');
      await t.del(1, 1);
      check(await t.text() === 'acdéf', `local text ${show(await t.text())}`);
      await t.acked();
      check((await t.status()).unacked === 0, 'status.unacked is not 0 after wait_acked');
      check(await t.serverText() === 'acdéf', `server text ${show(await t.serverText())} after the acks`);
    },
  },
  {
    name: 'held_back',
    async run(t) {
      const p = await writer(t, '');
      await t.open();
      // seqs 3.. after our seq 2, before seqs 0..2 exist: the server holds them back (§5.6).
      p.sendOps([p.insertOp('LATER', 2, 3)]);
      await sleep(300);
      check(await t.serverText() === '', 'setup: the held-back op was integrated before its parent');
      check(await t.text() === '', 'the client shows an op the server holds back');
      await t.insert(0, 'c');
      await t.acked();
      p.sendOps([p.insertOp('abc', null, 0)]);
      await p.waitAck(8);
      const text = await t.converged();
      check(count(text, 'abcLATER') === 1 && count(text, 'c') === 2, `server text ${show(text)}`);
    },
  },
  {
    name: 'resume_accepted',
    async run(t) {
      const opened = await ackedThenOffline(t);
      const p = await writer(t, 'P');
      await t.adapter.call('reconnect');
      await t.acked();
      const text = await t.converged();
      check(count(text, 'one ') === 1 && count(text, 'two') === 1 && count(text, 'P') === 1,
        `server text ${show(text)}`);
      check((await t.status()).replica === opened.replica, 'the client did not resume its replica');
      await p.close();
    },
  },
  {
    name: 'resume_refused',
    flags: ['--max-replicas-per-document', '2'],
    async run(t) {
      const opened = await ackedThenOffline(t);
      // Two new replicas evict the client's from the table of two: its token is refused.
      const a = await writer(t, 'A');
      await writer(t, 'B');
      a.sendOps([a.insertOp('a', 0)]);
      await a.waitAck(a.seq);
      await t.adapter.call('reconnect');
      check((await t.status()).replica !== opened.replica, 'setup: the server accepted the evicted replica');
      await t.acked();
      const text = await t.converged();
      check(count(text, 'one ') === 1, `"one " (acknowledged) is not in the text exactly once: ${show(text)}`);
      check(count(text, 'two') === 1, `"two" (typed offline) is not in the text exactly once: ${show(text)}`);
    },
  },
  {
    name: 'epoch_reset',
    async run(t) {
      const opened = await t.open();
      await t.insert(0, 'old epoch');
      await t.acked();
      await t.adapter.call('disconnect');
      await t.insert(0, 'offline ');
      const del = await t.server.api('DELETE', `/api/docs/${DOC}`);
      check(del.status === 200, `setup: DELETE answered ${del.status}`);
      const created = await t.server.api('POST', '/api/docs', { body: { id: DOC, text: 'new epoch' } });
      check(created.status === 201, `setup: POST answered ${created.status}`);
      await t.adapter.call('reconnect');
      const text = await t.converged();
      check(text === 'new epoch', `server text ${show(text)}`);
      check((await t.status()).epoch !== opened.epoch, 'the client still reports the old epoch');
      check(t.adapter.events.some((e) => e.event === 'reset'), 'no reset event reported');
    },
  },
  {
    name: 'epoch_reset_live',
    async run(t) {
      const opened = await t.open();
      await t.insert(0, 'old epoch');
      await t.acked();
      const del = await t.server.api('DELETE', `/api/docs/${DOC}`);
      check(del.status === 200, `setup: DELETE answered ${del.status}`);
      // The member gets storage_failed and rejoins: the join creates the document anew.
      await eventually('the client did not rejoin the recreated document', async () => {
        const st = await t.status();
        return [st.synced && st.epoch !== opened.epoch, JSON.stringify(st)];
      });
      await t.insert(0, 'new');
      await t.acked();
      check(await t.converged() === 'new', `server text ${show(await t.serverText())}`);
    },
  },
  {
    name: 'refusal_read_only',
    flags: ['--jwt-secret', SECRET],
    jwt: true,
    async run(t) {
      const created = await t.server.api('POST', '/api/docs', { body: { id: DOC, text: 'base' }, token: t.adminToken });
      check(created.status === 201, `setup: POST answered ${created.status}`);
      await t.open(t.readToken);
      check(await t.text() === 'base', `text after join ${show(await t.text())}`);
      // A client that reads its token's docs claim (PROTOCOL.md §13) may refuse the edit itself
      // (the command answers ok: false); otherwise the server refuses it and the client reports it.
      const refusedLocally = await t.insert(4, ' typed').then(() => false, () => true);
      if (refusedLocally) check(await t.text() === 'base', `client text ${show(await t.text())}`);
      else await eventually('no read_only error reported', async () => [t.adapter.errorEvents('read_only').length > 0, '']);
      const text = await t.converged();
      check(text === 'base', `server text ${show(text)}`);
      await t.acked(3000);
    },
  },
  {
    name: 'refusal_document_full',
    flags: ['--max-document-bytes', '64'],
    async run(t) {
      const base = 'abcdefghij'.repeat(4);
      const created = await t.server.api('POST', '/api/docs', { body: { id: DOC, text: base } });
      check(created.status === 201, `setup: POST answered ${created.status}`);
      await t.open();
      await t.insert(40, 'X'.repeat(30));
      await eventually('no document_full error reported', async () => [t.adapter.errorEvents('document_full').length > 0, '']);
      check(await t.converged() === base, `server text ${show(await t.serverText())}`);
      await t.insert(40, 'ok');
      await t.acked(3000);
      check(await t.converged() === `${base}ok`, 'a small insert after the refusal did not land');
    },
  },
  {
    name: 'rate_limit_resend',
    flags: ['--max-ops-per-second', '20'],
    async run(t) {
      await t.open();
      let expected = '';
      for (let i = 0; i < 100; i++) {
        const ch = String.fromCharCode(97 + (i % 26));
        await t.insert(i, ch);
        expected += ch;
      }
      await t.acked(20000);
      check(await t.text() === expected, 'the client text is not what was typed');
      check(await t.converged() === expected, `server text ${show(await t.serverText())}`);
    },
  },
  {
    // Every frame reaching the document while a commit is in flight and another frame waits is
    // refused with `overloaded` naming its first op: the client sends it again later.
    name: 'overloaded_resend',
    flags: ['--max-queued-ops', '1'],
    async run(t) {
      await t.open();
      let expected = '';
      const typed = [];
      for (let i = 0; i < 200; i++) {
        const ch = String.fromCharCode(97 + (i % 26));
        typed.push(t.insert(i, ch));  // sent without waiting: many frames at once
        expected += ch;
      }
      await Promise.all(typed);
      await t.acked(20000);
      check(await t.text() === expected, 'the client text is not what was typed');
      check(await t.converged() === expected, `server text ${show(await t.serverText())}`);
    },
  },
  {
    name: 'presence',
    async run(t) {
      const p = await writer(t, 'hello world');
      const opened = await t.open();
      await t.adapter.call('presence', { head: 5 });
      await eventually('the peer never saw the client\'s cursor at 5', async () => {
        const s = p.presenceOf(opened.replica);
        return [s && offsetOf(s.head, p, 11) === 5, JSON.stringify(s)];
      });
      await t.adapter.call('presence', { head: 2, anchor: 7 });
      await eventually('the peer never saw the client\'s selection 7..2', async () => {
        const s = p.presenceOf(opened.replica);
        return [s && offsetOf(s.head, p, 11) === 2 && offsetOf(s.anchor, p, 11) === 7, JSON.stringify(s)];
      });
      p.presenceAfter(2);
      await eventually('the client never reported the peer\'s cursor at 3', async () => {
        const { members } = await t.adapter.call('presences');
        const m = members.find((x) => x.replica === p.replica);
        return [m && m.head === 3, JSON.stringify(members)];
      });
    },
  },
  {
    name: 'presence_removal',
    async run(t) {
      const p = await writer(t, 'hello world');
      const watcher = await writer(t, '');
      const opened = await t.open();
      p.presenceAfter(4);
      await eventually('the client never reported the peer\'s cursor', async () => {
        const { members } = await t.adapter.call('presences');
        return [members.some((x) => x.replica === p.replica && x.head === 5), JSON.stringify(members)];
      });
      p.send([11, DOC]);
      await eventually('the client still lists the peer after it left', async () => {
        const { members } = await t.adapter.call('presences');
        return [!members.some((x) => x.replica === p.replica), JSON.stringify(members)];
      });
      await t.adapter.call('presence', { head: 1 });
      await eventually('the watcher never saw the client\'s cursor', async () =>
        [Boolean(watcher.presenceOf(opened.replica)), '']);
      await t.adapter.call('disconnect');
      await eventually('the watcher never saw the client\'s presence removed', async () =>
        [watcher.presenceOf(opened.replica) === null, JSON.stringify(watcher.presenceOf(opened.replica))]);
    },
  },
  {
    name: 'idle_close',
    flags: ['--idle-timeout-ms', '1500'],
    async run(t) {
      const p = await writer(t, 'start');
      await t.open();
      // Reference: a peer that never answers pings is closed with 4004.
      const silent = await Peer.connect(t.server.wsUrl, { autoPong: false });
      t.peers.push(silent);
      check(await Promise.race([silent.closed, sleep(6000).then(() => 'none')]) === 4004,
        `setup: a silent peer was closed with ${silent.closeCode}, not 4004`);
      // A client that answers pings is never closed, however long it says nothing.
      await sleep(3000);
      check((await t.status()).connected, 'the client was disconnected while it only answered pings');
      // A client that stops answering (its process stopped) is closed with 4004 and must recover.
      // It is resumed as soon as the server has closed it (its log says so), so that it reads the
      // close frame before the server cuts the TCP connection (idle_timeout_ms later, §2).
      const closes = () => t.server.stderr.split('event=idle_timeout').length - 1;
      const before = closes();
      process.kill(t.adapter.child.pid, 'SIGSTOP');
      p.sendOps([p.insertOp(' remote', 4)]);
      await p.waitAck(p.seq);
      await eventually('setup: the server never closed the stopped client for silence', async () =>
        [closes() > before, ''], 10000);
      process.kill(t.adapter.child.pid, 'SIGCONT');
      await eventually('no closed event with code 4004 reported', async () =>
        [t.adapter.events.some((e) => e.event === 'closed' && e.code === 4004), JSON.stringify(t.adapter.events)]);
      await eventually('the client did not reconnect after 4004', async () => {
        const st = await t.status();
        return [st.connected && st.synced, JSON.stringify(st)];
      });
      await t.insert(0, 'back ');
      await t.acked();
      check(await t.converged() === 'back start remote', `server text ${show(await t.serverText())}`);
    },
  },
];

export default scenarios;
export { SECRET };
