// token_access.test.js — the client's reading of its token's `docs` claim (src/token_access.js)
// follows the server's rule (PROTOCOL.md §13; server/base/principal.cpp): the exact id, else the
// longest `prefix*`, else none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docsClaim, tokenAccess } from '../src/token_access.js';

// An unsigned JWT with this payload: the client never checks signatures.
const token = (payload) => ['{"alg":"HS256"}', JSON.stringify(payload), 'sig']
  .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part)).join('.');

test('an exact document id wins over every pattern', () => {
  const t = token({ docs: { '*': 'write', 'no*': 'write', notes: 'read' } });
  assert.equal(tokenAccess(t, 'notes'), 'read');
});

test('the longest matching prefix pattern wins, whatever the claim order', () => {
  const t = token({ docs: { 'team-a*': 'read', '*': 'write', 'team-*': 'write' } });
  assert.equal(tokenAccess(t, 'team-a-plan'), 'read');
  assert.equal(tokenAccess(t, 'team-b-plan'), 'write');
  assert.equal(tokenAccess(t, 'other'), 'write');
});

test('a document no pattern matches has no access', () => {
  assert.equal(tokenAccess(token({ docs: { 'team-*': 'write' } }), 'other'), 'none');
  assert.equal(tokenAccess(token({ docs: {} }), 'other'), 'none');
});

test('an id that only looks like a pattern is not one', () => {
  // "notes" matches "notes" exactly; "note" does not match the exact id "notes".
  assert.equal(tokenAccess(token({ docs: { notes: 'read' } }), 'note'), 'none');
});

test('a claim the client cannot read leaves the rights to the server (null)', () => {
  assert.equal(tokenAccess(null, 'notes'), null);
  assert.equal(tokenAccess('not a jwt', 'notes'), null);
  assert.equal(tokenAccess('a.!!!.c', 'notes'), null);
  assert.equal(tokenAccess(token({ sub: 'ada' }), 'notes'), null);
  assert.equal(tokenAccess(token({ docs: ['notes'] }), 'notes'), null);
  assert.equal(tokenAccess(`x.${Buffer.from('{"docs":').toString('base64url')}.y`, 'notes'), null);
  // Payload bytes that are not UTF-8.
  assert.equal(tokenAccess(`x.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.y`, 'notes'), null);
});

test('the claim is read from padded and unpadded base64url, with non-ASCII ids', () => {
  // A `sub` of the length that makes the payload's base64url need padding.
  const t = ['a', 'ab', 'abc'].map((sub) => token({ sub, docs: { 'ça*': 'read' } }))
    .find((candidate) => candidate.split('.')[1].length % 4 !== 0);
  assert.deepEqual(docsClaim(t), { 'ça*': 'read' });
  const [h, p, s] = t.split('.');
  const padded = `${h}.${p}${'='.repeat((4 - (p.length % 4)) % 4)}.${s}`;
  assert.notEqual(padded, t);
  assert.equal(tokenAccess(padded, 'ça-va'), 'read');
  assert.equal(tokenAccess(t, 'ça-va'), 'read');
});
