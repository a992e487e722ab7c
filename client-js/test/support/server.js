// server.js — starts a real weft-server for integration tests and stops it.
//
// The binary is $WEFT_SERVER_BIN, else build/release/server/weft-server under the repository
// root; weft-replay is $WEFT_REPLAY_BIN, else build/release/tools/weft-replay.

import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const serverBin = process.env.WEFT_SERVER_BIN ?? join(repoRoot, 'build/release/server/weft-server');
export const replayBin = process.env.WEFT_REPLAY_BIN ?? join(repoRoot, 'build/release/tools/weft-replay');
export const typistBin = process.env.WEFT_TYPIST_BIN ?? join(repoRoot, 'build/release/tests/integration/weft-typist');

export function requireBinary(path, what) {
  if (!existsSync(path)) {
    throw new Error(`${what} not found at ${path}: build it (cmake --build build/release) or set the env variable`);
  }
}

// Resolves { url, port, data, stop() } once the server prints its ready line. `args`: more flags
// (limits, e.g. ['--max-ops-per-second', '50']).
export function startServer({ data = mkdtempSync(join(tmpdir(), 'weft-js-')), args = [] } = {}) {
  requireBinary(serverBin, 'weft-server');
  const proc = spawn(serverBin, ['--listen', '127.0.0.1:0', '--data', data,
    '--static', join(repoRoot, 'client-js/public'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`weft-server did not start: ${err}`)), 10000);
    proc.on('exit', (code) => fail(new Error(`weft-server exited (${code}): ${err}`)));
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/ready on ([\d.]+):(\d+)/);
      if (!m) return;
      clearTimeout(timer);
      const port = Number(m[2]);
      ok({
        port, data, url: `ws://127.0.0.1:${port}/ws`, stderr: () => err,
        stop: () => new Promise((done) => {
          if (proc.exitCode !== null) return done();
          proc.once('exit', () => done());
          proc.kill('SIGTERM');
        }),
      });
    });
  });
}

// The document's text as weft-replay reads it from the store (the server must be stopped).
export function replayText(data, doc) {
  requireBinary(replayBin, 'weft-replay');
  return new Promise((ok, fail) => {
    execFile(replayBin, ['--data', data, '--no-pager', 'text', doc], { maxBuffer: 1 << 26 },
      (e, stdout, stderr) => (e ? fail(new Error(`weft-replay: ${stderr || e.message}`)) : ok(stdout)));
  });
}

// Runs weft-typist (tests/integration/typist.cpp): a C++ client (client::Session) typing `edits`
// random edits into `doc`. Resolves with its final { text, replica } once it has settled (no frame
// for settleMs after all its edits were acknowledged).
export function runTypist(port, doc, { seed = 1, edits = 100, intervalMs = 5, settleMs = 1500 } = {}) {
  requireBinary(typistBin, 'weft-typist');
  return new Promise((ok, fail) => {
    execFile(typistBin, ['--port', String(port), '--doc', doc, '--seed', String(seed),
      '--edits', String(edits), '--interval-ms', String(intervalMs), '--settle-ms', String(settleMs)],
    { maxBuffer: 1 << 26 },
    (e, stdout, stderr) => (e ? fail(new Error(`weft-typist: ${stderr || e.message}`)) : ok(JSON.parse(stdout))));
  });
}
