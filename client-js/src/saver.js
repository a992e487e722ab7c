// saver.js — Saver: keeps one document's persistence record (persistence.js) current: its own
// ops are saved at once (next microtask), a snapshot of the replica only after a pause.
//
// Invariants:
//   - The saved snapshot plus the saved pending ops (own ops since that snapshot, and every
//     unacknowledged one) hold every op the document authored, so a reload never reuses a seq.
//   - Saves run one after another, in the order they were asked for: the last one written wins.
//   - Nothing is saved before the document has an epoch (it was never joined).

const SAVE_DEBOUNCE_MS = 300;

export class Saver {
  // `doc`: what is saved, read when a save runs: { id, epoch, replica, token, rga, unacked }.
  // `persistence`: where (persistence.js); `timers`: { setTimeout, clearTimeout };
  // `onError(e)`: a save failed (the next one tries again with the whole record).
  constructor(doc, { persistence, timers, onError }) {
    this.doc = doc;
    this.persistence = persistence;
    this.timers = timers;
    this.onError = onError;
    this.savedSnapshot = null;     // the snapshot in the last record written (or to be written)
    this.ownSinceSnapshot = [];    // ops we authored since savedSnapshot was taken
    this.saveTimer = null;
    this.saveQueued = false;
    this.saving = Promise.resolve();
  }

  // The record loaded at startup.
  restored(rec) {
    this.ownSinceSnapshot = rec.pending.slice();
    this.savedSnapshot = rec.snapshot;
  }

  // A local op, which the saved snapshot lacks.
  recorded(op) {
    this.ownSinceSnapshot.push(op);
  }

  // The replica was dropped (another epoch, or a refused resume token): its ops are not ours to
  // keep any more.
  forgetOwn() {
    this.ownSinceSnapshot = [];
  }

  // The replica was replaced by one rebuilt from the server: the saved snapshot is of the old one.
  dropSnapshot() {
    this.savedSnapshot = null;
  }

  // Saves the pending ops at the next microtask (several calls in one task write once).
  saveSoon() {
    if (this.saveQueued) return;
    this.saveQueued = true;
    queueMicrotask(() => {
      this.saveQueued = false;
      this.write();
    });
  }

  // Saves a snapshot once nothing has asked for one for SAVE_DEBOUNCE_MS.
  saveLater() {
    if (this.saveTimer !== null) this.timers.clearTimeout(this.saveTimer);
    this.saveTimer = this.timers.setTimeout(() => {
      this.saveTimer = null;
      this.takeSnapshot();
      this.write();
    }, SAVE_DEBOUNCE_MS);
  }

  // Saves a snapshot now; resolves once it (and every save before it) is written.
  async saveNow() {
    if (this.saveTimer !== null) {
      this.timers.clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    this.takeSnapshot();
    await this.write();
  }

  takeSnapshot() {
    if (this.doc.epoch === null) return;
    this.savedSnapshot = this.doc.rga.encodeSnapshot();
    this.ownSinceSnapshot = [];
  }

  record() {
    const { epoch, replica, token, unacked } = this.doc;
    const pending = new Map();
    for (const op of this.ownSinceSnapshot) pending.set(op.seq, op);
    for (const op of unacked) pending.set(op.seq, op);
    return { epoch, replica, token,
      snapshot: this.savedSnapshot, pending: [...pending.values()].sort((a, b) => a.seq - b.seq) };
  }

  write() {
    if (this.doc.epoch === null) return this.saving;
    const record = this.record();
    this.saving = this.saving
      .then(() => this.persistence.save(this.doc.id, record))
      .catch((e) => this.onError(e));
    return this.saving;
  }
}
