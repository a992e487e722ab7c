// frames.test.js — the JS codec against proto/testdata/frames (golden vectors) and the digest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeFrame, encodeFrame, FrameError, opByteLength } from '../src/frames.js';
import { textDigest, toHex } from '../src/digest.js';

const vectors = JSON.parse(readFileSync(
  new URL('../../proto/testdata/frames/frames.json', import.meta.url), 'utf8'));

const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

// The vectors' JSON form of a decoded frame: bytes as hex, ops as {insert: {...}}.
function describe(value) {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(describe);
  if (value && typeof value === 'object') {
    if (value.type === 'insert' || value.type === 'delete') {
      const { type, textBytes, ...rest } = value;
      const body = describe(rest);
      if (textBytes) body.text_hex = toHex(textBytes);
      return { [type]: body };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, describe(v)]));
  }
  return value;
}

test('the vector file has valid and invalid cases', () => {
  assert.ok(vectors.filter((c) => c.frame).length > 30);
  assert.ok(vectors.filter((c) => c.error).length > 50);
});

for (const c of vectors.filter((v) => v.frame)) {
  test(`valid vector ${c.name} decodes${c.canonical ? ' and re-encodes byte for byte' : ''}`, () => {
    const frame = decodeFrame(fromHex(c.hex));
    assert.deepEqual(describe(frame), c.frame);
    const again = encodeFrame(frame);
    if (c.canonical) assert.equal(toHex(again), c.hex);
    else assert.deepEqual(describe(decodeFrame(again)), c.frame);
  });
}

for (const c of vectors.filter((v) => v.error)) {
  test(`invalid vector ${c.name} is refused with ${c.error}`, () => {
    assert.throws(() => decodeFrame(fromHex(c.hex)), (e) => {
      assert.ok(e instanceof FrameError, `${e}`);
      assert.equal(e.code, c.error, e.message);
      return true;
    });
  });
}

test('a next_seq of exactly 2^53 encodes as uint 64 and decodes back', () => {
  const bytes = encodeFrame({ type: 'ack', doc: 'a', next_seq: 2 ** 53 });
  assert.equal(toHex(bytes), '9308a161cf0020000000000000');
  assert.equal(decodeFrame(bytes).next_seq, 2 ** 53);
});

test('opByteLength is the size of the op inside an ops frame', () => {
  const op = { type: 'insert', replica: 1, seq: 0, lamport: 1, parent: [0, 0], text: 'hello' };
  const frame = encodeFrame({ type: 'ops', doc: 'notes', ops: [op] });
  assert.equal(opByteLength(op), frame.length - 9);   // 93 06 a5 "notes" 91
});

test('digest matches the test values of PROTOCOL.md §4', () => {
  assert.equal(toHex(textDigest('')), 'cbf29ce484222325');
  assert.equal(toHex(textDigest('a')), 'af63dc4c8601ec8c');
  assert.equal(toHex(textDigest('hello')), 'a430d84680aabd0b');
  assert.equal(toHex(textDigest('hé')), '3130f1192e1ad66f');
});
