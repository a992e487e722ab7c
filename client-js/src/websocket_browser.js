// websocket_browser.js — the WebSocket class WeftClient uses when none is passed, everywhere but
// Node: the global one (browsers, Deno, Bun). websocket_node.js is its Node twin; package.json's
// "imports" picks between them for '#websocket'.

export function defaultWebSocket() {
  return globalThis.WebSocket;
}
