// replay.mjs — replays an editing trace through the JS replica and prints one JSON line.
//
//   node bench/replay.mjs [--trace NAME] [--runs N] [--remote]
//
// Local mode replays every patch as localDelete/localInsert (trace positions are code points,
// /work/shared/traces/README.md) and checks the final text against endContent. --remote also
// applies every op that the local replica produced to a second replica with applyRemote, and
// times that instead. The figure is the median of N runs after one warm-up run.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Rga } from '../src/rga.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const traceName = opt('--trace', 'automerge-paper');
const runs = Number(opt('--runs', 5));
const remote = args.includes('--remote');

const path = fileURLToPath(new URL(`../../../shared/traces/${traceName}.json.gz`, import.meta.url));
const trace = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
const patches = [];
for (const txn of trace.txns) for (const p of txn.patches) patches.push(p);

function replayLocal(keepOps) {
  const rga = new Rga(1);
  const ops = keepOps ? [] : null;
  for (const [pos, del, ins] of patches) {
    if (del > 0) {
      const op = rga.localDelete(pos, del);
      if (ops) ops.push(op);
    }
    if (ins.length > 0) {
      const op = rga.localInsert(pos, ins);
      if (ops) ops.push(op);
    }
  }
  return { rga, ops };
}

function replayRemote(ops) {
  const rga = new Rga(2);
  for (const op of ops) {
    if (rga.applyRemote(op).status !== 'applied') throw new Error('remote op not applied');
  }
  return rga;
}

const source = remote ? replayLocal(true).ops : null;
const once = () => (remote ? replayRemote(source) : replayLocal(false).rga);

let ok = once().text() === trace.endContent;
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const rga = once();
  times.push(performance.now() - t0);
  ok = ok && rga.length > 0;
}
times.sort((a, b) => a - b);
const ms = Math.round(times[times.length >> 1] * 10) / 10;
console.log(JSON.stringify({
  bench: remote ? 'js_replay_remote' : 'js_replay', trace: traceName, ms, runs,
  edits: patches.length, ok,
}));
process.exitCode = ok ? 0 : 1;
