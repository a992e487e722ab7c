// frames.js — the wire frames of proto/PROTOCOL.md: encode to and strictly decode from msgpack.
//
// A frame is a tagged object shaped like the "frame" JSON of proto/testdata/frames/README.md,
// with two differences that keep it usable without conversion:
//   - bytes (token, digest, snapshot bytes) are Uint8Array, not hex;
//   - ops have the replica's shape (rga_ops.js; client-js/README.md, "Replica"):
//       { type: 'insert', replica, seq, lamport, parent: [r, s], text }
//       { type: 'delete', replica, seq, lamport, targets: [[r, s, len], ...] }
//     An insert whose text is not well-formed UTF-8 (the frame decoder accepts it, the document
//     model refuses it) carries `textBytes` (Uint8Array) instead of `text`.
//
// Encoding goes through @msgpack/msgpack, which already writes the shortest int/str/bin/array/
// map headers; maps are written in the key order the spec fixes. Decoding is a hand-written
// reader because the spec's strictness cannot be had from a generic decoder: floats are never
// integers, str is never bin, every string must be well-formed UTF-8 (except insert text),
// duplicate map keys are errors, and ignored values (extra fields) are skipped without recursion.

import { Encoder } from '@msgpack/msgpack';

export class FrameError extends Error {
  // code: 'malformed_frame' | 'unknown_frame_type'
  constructor(code, message) {
    super(message);
    this.name = 'FrameError';
    this.code = code;
  }
}

export const FRAME_TYPES = Object.freeze({
  hello: 1, welcome: 2, join: 3, joined: 4, snapshot: 5, ops: 6, synced: 7, ack: 8,
  presence: 9, presences: 10, leave: 11, left: 12, digest: 13, diverged: 14, error: 15,
  refresh: 16, refreshed: 17,
});
const TYPE_NAMES = Object.fromEntries(Object.entries(FRAME_TYPES).map(([k, v]) => [v, k]));

// The welcome limits in the order the server writes them, with the spec's defaults.
export const DEFAULT_LIMITS = Object.freeze({
  max_frame_bytes: 1048576,
  max_ops_per_frame: 4096,
  max_run: 1048576,
  max_docs_per_connection: 64,
  max_frames_per_second: 500,
  presence_interval_ms: 50,
  digest_interval_ms: 1000,
  idle_timeout_ms: 20000,
  max_ops_per_second: 2000,
  max_bytes_per_second: 4194304,
  max_connections_per_ip: 64,
  max_buffered_ops: 4096,
  max_document_bytes: 67108864,
  max_outbound_bytes: 16777216,
});

const STATE_KEYS = Object.freeze(['head', 'anchor', 'name', 'color', 'typing']);
const MAX_NAME_BYTES = 64;
const MAX_COLOR_BYTES = 32;
const TWO_53 = 2 ** 53;

// ---------------------------------------------------------------------------------------------
// Encoding

// Insert text given as raw bytes: written under a str header without UTF-8 conversion.
class RawStr {
  constructor(bytes) { this.bytes = bytes; }
}

class FrameEncoder extends Encoder {
  encodeNumber(n) {
    // A next_seq may be exactly 2^53, which is not a safe integer: still a uint 64, not a float.
    if (Number.isInteger(n) && n >= TWO_53) {
      this.writeU8(0xcf);
      this.writeU64(n);
      return;
    }
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`not a protocol integer: ${n}`);
    super.encodeNumber(n);
  }

  encodeObject(object, depth) {
    if (object instanceof RawStr) {
      this.ensureBufferSizeToWrite(5 + object.bytes.length);
      this.writeStringHeader(object.bytes.length);
      this.writeU8a(object.bytes);
      return;
    }
    super.encodeObject(object, depth);
  }
}

const encoder = new FrameEncoder({ useBigInt64: false, ignoreUndefined: false });

function opValue(op) {
  if (op.type === 'insert') {
    const text = op.text !== undefined ? op.text : new RawStr(op.textBytes);
    return [1, op.replica, op.seq, op.lamport, op.parent[0], op.parent[1], text];
  }
  if (op.type === 'delete') return [2, op.replica, op.seq, op.lamport, op.targets];
  throw new TypeError(`unknown op type ${op.type}`);
}

function stateValue(s) {
  const m = {};
  if (s.head) m.head = s.head;
  if (s.anchor) m.anchor = s.anchor;
  if (s.name) m.name = s.name;
  if (s.color) m.color = s.color;
  if (s.typing) m.typing = true;
  return m;
}

function frameValue(f) {
  const t = FRAME_TYPES[f.type];
  switch (f.type) {
    case 'hello': return [t, f.version, f.client];
    case 'welcome': {
      const limits = {};
      for (const k of Object.keys(DEFAULT_LIMITS)) limits[k] = f.limits?.[k] ?? DEFAULT_LIMITS[k];
      return [t, f.version, f.server, limits];
    }
    case 'join': return [t, f.doc, f.epoch ?? null, f.replica ?? null, f.token ?? null, f.vv];
    case 'joined': return [t, f.doc, f.epoch, f.replica, f.token, f.vv, f.reset];
    case 'snapshot': return [t, f.doc, f.offset, f.total, f.bytes];
    case 'ops': return [t, f.doc, f.ops.map(opValue)];
    case 'synced': case 'digest': case 'diverged': return [t, f.doc, f.vv, f.digest];
    case 'ack': return [t, f.doc, f.next_seq];
    case 'presence': return [t, f.doc, stateValue(f.state)];
    case 'presences':
      return [t, f.doc, f.entries.map(([r, s]) => [r, s ? stateValue(s) : null])];
    case 'leave': case 'left': return [t, f.doc];
    case 'error': return [t, f.code, f.name, f.message, f.doc ?? null, f.op ?? null];
    case 'refresh': return [t, f.token];
    case 'refreshed': return [t, f.expires ?? null];
    default: throw new TypeError(`unknown frame type ${f.type}`);
  }
}

export function encodeFrame(frame) {
  return encoder.encode(frameValue(frame));
}

// The encoded size of one op inside an ops frame (for splitting work below max_frame_bytes).
export function opByteLength(op) {
  return encoder.encodeSharedRef(opValue(op)).length;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(message) {
  throw new FrameError('malformed_frame', message);
}

// Reads msgpack values one header at a time. `where` strings name the field for messages.
class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }

  remaining() { return this.bytes.length - this.pos; }

  need(n, where) {
    if (n > this.remaining()) fail(`${where}: truncated (${n} bytes declared, ${this.remaining()} left)`);
  }

  u8(where) { this.need(1, where); return this.bytes[this.pos++]; }
  u16(where) { this.need(2, where); const v = this.view.getUint16(this.pos); this.pos += 2; return v; }
  u32(where) { this.need(4, where); const v = this.view.getUint32(this.pos); this.pos += 4; return v; }
  take(n, where) {
    this.need(n, where);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  // The next value's header: { kind, value | len }. Payloads of str/bin/ext are consumed
  // lazily by the caller through `len`; containers report their element count.
  header(where) {
    const b = this.u8(where);
    if (b <= 0x7f) return { kind: 'int', value: b };
    if (b >= 0xe0) return { kind: 'int', value: b - 0x100 };
    if (b >= 0x80 && b <= 0x8f) return { kind: 'map', len: b & 0x0f };
    if (b >= 0x90 && b <= 0x9f) return { kind: 'array', len: b & 0x0f };
    if (b >= 0xa0 && b <= 0xbf) return { kind: 'str', len: b & 0x1f };
    switch (b) {
      case 0xc0: return { kind: 'nil' };
      case 0xc2: return { kind: 'bool', value: false };
      case 0xc3: return { kind: 'bool', value: true };
      case 0xc4: return { kind: 'bin', len: this.u8(where) };
      case 0xc5: return { kind: 'bin', len: this.u16(where) };
      case 0xc6: return { kind: 'bin', len: this.u32(where) };
      case 0xc7: return { kind: 'ext', len: this.u8(where) + 1 };
      case 0xc8: return { kind: 'ext', len: this.u16(where) + 1 };
      case 0xc9: return { kind: 'ext', len: this.u32(where) + 1 };
      case 0xca: this.take(4, where); return { kind: 'float' };
      case 0xcb: this.take(8, where); return { kind: 'float' };
      case 0xcc: return { kind: 'int', value: this.u8(where) };
      case 0xcd: return { kind: 'int', value: this.u16(where) };
      case 0xce: return { kind: 'int', value: this.u32(where) };
      case 0xcf: { const hi = this.u32(where); return { kind: 'int', value: hi * 2 ** 32 + this.u32(where) }; }
      case 0xd0: { this.need(1, where); const v = this.view.getInt8(this.pos); this.pos += 1; return { kind: 'int', value: v }; }
      case 0xd1: { this.need(2, where); const v = this.view.getInt16(this.pos); this.pos += 2; return { kind: 'int', value: v }; }
      case 0xd2: { this.need(4, where); const v = this.view.getInt32(this.pos); this.pos += 4; return { kind: 'int', value: v }; }
      case 0xd3: {
        const hi = this.u32(where);
        const lo = this.u32(where);
        // Only the sign and "too large" matter: no valid field needs more than 2^53.
        return { kind: 'int', value: hi >= 0x80000000 ? -1 : hi * 2 ** 32 + lo };
      }
      case 0xd4: return { kind: 'ext', len: 2 };
      case 0xd5: return { kind: 'ext', len: 3 };
      case 0xd6: return { kind: 'ext', len: 5 };
      case 0xd7: return { kind: 'ext', len: 9 };
      case 0xd8: return { kind: 'ext', len: 17 };
      case 0xd9: return { kind: 'str', len: this.u8(where) };
      case 0xda: return { kind: 'str', len: this.u16(where) };
      case 0xdb: return { kind: 'str', len: this.u32(where) };
      case 0xdc: return { kind: 'array', len: this.u16(where) };
      case 0xdd: return { kind: 'array', len: this.u32(where) };
      case 0xde: return { kind: 'map', len: this.u16(where) };
      case 0xdf: return { kind: 'map', len: this.u32(where) };
      default: fail(`${where}: reserved byte 0x${b.toString(16)}`);
    }
  }

  // Skips one complete value of any shape, iteratively (attacker-chosen depth costs no stack).
  skip(where) {
    let pending = 1;
    while (pending > 0) {
      pending--;
      const h = this.header(where);
      if (h.kind === 'array') { this.need(h.len, where); pending += h.len; }
      else if (h.kind === 'map') { this.need(2 * h.len, where); pending += 2 * h.len; }
      else if (h.kind === 'str' || h.kind === 'bin' || h.kind === 'ext') this.take(h.len, where);
    }
  }

  uint(where) {
    const h = this.header(where);
    if (h.kind !== 'int') fail(`${where}: expected an integer, got ${h.kind}`);
    if (h.value < 0) fail(`${where}: negative integer`);
    if (h.value > TWO_53) fail(`${where}: integer above 2^53`);
    return h.value;
  }

  strBytes(where) {
    const h = this.header(where);
    if (h.kind !== 'str') fail(`${where}: expected a str, got ${h.kind}`);
    return this.take(h.len, where);
  }

  str(where) {
    const bytes = this.strBytes(where);
    try {
      return utf8.decode(bytes);
    } catch {
      fail(`${where}: invalid UTF-8`);
    }
  }

  bin(where, exact) {
    const h = this.header(where);
    if (h.kind !== 'bin') fail(`${where}: expected a bin, got ${h.kind}`);
    if (exact !== undefined && h.len !== exact) fail(`${where}: expected ${exact} bytes, got ${h.len}`);
    return this.take(h.len, where).slice();
  }

  bool(where) {
    const h = this.header(where);
    if (h.kind !== 'bool') fail(`${where}: expected a bool, got ${h.kind}`);
    return h.value;
  }

  isNil() {
    if (this.pos < this.bytes.length && this.bytes[this.pos] === 0xc0) { this.pos++; return true; }
    return false;
  }

  // Reads an array header of at least `min` elements; returns the count of extra elements.
  array(where, min) {
    const h = this.header(where);
    if (h.kind !== 'array') fail(`${where}: expected an array, got ${h.kind}`);
    this.need(h.len, where);
    if (h.len < min) fail(`${where}: ${h.len} elements, need ${min}`);
    return h.len;
  }

  map(where) {
    const h = this.header(where);
    if (h.kind !== 'map') fail(`${where}: expected a map, got ${h.kind}`);
    this.need(2 * h.len, where);
    return h.len;
  }

  skipExtra(n, where) {
    for (let i = 0; i < n; i++) this.skip(where);
  }

  // A fixed-shape array: reads `min` elements with `fn` and skips any extra ones.
  tuple(where, min, fn) {
    const n = this.array(where, min);
    const out = fn();
    this.skipExtra(n - min, where);
    return out;
  }

  vv(where) {
    const n = this.array(where, 0);
    const vv = [];
    for (let i = 0; i < n; i++) {
      const w = `${where}: entry ${i}`;
      const entry = this.tuple(w, 2, () => [this.uint(w), this.uint(w)]);
      if (entry[0] === 0) fail(`${w}: replica 0`);
      if (entry[1] < 1) fail(`${w}: next_seq 0`);
      if (i > 0 && entry[0] <= vv[i - 1][0]) {
        fail(`${w}: replicas not strictly ascending (${entry[0]} after ${vv[i - 1][0]})`);
      }
      vv.push(entry);
    }
    return vv;
  }

  anchor(where) {
    return this.tuple(where, 3, () => {
      const a = [this.uint(where), this.uint(where), this.uint(where)];
      if (a[2] > 1) fail(`${where}: side ${a[2]}`);
      return a;
    });
  }

  op(where) {
    const n = this.array(where, 1);
    const kind = this.uint(`${where}: kind`);
    let op;
    if (kind === 1) {
      if (n < 7) fail(`${where}: insert has ${n} elements, need 7`);
      op = { type: 'insert', replica: this.uint(where), seq: this.uint(where),
        lamport: this.uint(where), parent: [this.uint(where), this.uint(where)] };
      const bytes = this.strBytes(`${where}: text`);
      try {
        op.text = utf8.decode(bytes);
      } catch {
        op.textBytes = bytes.slice();
      }
      this.skipExtra(n - 7, where);
    } else if (kind === 2) {
      if (n < 5) fail(`${where}: delete has ${n} elements, need 5`);
      op = { type: 'delete', replica: this.uint(where), seq: this.uint(where),
        lamport: this.uint(where), targets: [] };
      const count = this.array(`${where}: targets`, 0);
      for (let i = 0; i < count; i++) {
        const w = `${where}: target ${i}`;
        op.targets.push(this.tuple(w, 3, () => [this.uint(w), this.uint(w), this.uint(w)]));
      }
      this.skipExtra(n - 5, where);
    } else {
      fail(`${where}: unknown op kind ${kind}`);
    }
    return op;
  }

  // A presence state map (5.9); keys not given come back as their "unset" values.
  state(where) {
    const n = this.map(where);
    const s = { head: null, anchor: null, name: '', color: '', typing: false };
    const seen = new Set();
    for (let i = 0; i < n; i++) {
      const key = this.str(`${where}: key ${i}`);
      const w = `${where}: ${key}`;
      // An unknown key is skipped whatever its value and however often it appears (§3).
      if (!STATE_KEYS.includes(key)) { this.skip(w); continue; }
      if (seen.has(key)) fail(`${where}: key ${key} given twice`);
      seen.add(key);
      if (this.isNil()) continue;
      if (key === 'head' || key === 'anchor') s[key] = this.anchor(w);
      else if (key === 'typing') s.typing = this.bool(w);
      else {
        const max = key === 'name' ? MAX_NAME_BYTES : MAX_COLOR_BYTES;
        const before = this.pos;
        const len = this.strBytes(w).length;
        if (len > max) fail(`${w}: ${len} bytes, at most ${max}`);
        this.pos = before;
        s[key] = this.str(w);
      }
    }
    return s;
  }

  limits(where) {
    const n = this.map(where);
    const limits = { ...DEFAULT_LIMITS };
    const seen = new Set();
    for (let i = 0; i < n; i++) {
      const key = this.str(`${where}: key ${i}`);
      if (!Object.hasOwn(DEFAULT_LIMITS, key)) { this.skip(`${where}: ${key}`); continue; }
      if (seen.has(key)) fail(`${where}: key ${key} given twice`);
      seen.add(key);
      limits[key] = this.uint(`${where}: ${key}`);
    }
    return limits;
  }
}

const NEED_FIELDS = { hello: 2, welcome: 3, join: 5, joined: 6, snapshot: 4, ops: 2, synced: 3,
  ack: 2, presence: 2, presences: 2, leave: 1, left: 1, digest: 3, diverged: 3, error: 5,
  refresh: 1, refreshed: 1 };

function readFields(r, name) {
  const f = (i, n) => `${name}: field ${i} (${n})`;
  const nilOr = (fn) => (r.isNil() ? null : fn());
  switch (name) {
    case 'hello': return { version: r.uint(f(1, 'version')), client: r.str(f(2, 'client')) };
    case 'welcome': return { version: r.uint(f(1, 'version')), server: r.str(f(2, 'server')),
      limits: r.limits(f(3, 'limits')) };
    case 'join': {
      const out = { doc: r.str(f(1, 'doc')), epoch: nilOr(() => r.uint(f(2, 'epoch'))),
        replica: nilOr(() => r.uint(f(3, 'replica'))), token: nilOr(() => r.bin(f(4, 'token'), 16)),
        vv: r.vv(f(5, 'vv')) };
      if (out.epoch === null && out.vv.length > 0) fail(`${f(5, 'vv')}: non-empty without an epoch`);
      return out;
    }
    case 'joined': return { doc: r.str(f(1, 'doc')), epoch: r.uint(f(2, 'epoch')),
      replica: r.uint(f(3, 'replica')), token: r.bin(f(4, 'token'), 16), vv: r.vv(f(5, 'vv')),
      reset: r.bool(f(6, 'reset')) };
    case 'snapshot': {
      const out = { doc: r.str(f(1, 'doc')), offset: r.uint(f(2, 'offset')),
        total: r.uint(f(3, 'total')), bytes: r.bin(f(4, 'bytes')) };
      if (out.offset + out.bytes.length > out.total) fail(`${f(4, 'bytes')}: past total`);
      return out;
    }
    case 'ops': {
      const doc = r.str(f(1, 'doc'));
      const n = r.array(f(2, 'ops'), 0);
      const ops = [];
      for (let i = 0; i < n; i++) ops.push(r.op(`${f(2, 'ops')}: op ${i}`));
      return { doc, ops };
    }
    case 'synced': case 'digest': case 'diverged':
      return { doc: r.str(f(1, 'doc')), vv: r.vv(f(2, 'vv')), digest: r.bin(f(3, 'digest'), 8) };
    case 'ack': return { doc: r.str(f(1, 'doc')), next_seq: r.uint(f(2, 'next_seq')) };
    case 'presence': return { doc: r.str(f(1, 'doc')), state: r.state(f(2, 'state')) };
    case 'presences': {
      const doc = r.str(f(1, 'doc'));
      const n = r.array(f(2, 'entries'), 0);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const w = `${f(2, 'entries')}: entry ${i}`;
        entries.push(r.tuple(w, 2, () => [r.uint(w), nilOr(() => r.state(w))]));
      }
      return { doc, entries };
    }
    case 'leave': case 'left': return { doc: r.str(f(1, 'doc')) };
    case 'error': return { code: r.uint(f(1, 'code')), name: r.str(f(2, 'name')),
      message: r.str(f(3, 'message')), doc: nilOr(() => r.str(f(4, 'doc'))),
      op: nilOr(() => r.tuple(f(5, 'op'), 2, () => [r.uint(f(5, 'op')), r.uint(f(5, 'op'))])) };
    case 'refresh': return { token: r.str(f(1, 'token')) };
    case 'refreshed': return { expires: nilOr(() => r.uint(f(1, 'expires'))) };
    default: throw new Error(`unreachable: ${name}`);
  }
}

// Decodes one message. Throws FrameError('malformed_frame' | 'unknown_frame_type').
export function decodeFrame(input) {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const r = new Reader(bytes);
  const n = r.array('frame', 1);
  const th = r.header('frame: type');
  if (th.kind !== 'int') fail(`frame: type is ${th.kind}, not an integer`);
  if (th.value < 0) fail('frame: negative type');
  const name = TYPE_NAMES[th.value];
  if (!name) {
    r.skipExtra(n - 1, 'frame');
    if (r.remaining() > 0) fail('frame: bytes after the frame');
    throw new FrameError('unknown_frame_type', `unknown frame type ${th.value}`);
  }
  const need = NEED_FIELDS[name];
  if (n - 1 < need) fail(`${name}: ${n - 1} fields, need ${need}`);
  const frame = { type: name, ...readFields(r, name) };
  r.skipExtra(n - 1 - need, name);
  if (r.remaining() > 0) fail(`${name}: ${r.remaining()} bytes after the frame`);
  return frame;
}
