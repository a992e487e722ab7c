// home.test.js — who is offered "Delete" in the home page's server list (editor/home.js): the
// token's `docs` claim as the server applies it; without a readable token, everyone (the server
// decides and a refusal is shown).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayWrite } from '../editor/home.js';

function token(docs) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'HS256' })}.${b64({ sub: 'u', docs })}.sig`;
}

test('delete is offered to writers only', () => {
  assert.equal(mayWrite('notes', null), true, 'no token: development mode, the server decides');
  assert.equal(mayWrite('notes', 'not-a-jwt'), true, 'an unreadable token: the server decides');
  assert.equal(mayWrite('notes', token({ '*': 'write' })), true);
  assert.equal(mayWrite('notes', token({ '*': 'read' })), false);
  assert.equal(mayWrite('team-notes', token({ '*': 'read', 'team-*': 'write' })), true);
  assert.equal(mayWrite('other', token({ '*': 'read', 'team-*': 'write' })), false);
  assert.equal(mayWrite('notes', token({ notes: 'read', '*': 'write' })), false, 'the exact id wins');
});
