// jwt.mjs — HS256 tokens for scenarios that run the server with a JWT secret (PROTOCOL.md §13).

import { createHmac } from 'node:crypto';

const b64 = (s) => Buffer.from(s).toString('base64url');

// A token for user `sub` with the rights `docs` ({ pattern: 'read' | 'write' }), valid for 1 h.
export function hs256Token(secret, sub, docs) {
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + 3600, docs }));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
