// persistence_idb.js — the browser persistence: one IndexedDB object store keyed by doc id.
//
// Same interface and record as MemoryPersistence (persistence.js). Records hold only
// structured-clonable values (numbers, arrays, Uint8Array), so they are stored as they are.

export class IndexedDbPersistence {
  constructor({ name = 'weft', indexedDB = globalThis.indexedDB } = {}) {
    this.name = name;
    this.idb = indexedDB;
    this.db = null;
  }

  open() {
    if (!this.db) {
      this.db = new Promise((resolve, reject) => {
        const req = this.idb.open(this.name, 1);
        req.onupgradeneeded = () => req.result.createObjectStore('docs');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return this.db;
  }

  async request(mode, fn) {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction('docs', mode);
      const req = fn(tx.objectStore('docs'));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  async load(docId) {
    return (await this.request('readonly', (s) => s.get(docId))) ?? null;
  }

  save(docId, record) {
    return this.request('readwrite', (s) => s.put(record, docId));
  }

  remove(docId) {
    return this.request('readwrite', (s) => s.delete(docId));
  }

  list() {
    return this.request('readonly', (s) => s.getAllKeys());
  }
}
