// index.js — the public API of the Weft JS client.

export { WeftClient } from './client.js';
export { DocHandle } from './doc.js';
export { Rga, RgaError } from './rga.js';
export { MemoryPersistence } from './persistence.js';
export { IndexedDbPersistence } from './persistence_idb.js';
export { Backoff } from './backoff.js';
export { encodeFrame, decodeFrame, FrameError, FRAME_TYPES, DEFAULT_LIMITS } from './frames.js';
export { textDigest } from './digest.js';
export { tokenAccess } from './token_access.js';
