// fake_client.js — a stand-in for src/index.js with the same API, for working on the editor
// without a server (WEFT_EDITOR_FAKE=1 node build.mjs). One local document; tests inject
// remote changes and presence through window.weftFake.
class Emitter {
  constructor() {
    this.listeners = new Map();
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
  }

  off(event, fn) {
    this.listeners.get(event)?.delete(fn);
  }

  emit(event, value) {
    for (const fn of this.listeners.get(event) ?? []) fn(value);
  }
}

class FakeDocHandle extends Emitter {
  constructor(id) {
    super();
    this.id = id;
    this.replica = 1;
    this.value = '';
    this.status = 'synced';
    this.presence = new Map([[2, { name: 'Robot', color: '#e0457b', head16: 0, anchor16: 0 }]]);
  }

  text() { return this.value; }
  get length16() { return this.value.length; }

  insert(off16, text) {
    if (off16 < 0 || off16 > this.value.length) throw new Error('position_out_of_range');
    this.value = this.value.slice(0, off16) + text + this.value.slice(off16);
    this.saving();
  }

  delete(off16, len16) {
    if (off16 < 0 || off16 + len16 > this.value.length) throw new Error('position_out_of_range');
    this.value = this.value.slice(0, off16) + this.value.slice(off16 + len16);
    this.saving();
  }

  saving() {
    this.status = 'unsaved';
    this.emit('status', 'unsaved');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.status = 'synced';
      this.emit('status', 'synced');
    }, 300);
  }

  // changes: [{ from, to, insert }], each valid after the previous one.
  remote(changes) {
    for (const { from, to, insert } of changes) {
      this.value = this.value.slice(0, from) + insert + this.value.slice(to);
    }
    this.emit('change', { changes, origin: 'remote' });
  }

  setPresence(state) {
    this.own = state;
  }

  close() {}
}

export class IndexedDbPersistence {}

export class WeftClient extends Emitter {
  constructor(options) {
    super();
    this.options = options;
  }

  async open(id) {
    const handle = new FakeDocHandle(id);
    globalThis.weftFake = handle;
    return handle;
  }

  close() {}
}
