// editor.e2e.mjs — the browser editor end to end: two Chromium contexts on one document
// against the real weft-server. Run from client-js/: `node test/browser/editor.e2e.mjs`.
//
// Env: WEFT_SERVER_BIN (default <repo>/build/release/server/weft-server), CHROMIUM
// (default /usr/bin/chromium), WEFT_SKIP_BUILD=1 to reuse public/build/.
// Writes <repo>/test-results/browser/two-windows.png (and one PNG per window).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import {
  converge, jwt, liveText, run, startProxy, startServer, statusOf, waitForStatus,
} from './support.mjs';

const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repo = path.dirname(clientDir);
const serverBin = process.env.WEFT_SERVER_BIN
  ?? path.join(repo, 'build/release/server/weft-server');
const outDir = path.join(repo, 'test-results/browser');
const docId = `e2e-${Date.now().toString(36)}`;

// Chromium logs a refused WebSocket handshake as a console error; only that, and only while
// a test has cut the connection on purpose, is not a failure.
const expectedWhileOffline = /WebSocket connection to .* failed/;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function waitForText(page, predicate, timeout = 15000) {
  await page.waitForFunction(predicate, undefined, { timeout, polling: 50 });
}

// A throwaway self-signed certificate for 127.0.0.1 in `dir` (the openssl command line).
function makeCertificate(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

async function openEditor(context, base, errors, label) {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (errors.offline && expectedWhileOffline.test(message.text())) {
      errors.expected += 1;
      return;
    }
    errors.list.push(`${label} console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.list.push(`${label} pageerror: ${error.message}`));
  await page.goto(`${base}/d/${docId}`);
  await page.waitForSelector('.cm-content');
  await waitForStatus(page, 'Saved');
  return page;
}

async function typeAt(page, key, words) {
  await page.click('.cm-content');
  await page.keyboard.press(key);
  await page.keyboard.type(words, { delay: 15 });
}

async function sideBySide(browser, pages, file) {
  const shots = [];
  for (const [index, page] of pages.entries()) {
    const png = await page.screenshot();
    writeFileSync(path.join(outDir, `window-${index + 1}.png`), png);
    shots.push(png.toString('base64'));
  }
  const canvas = await browser.newPage({ viewport: { width: 1300, height: 560 } });
  await canvas.setContent(`<body style="margin:0;display:flex;gap:20px;padding:10px;
      background:#5b6470">${shots.map((s) => `<img style="width:630px;
      box-shadow:0 2px 8px #0006" src="data:image/png;base64,${s}">`).join('')}</body>`);
  await canvas.waitForFunction(() => [...document.images].every((img) => img.complete));
  await canvas.screenshot({ path: file });
  await canvas.close();
}

async function main() {
  if (process.env.WEFT_SKIP_BUILD !== '1') {
    execFileSync(process.execPath, ['build.mjs'], { cwd: clientDir, stdio: 'inherit' });
  }
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'weft-e2e-'));
  let server = await startServer({ bin: serverBin, staticDir: path.join(clientDir, 'public'), data: dataDir });
  const proxy = await startProxy(server.port);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // playwright gives each launch a fresh temporary profile (it refuses --user-data-dir here).
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const errors = { list: [], offline: false, expected: 0 };
  const viewport = { width: 900, height: 520 };
  const ctxA = await browser.newContext({ viewport });
  const ctxB = await browser.newContext({ viewport });
  await ctxA.addInitScript(() => {
    localStorage.setItem('weft.name', 'Alice');
    localStorage.setItem('weft.color', '#e0457b');
  });
  await ctxB.addInitScript(() => {
    if (!localStorage.getItem('weft.color')) localStorage.setItem('weft.color', '#2f80ed');
  });
  // B reaches the server through the proxy, so the tests can take B alone offline.
  const baseA = `http://127.0.0.1:${server.port}`;
  const baseB = `http://127.0.0.1:${proxy.port}`;
  let a;
  let b;
  const expected = [];

  const ok = await run([
    ['the document list opens and "New document" creates one', async () => {
      const page = await ctxA.newPage();
      await page.goto(`${baseA}/`);
      await page.click('.new-doc');
      await page.waitForURL(/\/d\/doc-[0-9a-f]{8}$/);
      await page.waitForSelector('.cm-content');
      await waitForStatus(page, 'Saved');
      await page.close();
    }],

    ['two windows join one document; the name is set from the header', async () => {
      a = await openEditor(ctxA, baseA, errors, 'A');
      b = await openEditor(ctxB, baseB, errors, 'B');
      await b.fill('.name-input', 'Bob');
      await b.press('.name-input', 'Enter');
      assert(await b.evaluate(() => localStorage.getItem('weft.name')) === 'Bob',
        'the name is remembered');
      await typeAt(a, 'Control+End', 'Line one.\n');
      expected.push('Line one.\n');
      const settled = await converge(a, b);
      assert(settled === 'Line one.\n', `initial text: ${JSON.stringify(settled)}`);
    }],

    ['concurrent typing in both windows ends identical', async () => {
      await Promise.all([
        typeAt(a, 'Control+End', 'Alice types at the end. '),
        typeAt(b, 'Control+Home', 'Bob types at the start. '),
      ]);
      const settled = await converge(a, b);
      assert(settled === 'Bob types at the start. Line one.\nAlice types at the end. ',
        `concurrent result: ${JSON.stringify(settled)}`);
      await Promise.all([
        typeAt(a, 'Control+End', '[a1 a2 a3]'),
        typeAt(b, 'Control+End', '[b1 b2 b3]'),
      ]);
      // Each "end" moves as the other's text arrives, so the runs may nest; every character
      // must be there once.
      const both = await converge(a, b);
      const sorted = (chars) => [...chars].sort().join('');
      const tail = both.slice(settled.length);
      assert(both.startsWith(settled) && sorted(tail) === sorted('[a1 a2 a3][b1 b2 b3]'),
        `second round: ${JSON.stringify(both)}`);
    }],

    ['emoji and multi-range edits keep both windows in step', async () => {
      await a.click('.cm-content');
      await a.keyboard.press('Control+End');
      await a.keyboard.insertText('\nh\u00e9llo \u{1F600} w\u00f6rld \u{1F469}\u200D\u{1F4BB}');
      await converge(a, b);
      // B types right after the emoji, then A replaces two ranges in one transaction.
      await b.evaluate(() => {
        const { view } = window.weftEditor;
        const at = view.state.doc.toString().indexOf('\u{1F600}') + 2;
        view.dispatch({ selection: { anchor: at } });
        view.focus();
      });
      await b.keyboard.type('!!');
      await converge(a, b);
      await a.evaluate(() => {
        const { view } = window.weftEditor;
        const content = view.state.doc.toString();
        const first = content.indexOf('h\u00e9llo');
        const second = content.indexOf('w\u00f6rld');
        view.dispatch({ changes: [{ from: first, to: first + 5, insert: 'HELLO' },
          { from: second, to: second + 5, insert: 'W\u00d6RLD\u{1F30D}' }], userEvent: 'input' });
      });
      const settled = await converge(a, b);
      assert(settled.endsWith('\nHELLO \u{1F600}!! W\u00d6RLD\u{1F30D} \u{1F469}\u200D\u{1F4BB}'),
        `emoji line: ${JSON.stringify(settled)}`);
    }],

    ['remote cursors show the other user\'s name; members are listed', async () => {
      await a.locator('.cm-remote-label', { hasText: 'Bob' }).waitFor({ state: 'visible', timeout: 5000 });
      await b.locator('.cm-remote-label', { hasText: 'Alice' }).waitFor({ state: 'visible', timeout: 5000 });
      // Alice's caret in B sits where Alice's cursor is in A.
      const head = await a.evaluate(() => window.weftEditor.view.state.selection.main.head);
      await b.waitForFunction((want) => {
        const { view } = window.weftEditor;
        const caret = document.querySelector('.cm-remote-caret');
        return caret && view.posAtDOM(caret) === want;
      }, head, { timeout: 5000, polling: 50 });
      assert((await a.textContent('.members')).includes('Bob'), 'A lists Bob');
      assert((await b.textContent('.members')).includes('Alice'), 'B lists Alice');
      // A selection in B shows up as a coloured range in A.
      await b.keyboard.press('Shift+Home');
      await a.locator('.cm-remote-selection').first().waitFor({ state: 'visible', timeout: 5000 });
      await b.keyboard.press('End');
      await sideBySide(browser, [a, b], path.join(outDir, 'two-windows.png'));
      // A phone-sized window: nothing sticks out sideways.
      await b.setViewportSize({ width: 360, height: 640 });
      await b.screenshot({ path: path.join(outDir, 'narrow.png') });
      const overflow = await b.evaluate(() => document.documentElement.scrollWidth -
        document.documentElement.clientWidth);
      assert(overflow <= 0, `narrow window overflows by ${overflow} px`);
      await b.setViewportSize(viewport);
    }],

    ['undo only undoes the local user\'s edits', async () => {
      await typeAt(b, 'Control+End', ' B-undo-me');
      await converge(a, b);
      await typeAt(a, 'Control+End', ' A-keeps');
      await converge(a, b);
      await b.keyboard.press('Control+z');
      const settled = await converge(a, b);
      assert(!settled.includes('B-undo-me'), `B's edit undone: ${JSON.stringify(settled)}`);
      assert(settled.includes(' A-keeps'), `A's edit kept: ${JSON.stringify(settled)}`);
    }],

    ['one window offline keeps typing; the status says so', async () => {
      errors.offline = true;
      proxy.setOffline(true);
      await waitForStatus(b, 'Offline — edits kept');
      await typeAt(b, 'Control+End', ' <B offline 1>');
      await typeAt(a, 'Control+Home', '<A online> ');
      await waitForText(a, () => window.weftEditor.view.state.doc.toString().startsWith('<A online> '));
      await a.waitForTimeout(300);
      const [ta, tb] = await Promise.all([liveText(a), liveText(b)]);
      assert(!ta.view.includes('<B offline 1>'), 'A has not seen B\'s offline edit');
      assert(!tb.view.includes('<A online>'), 'B has not seen A\'s edit');
      assert(await statusOf(b) === 'Offline — edits kept', 'B still offline');
    }],

    ['a reload while offline keeps the unsent edits', async () => {
      await b.reload();
      await b.waitForSelector('.cm-content');
      await waitForText(b, () => window.weftEditor?.view.state.doc.toString().includes('<B offline 1>'));
      await waitForStatus(b, 'Offline — edits kept');
      await typeAt(b, 'Control+End', ' <B offline 2>');
    }],

    ['reconnecting converges with nothing lost', async () => {
      proxy.setOffline(false);
      const settled = await converge(a, b, 25000);
      errors.offline = false;
      for (const part of ['<A online> ', ' <B offline 1>', ' <B offline 2>', 'Line one.',
        ' A-keeps']) {
        assert(settled.includes(part), `missing ${part}: ${JSON.stringify(settled)}`);
      }
      assert(settled.indexOf(' <B offline 1>') < settled.indexOf(' <B offline 2>'), 'order kept');
    }],

    ['both windows reconnect after a server restart; edits made meanwhile arrive', async () => {
      errors.offline = true;
      const { port, data } = server;
      await server.stop({ keepData: true });
      await Promise.all([waitForStatus(a, 'Offline — edits kept'), waitForStatus(b, 'Offline — edits kept')]);
      await typeAt(a, 'Control+End', ' <A while down>');
      server = await startServer({ bin: serverBin, staticDir: path.join(clientDir, 'public'), data, port });
      const settled = await converge(a, b, 25000);
      errors.offline = false;
      assert(settled.endsWith(' <A while down>'), `after restart: ${JSON.stringify(settled)}`);
    }],

    ['the text survives a reload from the server', async () => {
      const before = (await liveText(a)).view;
      await a.reload();
      await a.waitForSelector('.cm-content');
      await waitForStatus(a, 'Saved');
      assert((await liveText(a)).view === before, 'same text after reload');
    }],

    ['over TLS the editor loads from https:// and two windows converge through wss://', async () => {
      const tlsDir = mkdtempSync(path.join(os.tmpdir(), 'weft-e2e-tls-'));
      const { cert, key } = makeCertificate(tlsDir);
      const tls = await startServer({ bin: serverBin, staticDir: path.join(clientDir, 'public'),
        data: path.join(tlsDir, 'data'), args: ['--tls-cert', cert, '--tls-key', key] });
      // The certificate is self-signed: these contexts trust it as a user accepting it would.
      const contexts = await Promise.all([1, 2].map(() =>
        browser.newContext({ viewport, ignoreHTTPSErrors: true })));
      try {
        const base = `https://127.0.0.1:${tls.port}`;
        const sockets = [];
        const pages = [];
        for (const [i, context] of contexts.entries()) {
          context.on('page', (page) => page.on('websocket', (ws) => sockets.push(ws.url())));
          pages.push(await openEditor(context, base, errors, `TLS ${i + 1}`));
        }
        const [x, y] = pages;
        assert(sockets.length >= 2 && sockets.every((url) => url.startsWith(`wss://127.0.0.1:${tls.port}/ws`)),
          `WebSockets over wss: ${JSON.stringify(sockets)}`);
        // One after the other: typed at once at the same end, the two runs may interleave (the
        // other window's cursor moves past text arriving at it), which is not what this tests.
        await typeAt(x, 'Control+End', 'secure from x. ');
        await converge(x, y);
        await typeAt(y, 'Control+End', 'secure from y. ');
        const settled = await converge(x, y);
        assert(settled.includes('secure from x. ') && settled.includes('secure from y. '),
          `over TLS: ${JSON.stringify(settled)}`);
      } finally {
        await Promise.all(contexts.map((context) => context.close()));
        await tls.stop();
        rmSync(tlsDir, { recursive: true, force: true });
      }
    }],

    ['a read-only user is told so when the document opens, and typing changes nothing', async () => {
      const secret = 'e2e-secret';
      const authDir = mkdtempSync(path.join(os.tmpdir(), 'weft-e2e-auth-'));
      const auth = await startServer({ bin: serverBin, staticDir: path.join(clientDir, 'public'),
        data: path.join(authDir, 'data'), args: ['--jwt-secret', secret] });
      const contexts = await Promise.all([1, 2].map(() => browser.newContext({ viewport })));
      try {
        const base = `http://127.0.0.1:${auth.port}`;
        const pageFor = async (context, sub, right) => {
          const page = await context.newPage();
          page.on('pageerror', (error) => errors.list.push(`read-only ${sub} pageerror: ${error.message}`));
          await page.goto(`${base}/d/ro-doc?token=${jwt(secret, sub, { '*': right })}`);
          await page.waitForSelector('.cm-content');
          await waitForStatus(page, 'Saved');
          return page;
        };
        const writer = await pageFor(contexts[0], 'ada', 'write');
        await typeAt(writer, 'Control+End', 'Written by Ada.');
        await waitForStatus(writer, 'Saved');
        const reader = await pageFor(contexts[1], 'bob', 'read');
        await waitForText(reader, () => window.weftEditor.view.state.doc.toString() === 'Written by Ada.');
        assert(await reader.isVisible('.message'), 'the read-only message is shown');
        const message = await reader.textContent('.message');
        assert(message === 'This document is read-only for you: you can read it but not edit it.',
          `message: ${JSON.stringify(message)}`);
        await typeAt(reader, 'Control+End', ' Bob');
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert((await liveText(reader)).view === 'Written by Ada.', 'the read-only editor takes no input');
        await typeAt(writer, 'Control+End', ' More.');
        await waitForText(reader, () => window.weftEditor.view.state.doc.toString() === 'Written by Ada. More.');
        await reader.screenshot({ path: path.join(outDir, 'read-only.png') });
      } finally {
        await Promise.all(contexts.map((context) => context.close()));
        await auth.stop();
        rmSync(authDir, { recursive: true, force: true });
      }
    }],

    ['an edit past the document size limit is taken back and the user is told why', async () => {
      const fullDir = mkdtempSync(path.join(os.tmpdir(), 'weft-e2e-full-'));
      const full = await startServer({ bin: serverBin, staticDir: path.join(clientDir, 'public'),
        data: path.join(fullDir, 'data'), args: ['--max-document-bytes', '20'] });
      const context = await browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        page.on('pageerror', (error) => errors.list.push(`document full pageerror: ${error.message}`));
        // The client's own reports (console.warn 'weft: ...'), for the failure message.
        const consoleLines = [];
        page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
        await page.goto(`http://127.0.0.1:${full.port}/d/full-doc`);
        await page.waitForSelector('.cm-content');
        await waitForStatus(page, 'Saved');
        await typeAt(page, 'Control+End', 'Fifteen chars. ');
        await waitForStatus(page, 'Saved');
        await typeAt(page, 'Control+End', 'and ten more');
        try {
          await page.waitForFunction(() => !document.querySelector('.message')?.hidden,
            undefined, { timeout: 15000, polling: 50 });
        } catch (error) {
          const state = { status: await statusOf(page), text: await liveText(page), console: consoleLines };
          throw new Error(`no refusal message: ${JSON.stringify(state)}`, { cause: error });
        }
        const message = await page.textContent('.message');
        assert(/^The document is full \(max 20 bytes\): \d+ characters? typed (was|were) not saved\.$/.test(message),
          `message: ${JSON.stringify(message)}`);
        // The editor shows the server's text: what fit, without the refused characters.
        await waitForStatus(page, 'Saved');
        const shown = (await liveText(page)).view;
        assert(shown.startsWith('Fifteen chars. ') && shown.length <= 20, `shown: ${JSON.stringify(shown)}`);
        const fresh = await context.newPage();
        await fresh.goto(`http://127.0.0.1:${full.port}/d/full-doc`);
        await fresh.waitForSelector('.cm-content');
        await fresh.waitForFunction((want) => window.weftEditor?.view.state.doc.toString() === want,
          shown, { timeout: 15000, polling: 50 });
      } finally {
        await context.close();
        await full.stop();
        rmSync(fullDir, { recursive: true, force: true });
      }
    }],

    ['no console errors', async () => {
      assert(errors.list.length === 0, errors.list.join('\n'));
    }],
  ], errors);

  await browser.close();
  await proxy.stop();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s, ${errors.expected} expected ` +
    `WebSocket failures logged while offline, screenshot ${path.relative(repo, path.join(outDir, 'two-windows.png'))})`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
