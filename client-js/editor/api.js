// api.js — the editor's calls to the server's HTTP API (docs/http-api.md): JSON in and out, the
// page's access token sent as `Authorization: Bearer`, and refusals turned into ApiError with a
// sentence a user can act on instead of a broken page.

// The access token (PROTOCOL.md §13) the page was opened with (`?token=JWT`), as the editor's
// WebSocket uses it; null without one.
export function pageToken() {
  return new URLSearchParams(location.search).get('token');
}

// `path` with the page's token kept, so that a link to another page of the editor works the same.
export function withToken(path) {
  const token = pageToken();
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

// What to tell the user about a failed call.
export function describeApiError(error) {
  if (!(error instanceof ApiError)) return 'Could not reach the server. Check the connection and try again.';
  if (error.status === 401) return 'The server needs a valid access token: open this page with the link (and its token) you were given.';
  if (error.status === 403) return 'Your access token does not allow this.';
  if (error.status === 404) return `Not found: ${error.message}`;
  if (error.status >= 500) return `The server could not answer (${error.status}): ${error.message}`;
  return error.message;
}

// Calls `path` (e.g. `/api/docs?limit=50`) and resolves to the answer's JSON; rejects with
// ApiError on any status but 2xx, or a TypeError when the server cannot be reached.
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json' };
  const token = pageToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;  // a plain-text refusal (400, 413) or an empty body
  }
  if (!response.ok) {
    const error = data?.error;
    throw new ApiError(response.status, error?.code ?? 'http_error',
      error?.message ?? `${response.status} ${response.statusText}`.trim());
  }
  return data;
}

// `/api/docs/ID` + rest, with the id encoded.
export function docPath(docId, rest = '') {
  return `/api/docs/${encodeURIComponent(docId)}${rest}`;
}
