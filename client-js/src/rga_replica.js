// rga_replica.js — what a replica document knows about one replica id: its version vector entry,
// last lamport, snapshot base, the kind and lamport of each integrated unit, and its element
// runs sorted by seq (id → run lookup).
//
// Units are integrated in seq order (§7.1), so the unit table only grows at its end. Element
// runs are split by later edits; their seq ranges never overlap, so blocks of runs sorted by
// seq stay sorted when a run's boundary moves between two neighbours.

const BLOCK_MAX = 128;

export class ReplicaState {
  constructor(id) {
    this.id = id;
    this.next = 0;        // vv[r]
    this.last = 0;        // last_lamport[r]
    this.base = 0;        // snapshot next_seq (§7.1)
    // Unit table: entries { s, l, n, ins } covering seqs 0 … next−1 without gaps; l is −1 for
    // delete units that came from a snapshot (lamport unknown).
    this.units = [];
    // Element runs by seq: blocks of runs, each block sorted, blocks in seq order.
    this.blocks = [[]];
  }

  // Records units s … s+n−1 (s === next) of one kind.
  addUnits(s, l, n, ins) {
    const e = this.units[this.units.length - 1];
    if (e && e.ins === ins && e.l >= 0 && e.s + e.n === s && e.l + e.n === l) e.n += n;
    else this.units.push({ s, l, n, ins });
    this.next = s + n;
    this.last = l + n - 1;
  }

  // The unit table entry holding seq (< next).
  unitAt(seq) {
    const u = this.units;
    let lo = 0;
    let hi = u.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (u[mid].s <= seq) lo = mid; else hi = mid - 1;
    }
    return u[lo];
  }

  // True if units s … s+n−1 (all < next) are all elements.
  allElements(s, n) {
    let seq = s;
    while (seq < s + n) {
      const e = this.unitAt(seq);
      if (!e.ins) return false;
      seq = e.s + e.n;
    }
    return true;
  }

  // Rule 5 (§7.4): the held units s+j (j < k, s+j ≥ base) have kind `ins` and lamport L+j.
  unitsAgree(s, L, k, ins) {
    let seq = Math.max(s, this.base);
    while (seq < s + k) {
      const e = this.unitAt(seq);
      if (e.ins !== ins || e.l - e.s !== L - s) return false;
      seq = e.s + e.n;
    }
    return true;
  }

  // The element run holding (id, seq), or null (a delete unit or not integrated).
  runAt(seq) {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (blocks[mid][0].s <= seq) lo = mid; else hi = mid - 1;
    }
    const b = blocks[lo];
    let a = 0;
    let z = b.length - 1;
    if (z < 0 || b[0].s > seq) return null;
    while (a < z) {
      const mid = (a + z + 1) >> 1;
      if (b[mid].s <= seq) a = mid; else z = mid - 1;
    }
    const run = b[a];
    return seq < run.s + run.n ? run : null;
  }

  // Adds a run of a new insert op (its seqs follow every held one).
  appendRun(run) {
    const b = this.blocks[this.blocks.length - 1];
    b.push(run);
    if (b.length > BLOCK_MAX) this.splitBlock(this.blocks.length - 1);
  }

  // Adds `piece`, cut from the end of `run`, right after it.
  insertAfter(run, piece) {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (blocks[mid][0].s <= run.s) lo = mid; else hi = mid - 1;
    }
    const b = blocks[lo];
    let i = b.length - 1;
    while (b[i] !== run) i--;
    if (i === b.length - 1) b.push(piece); else b.splice(i + 1, 0, piece);
    if (b.length > BLOCK_MAX) this.splitBlock(lo);
  }

  splitBlock(bi) {
    const b = this.blocks[bi];
    this.blocks.splice(bi + 1, 0, b.splice(b.length >> 1));
  }

  // Snapshot load: element runs sorted by seq; every other seq below next is a delete unit.
  loadRuns(runs, next, last) {
    runs.sort((a, b) => a.s - b.s);
    this.blocks = [];
    for (let i = 0; i < runs.length; i += BLOCK_MAX >> 1) this.blocks.push(runs.slice(i, i + (BLOCK_MAX >> 1)));
    if (this.blocks.length === 0) this.blocks.push([]);
    let seq = 0;
    for (const run of runs) {
      if (run.s > seq) this.units.push({ s: seq, l: -1, n: run.s - seq, ins: false });
      this.units.push({ s: run.s, l: run.l, n: run.n, ins: true });
      seq = run.s + run.n;
    }
    if (next > seq) this.units.push({ s: seq, l: -1, n: next - seq, ins: false });
    this.next = next;
    this.last = last;
    this.base = next;
  }
}
