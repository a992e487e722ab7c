// rga_history.js — catching a peer up (crdt §8): the integrated ops it lacks, trimmed, merged
// where adjacent ones continue each other, in integration order.

import { RgaError, coalesceTargets, opLength, trimOp } from './rga_ops.js';
import { cpToUnit } from './utf8.js';

// `vv`: [[replica, nextSeq], ...] or a Map replica → nextSeq. Throws
// RgaError('history_unavailable') when the peer lacks units this replica holds only as a snapshot.
export function opsSince(rga, vv) {
  const peer = vv instanceof Map ? vv : new Map(vv);
  const get = (r) => peer.get(r) || 0;
  for (const st of rga.replicas_.values()) {
    if (get(st.id) < st.base) throw new RgaError('history_unavailable');
  }
  const maxRun = rga.limits_.maxRun;
  const out = [];
  let last = null;
  let lastN = 0;
  for (const logged of rga.log_) {
    let o = logged;
    let n = opLength(o);
    const p = get(o.replica);
    if (o.seq + n <= p) continue;
    if (o.seq < p) { o = trimOp(o, p - o.seq); n = opLength(o); }
    else o = copy(o);
    while (last && mergeable(last, lastN, o, maxRun)) {
      const room = maxRun - lastN;
      if (n <= room) {
        append(last, o);
        lastN += n;
        o = null;
        break;
      }
      append(last, head(o, room));
      lastN = maxRun;
      o = trimOp(o, room);
      n -= room;
    }
    if (o) {
      out.push(o);
      last = o;
      lastN = n;
    }
  }
  for (const o of out) if (o.type === 'delete') o.targets = coalesceTargets(o.targets);
  return out;
}

function mergeable(a, na, b, maxRun) {
  if (a.replica !== b.replica || a.type !== b.type || na >= maxRun) return false;
  if (b.seq !== a.seq + na || b.lamport !== a.lamport + na) return false;
  return a.type === 'delete' || (b.parent[0] === a.replica && b.parent[1] === a.seq + na - 1);
}

function append(a, b) {
  if (a.type === 'insert') a.text += b.text;
  else for (const t of b.targets) a.targets.push([t[0], t[1], t[2]]);
}

// The first k units of an op (k < n).
function head(o, k) {
  if (o.type === 'insert') return { ...o, text: o.text.slice(0, cpToUnit(o.text, k)) };
  const targets = [];
  for (const [q, t, m] of o.targets) {
    if (k === 0) break;
    const c = Math.min(m, k);
    targets.push([q, t, c]);
    k -= c;
  }
  return { ...o, targets };
}

function copy(o) {
  if (o.type === 'insert') return { ...o, parent: [o.parent[0], o.parent[1]] };
  return { ...o, targets: o.targets.map((t) => [t[0], t[1], t[2]]) };
}
