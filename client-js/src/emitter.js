// emitter.js — Emitter: a minimal event emitter, the same in browsers and Node, behind
// WeftClient's and DocHandle's on/off.
//
// A listener that throws must not break the edit or sync step that emitted the event: its error
// is rethrown on its own task, so it still reaches the console or the test runner. Listeners
// added or removed during an emit take effect from the next emit.

export class Emitter {
  constructor() {
    this.listeners = new Map();
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    return this;
  }

  off(event, fn) {
    this.listeners.get(event)?.delete(fn);
    return this;
  }

  emit(event, ...args) {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        fn(...args);
      } catch (e) {
        setTimeout(() => { throw e; }, 0);
      }
    }
  }
}
