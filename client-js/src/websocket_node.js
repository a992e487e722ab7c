// websocket_node.js — the WebSocket class WeftClient uses in Node when none is passed: Node's own
// where it has one (22 and later; 20 only with --experimental-websocket), else the `ws` package's
// (18, 20), which has the same onopen/onmessage/onclose/send/close/binaryType surface.
//
// package.json's "imports" maps '#websocket' here under the "node" condition, so the browser
// bundle resolves websocket_browser.js instead and never contains `ws`.

import { WebSocket as WsWebSocket } from 'ws';

// Looked up at each call, not at import, so a program that installs a global WebSocket after
// importing the client still gets it.
export function defaultWebSocket() {
  return globalThis.WebSocket ?? WsWebSocket;
}
