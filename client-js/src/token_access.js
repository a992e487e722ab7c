// token_access.js — what a JWT access token's `docs` claim grants on one document
// (PROTOCOL.md §13), read on the client so that a read-only user is told before typing instead of
// after the server refuses the first edit (§7.8). The server stays the authority: it verifies the
// token, and a client that cannot read the claim learns its rights from the server's refusals.

// Base64url (RFC 4648 §5, padding optional) to a string of UTF-8 text; null if malformed.
function base64UrlText(padded) {
  const part = padded.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1) return null;
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (part.length % 4)) % 4);
  try {
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

// The token's `docs` claim (an object from patterns to "read" or "write"), or null when the token
// is absent, not a JWT, or its payload or claim cannot be read. The signature is not checked.
export function docsClaim(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const text = base64UrlText(parts[1]);
  if (text === null) return null;
  let payload;
  try {
    payload = JSON.parse(text);
  } catch {
    return null;
  }
  const docs = payload?.docs;
  if (docs === null || typeof docs !== 'object' || Array.isArray(docs)) return null;
  return docs;
}

// 'write', 'read' or 'none' as the server decides it (§13): the exact document id wins, else the
// longest prefix pattern `prefix*` (`*` is the empty prefix); no matching pattern is 'none'. null
// when the claim cannot be read (no token, or not a JWT the client understands).
export function tokenAccess(token, docId) {
  const docs = docsClaim(token);
  if (docs === null) return null;
  const right = (value) => (value === 'read' || value === 'write' ? value : 'none');
  if (Object.hasOwn(docs, docId)) return right(docs[docId]);
  let best = null;
  for (const [pattern, value] of Object.entries(docs)) {
    if (!pattern.endsWith('*')) continue;
    const prefix = pattern.slice(0, -1);
    if (docId.startsWith(prefix) && (best === null || prefix.length > best.prefix.length)) {
      best = { prefix, value };
    }
  }
  return best === null ? 'none' : right(best.value);
}
