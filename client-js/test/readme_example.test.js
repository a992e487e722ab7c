// readme_example.test.js — the client as a library for Node programs (README.md "In a Node
// program"): the README's example, run as written against the real weft-server in a plain `node`
// (no --experimental-websocket, so on Node 18 and 20 the default socket is the `ws` package's),
// and the WebSocket choice behind it (`#websocket`): Node's own class where there is one, `ws`
// otherwise, and never `ws` in the browser bundle.
//
// Needs the server binary ($WEFT_SERVER_BIN, default build/release/server/weft-server).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket as WsWebSocket } from 'ws';
import { WeftClient } from '../src/client.js';
import { startServer } from './support/server.js';

const clientDir = resolve(fileURLToPath(new URL('..', import.meta.url)));
const nodeMajor = Number(process.versions.node.split('.')[0]);

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

// The one ```js block of the README's "### In a Node program" section, byte for byte.
function readmeExample() {
  const readme = readFileSync(join(clientDir, 'README.md'), 'utf8');
  const section = readme.split(/^### In a Node program$/m)[1]?.split(/^#{2,3} /m)[0];
  assert.ok(section, 'README.md has a "### In a Node program" section');
  const blocks = [...section.matchAll(/^```js\n([\s\S]*?)^```$/gm)];
  assert.equal(blocks.length, 1, 'the section has exactly one js example');
  return blocks[0][1];
}

// Runs the example as a program inside client-js/, where `import ... from 'weft-client'` resolves
// to this package (Node's self-reference through package.json "exports"), as it would for a
// program that installed it. Plain `node` unless `nodeArgs` say otherwise; NODE_OPTIONS is
// dropped so a flag set for the test runner cannot leak in.
function runExample(nodeArgs = []) {
  const dir = mkdtempSync(join(clientDir, '.readme-example-'));
  const file = join(dir, 'example.mjs');
  writeFileSync(file, readmeExample());
  const env = { ...process.env, WEFT_URL: server.url };
  delete env.NODE_OPTIONS;
  return new Promise((ok) => {
    execFile(process.execPath, [...nodeArgs, file], { env, timeout: 20000 }, (error, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      ok({ error, stdout, stderr });
    });
  }).then((r) => {
    assert.equal(r.error, null, `the example failed: ${r.error?.message}\n${r.stderr}`);
    return r.stdout;
  });
}

// The text of `docId` as a fresh client reads it from the server.
async function serverText(docId) {
  const client = new WeftClient({ url: server.url, name: 'readme-check' });
  try {
    const doc = await client.open(docId);
    assert.equal(doc.status, 'synced');
    return doc.text();
  } finally {
    client.close();
  }
}

test('the README example runs as written on plain node, and its edit is on the server', async () => {
  assert.equal(await runExample(), 'hello from Node\n');
  assert.equal(await serverText('notes'), 'hello from Node\n');
  assert.equal(await runExample(), 'hello from Node\nhello from Node\n');
  assert.equal(await serverText('notes'), 'hello from Node\nhello from Node\n');
});

// Node 22's global WebSocket is the one --experimental-websocket turns on in Node 20 and 21.
test('the README example runs on Node\'s own WebSocket too', { skip: nodeMajor !== 20 && nodeMajor !== 21 && 'no --experimental-websocket here' }, async () => {
  const earlier = await serverText('notes');
  assert.equal(await runExample(['--experimental-websocket']), `${earlier}hello from Node\n`);
});

test('the default WebSocket is the global one where there is one, else the ws package\'s', (t) => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
  t.after(() => {
    if (saved) Object.defineProperty(globalThis, 'WebSocket', saved);
    else delete globalThis.WebSocket;
  });
  delete globalThis.WebSocket;
  assert.equal(new WeftClient({ url: server.url }).WebSocket, WsWebSocket);
  class Global {}
  globalThis.WebSocket = Global;
  assert.equal(new WeftClient({ url: server.url }).WebSocket, Global);
  class Mine {}
  assert.equal(new WeftClient({ url: server.url, WebSocket: Mine }).WebSocket, Mine);
  assert.throws(() => new WeftClient({ url: server.url, WebSocket: null }), TypeError);
});

// What esbuild takes for a bundle of the library on each platform (build.mjs bundles the editor,
// which imports the library, for browsers).
async function bundleInputs(platform) {
  const { build } = await import('esbuild');
  const r = await build({ entryPoints: [join(clientDir, 'src/index.js')], bundle: true, format: 'esm',
    platform, write: false, metafile: true, logLevel: 'silent', absWorkingDir: clientDir });
  return Object.keys(r.metafile.inputs);
}

test('the browser bundle uses the global WebSocket and contains no ws', async () => {
  const browser = await bundleInputs('browser');
  assert.ok(browser.includes('src/websocket_browser.js'), browser.join('\n'));
  assert.deepEqual(browser.filter((f) => /websocket_node|node_modules\/ws\//.test(f)), []);
  const node = await bundleInputs('node');
  assert.ok(node.includes('src/websocket_node.js'), node.join('\n'));
  assert.ok(node.some((f) => f.startsWith('node_modules/ws/')), node.join('\n'));
});
