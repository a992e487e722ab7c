// persistence.js — where a client keeps each document between sessions, and the in-memory store.
//
// A persistence stores one record per doc id:
//   { epoch, replica, token: Uint8Array | null,
//     snapshot: Uint8Array | null,   // crdt §11.1 bytes of the replica at some moment
//     pending: [op, ...] }           // own ops, seq order, that the snapshot may lack or the
//                                    // server has not acknowledged
// Invariant kept by Saver (saver.js): snapshot + pending hold every op the replica authored, so
// a reloaded client never reuses a seq. Re-applying pending ops that the snapshot already holds
// is harmless (duplicates), and resending acknowledged ones is too.
//
// Interface (all async): load(docId) -> record | null; save(docId, record); remove(docId);
// list() -> [docId, ...].

export class MemoryPersistence {
  constructor() {
    this.records = new Map();
  }

  async load(docId) {
    const r = this.records.get(docId);
    return r ? structuredClone(r) : null;
  }

  async save(docId, record) {
    this.records.set(docId, structuredClone(record));
  }

  async remove(docId) {
    this.records.delete(docId);
  }

  async list() {
    return [...this.records.keys()];
  }
}
