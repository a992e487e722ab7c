#!/usr/bin/env node
// run.mjs — the Weft conformance kit's runner: starts weft-server for each scenario, drives the
// client under test through its adapter (conformance/README.md) and checks the outcome on the
// server too (HTTP API, a raw peer of its own). Prints `ok NAME` / `not ok NAME: reason` /
// `skip NAME` per scenario and ends with `conformance: N passed, M failed`; exits 1 on a failure.
//
//   node conformance/run.mjs --adapter 'CMD' [--server BIN] [--skip a,b] [--only a,b] [--verbose]

import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { Server } from './lib/server.mjs';
import { Adapter } from './lib/adapter.mjs';
import { hs256Token } from './lib/jwt.mjs';
import scenarios, { Context, SECRET } from './scenarios.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const usage = 'usage: node conformance/run.mjs --adapter CMD [--server BIN] [--skip a,b] [--only a,b] [--verbose]';

const { values } = parseArgs({
  options: {
    adapter: { type: 'string' },
    server: { type: 'string', default: process.env.WEFT_SERVER_BIN ?? path.join(here, '../build/dev/server/weft-server') },
    skip: { type: 'string', default: '' },
    only: { type: 'string', default: '' },
    verbose: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});
const names = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

if (values.list) {
  for (const s of scenarios) console.log(s.name);
  process.exit(0);
}
if (!values.adapter) {
  console.error(usage);
  process.exit(64);
}
const skip = new Set(names(values.skip));
const only = new Set(names(values.only));
for (const n of [...skip, ...only]) {
  if (!scenarios.some((s) => s.name === n)) {
    console.error(`run.mjs: no scenario ${n} (--list shows them)`);
    process.exit(64);
  }
}

const SCENARIO_MS = 60000;
const SANITIZER_REPORT = /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:/;

async function runOne(scenario) {
  const server = await Server.start(values.server, scenario.flags ?? []);
  const adapter = new Adapter(values.adapter);
  const admin = scenario.jwt ? hs256Token(SECRET, 'conformance-admin', { '*': 'write' }) : null;
  const t = new Context(server, adapter, admin);
  if (scenario.jwt) t.readToken = hs256Token(SECRET, 'conformance-reader', { '*': 'read' });
  let timer;
  let error = null;
  try {
    await Promise.race([
      scenario.run(t),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${SCENARIO_MS} ms`)), SCENARIO_MS);
      }),
    ]);
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
    try { process.kill(adapter.child.pid, 'SIGCONT'); } catch (_e) { /* already gone */ }
    await adapter.stop();
    await t.close();
    await server.stop();
    if (values.verbose) {
      const events = adapter.events.map((e) => (e.event === 'error' ? `error ${e.name}` : e.event));
      process.stderr.write(`--- ${scenario.name}: adapter events: ${events.join(', ') || 'none'}\n`);
      process.stderr.write(`--- ${scenario.name}: adapter stderr\n${adapter.stderr}\n--- server stderr\n${server.stderr.slice(-4000)}\n`);
    }
  }
  // A sanitizer build (scripts/test runs the ASan binaries) reports on stderr, not in the outcome.
  for (const [who, text] of [['adapter', adapter.stderr], ['weft-server', server.stderr]]) {
    if (!error && SANITIZER_REPORT.test(text)) error = new Error(`a sanitizer report on the ${who}'s stderr (--verbose shows it)`);
  }
  return error;
}

let passed = 0;
let failed = 0;
const started = Date.now();
for (const scenario of scenarios) {
  if (only.size && !only.has(scenario.name)) continue;
  if (skip.has(scenario.name)) {
    console.log(`skip ${scenario.name}`);
    continue;
  }
  const t0 = Date.now();
  let error;
  try {
    error = await runOne(scenario);
  } catch (e) {
    error = e;   // the server could not start or stop
  }
  const ms = Date.now() - t0;
  if (error) {
    failed++;
    console.log(`not ok ${scenario.name}: ${error.message.replace(/\s+/g, ' ')}`);
  } else {
    passed++;
    console.log(`ok ${scenario.name}`);
  }
  if (values.verbose) process.stderr.write(`# ${scenario.name}: ${ms} ms\n`);
}
console.log(`conformance: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed > 0 ? 1 : 0);
