// history_standin.mjs — a stand-in for the server's history endpoints (docs/http-api.md
// "History": text at a version, /history, /blame, /diff, named versions) while weft-server does
// not have them yet, so that history.e2e.mjs can drive the editor's History panel end to end
// today. Run with WEFT_HISTORY_STANDIN=1; without it the tests use the real server's endpoints.
// Delete this file once the server answers them.
//
// An HTTP proxy in front of the real server: WebSockets and every other route pass through;
// the history routes are answered from the document's exported log (`GET /api/docs/ID/log`,
// which the server has), replayed into the JS replica (src/rga.js) to learn each element's
// inserting and deleting record. Only what the spec promises is reproduced, not its speed.
import http from 'node:http';
import net from 'node:net';
import { Rga } from '../../src/rga.js';

const HISTORY = /^\/api\/docs\/([^/?]+)\/(text|history|blame|diff|versions)(?:\/([^?]*))?$/;

function send(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function forward(req, res, target, body) {
  const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
  upstream.on('error', () => res.destroy());
  upstream.end(body);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

// The document's elements in document order: { text, user, replica, ins, del } (ins/del are
// the log indexes of the inserting and deleting records; del Infinity while visible).
async function model(target, id, auth) {
  const answer = await fetch(`http://127.0.0.1:${target}/api/docs/${id}/log`, { headers: auth ? { Authorization: auth } : {} });
  if (!answer.ok) return { status: answer.status, body: await answer.json().catch(() => ({})) };
  const log = await answer.json();
  const rga = new Rga(0);
  const inserts = new Map();  // `${replica}:${seq}` of each unit -> { rec, index, chars }
  const deleted = new Map();
  for (const rec of log.records) {
    rga.applyRemote({ ...rec });
    if (rec.type === 'insert') {
      const chars = [...rec.text];
      chars.forEach((ch, k) => inserts.set(`${rec.replica}:${rec.seq + k}`, { rec, ch }));
    } else {
      for (const [replica, seq, len] of rec.targets) {
        for (let k = 0; k < len; k++) {
          const key = `${replica}:${seq + k}`;
          if (!deleted.has(key)) deleted.set(key, rec.index);
        }
      }
    }
  }
  const elements = [];
  for (const [replica, seq, , n] of rga.runs()) {
    for (let k = 0; k < n; k++) {
      const key = `${replica}:${seq + k}`;
      const { rec, ch } = inserts.get(key);
      elements.push({ text: ch, user: rec.user, replica, ins: rec.index, time: rec.time_us, del: deleted.get(key) ?? Infinity });
    }
  }
  return { log, elements };
}

const visible = (e, at) => e.ins < at && e.del >= at;

function number(params, name, fallback, max) {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw Object.assign(new Error(`${name} is not a number`), { status: 400, code: 'bad_request' });
  if (n > max) throw Object.assign(new Error(`${name} ${n} is past the end of the log (${max} ops)`), { status: 400, code: 'out_of_range' });
  return n;
}

function sessions(records, gap) {
  const open = new Map();
  const out = [];
  for (const rec of records) {
    let session = open.get(rec.user);
    if (!session || rec.time_us - session.last_us > gap * 1e6) {
      session = { user: rec.user, from: rec.index, to: rec.index + 1, ops: 0, first_us: rec.time_us, last_us: rec.time_us, inserted: 0, deleted: 0 };
      open.set(rec.user, session);
      out.push(session);
    }
    session.to = rec.index + 1;
    session.ops += 1;
    session.last_us = rec.time_us;
    if (rec.type === 'insert') session.inserted += [...rec.text].length;
    else session.deleted += rec.targets.reduce((sum, t) => sum + t[2], 0);
  }
  return out.sort((a, b) => a.from - b.from || (a.user < b.user ? -1 : 1));
}

// `GET /api/docs` with `title`, `length` and `q` (the same spec change): every page of the
// server's list, each document's text read for its title, then filtered and paged here.
async function list(target, url, auth) {
  const headers = auth ? { Authorization: auth } : {};
  const all = [];
  let after = null;
  for (;;) {
    const answer = await fetch(`http://127.0.0.1:${target}/api/docs?limit=1000${after ? `&after=${after}` : ''}`, { headers });
    if (!answer.ok) return { status: answer.status, body: await answer.json().catch(() => ({})) };
    const page = await answer.json();
    all.push(...page.documents);
    if (page.next === null) break;
    after = page.next;
  }
  for (const doc of all) {
    const { text } = await (await fetch(`http://127.0.0.1:${target}/api/docs/${doc.id}`, { headers })).json();
    doc.title = [...text.split('\n')[0]].slice(0, 80).join('');
    doc.length = [...text].length;
  }
  const q = url.searchParams.get('q')?.toLowerCase();
  const limit = Number(url.searchParams.get('limit') ?? 100);
  const from = url.searchParams.get('after');
  const matching = all.filter((d) => (!q || d.id.toLowerCase().includes(q) || d.title.toLowerCase().includes(q))
    && (from === null || d.id > from));
  const documents = matching.slice(0, limit);
  return { status: 200, body: { documents, next: matching.length > limit ? documents.at(-1).id : null } };
}

// Starts the stand-in in front of 127.0.0.1:target; resolves to { port, stop() }.
export async function startHistoryStandin(target) {
  const versions = new Map();  // doc -> [{ name, at, user, created_us }]
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const match = HISTORY.exec(url.pathname);
    const body = await readBody(req);
    if (url.pathname === '/api/docs' && req.method === 'GET') {
      const answer = await list(target, url, req.headers.authorization);
      return send(res, answer.status, answer.body);
    }
    if (!match) return forward(req, res, target, body);
    const [, id, what, rest] = match;
    try {
      const built = await model(target, id, req.headers.authorization);
      if (built.status) return send(res, built.status, built.body);
      const { log, elements } = built;
      const ops = log.records.length;
      const params = url.searchParams;
      const named = versions.get(id) ?? [];
      versions.set(id, named);
      if (what === 'text') {
        let at = number(params, 'at', ops, ops);
        if (params.has('version')) {
          const v = named.find((x) => x.name === params.get('version'));
          if (!v) return send(res, 404, { error: { code: 'unknown_version', message: 'no such version' } });
          at = v.at;
        }
        return send(res, 200, { id, at, ops, text: elements.filter((e) => visible(e, at)).map((e) => e.text).join('') });
      }
      if (what === 'history') {
        const gap = number(params, 'gap', 300, 86400);
        const users = new Map();
        for (const r of log.meta.replicas) {
          const entry = users.get(r.user_id) ?? { user: r.user_id, name: '', replicas: [] };
          entry.replicas.push(r.replica);
          if (r.display_name) entry.name = r.display_name;
          users.set(r.user_id, entry);
        }
        return send(res, 200, {
          id, ops, created_us: log.meta.created_us, gap,
          authors: [...users.values()].sort((a, b) => (a.user < b.user ? -1 : 1)),
          sessions: sessions(log.records, gap), versions: named,
        });
      }
      if (what === 'blame') {
        const at = number(params, 'at', ops, ops);
        const shown = elements.filter((e) => visible(e, at));
        const runs = [];
        shown.forEach((e, pos) => {
          const last = runs.at(-1);
          if (last && last.replica === e.replica && e.ins - last.last_op <= 1 && e.ins >= last.last_op) {
            last.to = pos + 1;
            last.text += e.text;
            last.last_op = e.ins;
            last.last_us = e.time;
          } else {
            runs.push({ from: pos, to: pos + 1, text: e.text, user: e.user, replica: e.replica,
              first_op: e.ins, last_op: e.ins, first_us: e.time, last_us: e.time });
          }
        });
        return send(res, 200, { id, at, from: 0, to: shown.length, runs });
      }
      if (what === 'diff') {
        const a = number(params, 'from', 0, ops);
        const b = number(params, 'to', ops, ops);
        const segments = [];
        for (const e of elements) {
          const inA = visible(e, a);
          const inB = visible(e, b);
          if (!inA && !inB) continue;
          const op = inA && inB ? 'keep' : inA ? 'delete' : 'insert';
          const user = op === 'keep' ? undefined : e.user;
          const last = segments.at(-1);
          if (last && last.op === op && last.user === user) last.text += e.text;
          else segments.push(op === 'keep' ? { op, text: e.text } : { op, text: e.text, user });
        }
        return send(res, 200, { id, from: a, to: b, segments });
      }
      if (what === 'versions' && req.method === 'POST') {
        const input = JSON.parse(body.toString() || '{}');
        if (named.some((v) => v.name === input.name)) return send(res, 409, { error: { code: 'already_exists', message: 'name taken' } });
        const version = { name: input.name, at: input.at ?? ops, user: input.user ?? '', created_us: Date.now() * 1000 };
        named.push(version);
        named.sort((x, y) => x.at - y.at || (x.name < y.name ? -1 : 1));
        return send(res, 201, version);
      }
      if (what === 'versions' && req.method === 'GET' && !rest) return send(res, 200, { versions: named });
      return send(res, 405, { error: { code: 'method_not_allowed', message: 'not in the stand-in' } });
    } catch (error) {
      return send(res, error.status ?? 500, { error: { code: error.code ?? 'store_error', message: error.message } });
    }
  });
  // WebSockets go straight through.
  server.on('upgrade', (req, socket, head) => {
    const upstream = net.connect(target, '127.0.0.1', () => {
      let raw = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      upstream.write(`${raw}\r\n`);
      upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    const end = () => { socket.destroy(); upstream.destroy(); };
    upstream.on('error', end).on('close', end);
    socket.on('error', end).on('close', end);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
