// support.mjs — what the browser tests run against: the real weft-server, a TCP proxy that can
// cut one browser's WebSockets (per-context "offline"), and a tiny sequential test runner.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Starts weft-server (on a free port unless `port` is given; in a new temporary data directory
// unless `data` is given). Resolves to { port, data, stop({ keepData }) }.
// `args`: more weft-server flags (e.g. --tls-cert/--tls-key).
export async function startServer({ bin, staticDir, data, port: wanted = 0, args = [] }) {
  const dataDir = data ?? mkdtempSync(path.join(os.tmpdir(), 'weft-e2e-'));
  const child = spawn(bin, ['--listen', `127.0.0.1:${wanted}`, '--data', dataDir, '--static', staticDir,
    ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const port = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no ready line in 10 s: ${stderr}`)), 10000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /ready on [^\s]*:(\d+) /.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`weft-server exited with ${code}: ${stderr}`));
    });
  });
  return {
    port,
    data: dataDir,
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (!keepData && data === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// A TCP proxy to 127.0.0.1:target. While `offline` is true it drops every connection that
// starts a WebSocket handshake (GET /ws) and has cut the open ones, but still serves plain
// HTTP, so a page behind it can reload while its WebSocket cannot get through. This is
// per browser context, unlike stopping the server, and certain to cut open sockets, unlike
// BrowserContext.setOffline.
export async function startProxy(target) {
  const tunnels = new Set();
  let offline = false;
  const server = net.createServer((client) => {
    client.once('data', (first) => {
      const isSocket = /^GET \/ws[ /?]/.test(first.toString('latin1', 0, 16));
      if (isSocket && offline) {
        client.destroy();
        return;
      }
      const upstream = net.connect(target, '127.0.0.1', () => {
        upstream.write(first);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      const tunnel = { client, upstream, isSocket };
      tunnels.add(tunnel);
      const end = () => {
        tunnels.delete(tunnel);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    client.on('error', () => client.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    setOffline(value) {
      offline = value;
      if (!value) return;
      for (const tunnel of [...tunnels]) {
        if (tunnel.isSocket) {
          tunnel.client.destroy();
          tunnel.upstream.destroy();
        }
      }
    },
    async stop() {
      for (const tunnel of tunnels) {
        tunnel.client.destroy();
        tunnel.upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// Runs tests one after another; after a failure the rest are skipped (they build on it), and
// what the pages reported so far (`errors`, the list a suite's last test checks) is printed
// with the failure, since that last test is skipped.
export async function run(tests, errors = { list: [] }) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const [name, fn] of tests) {
    if (failed > 0) {
      skipped += 1;
      console.log(`- skip ${name}`);
      continue;
    }
    const started = Date.now();
    try {
      await fn();
      passed += 1;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${name} (${Date.now() - started} ms)\n     ${error?.stack ?? error}`);
      for (const line of errors.list) console.log(`     page: ${line}`);
    }
  }
  console.log(`\nbrowser e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed === 0 && skipped === 0;
}

// The live editor's text and its DocHandle's (window.weftEditor, set by editor/main.js).
export async function liveText(page) {
  return page.evaluate(() => {
    const { view, handle } = window.weftEditor;
    return { view: view.state.doc.toString(), handle: handle.text() };
  });
}

export async function statusOf(page) {
  return (await page.textContent('.status'))?.trim();
}

export async function waitForStatus(page, expected, timeout = 15000) {
  await page.waitForFunction((want) => document.querySelector('.status')?.textContent === want,
    expected, { timeout, polling: 50 });
}

// Waits until both pages show the same text, both views equal their handles and both say
// "Saved". Returns the text.
export async function converge(a, b, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    const [ta, tb, sa, sb] = await Promise.all([liveText(a), liveText(b), statusOf(a), statusOf(b)]);
    last = { ta, tb, sa, sb };
    if (ta.view === tb.view && ta.view === ta.handle && tb.view === tb.handle &&
        sa === 'Saved' && sb === 'Saved') {
      return ta.view;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no convergence in ${timeout} ms: ${JSON.stringify(last)}`);
}

// An HS256 JWT (PROTOCOL.md §13) signed with `secret`, for `sub` with the given document rights,
// valid for an hour.
export function jwt(secret, sub, docs) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600, docs })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
