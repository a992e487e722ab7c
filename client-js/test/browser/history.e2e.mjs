// history.e2e.mjs — the History panel and the home page's server list end to end: two Chromium
// contexts (Alice and Bob, with tokens) on the real weft-server, checked against weft-replay on
// the server's data directory. Run from client-js/: `node test/browser/history.e2e.mjs`.
//
// Env: WEFT_SERVER_BIN (default <repo>/build/release/server/weft-server), WEFT_REPLAY_BIN
// (default <repo>/build/release/tools/weft-replay), CHROMIUM (default /usr/bin/chromium),
// WEFT_SKIP_BUILD=1 to reuse public/build/, WEFT_HISTORY_STANDIN=1 to answer the history
// endpoints from history_standin.mjs (for a server that does not have them yet).
// Writes <repo>/test-results/browser/history.png, blame.png and home.png.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startHistoryStandin } from './history_standin.mjs';
import { run, startServer } from './support.mjs';

const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repo = path.dirname(clientDir);
const serverBin = process.env.WEFT_SERVER_BIN ?? path.join(repo, 'build/release/server/weft-server');
// weft-replay is built next to the server: <build>/tools/weft-replay beside <build>/server/.
const replayBin = process.env.WEFT_REPLAY_BIN
  ?? path.join(path.dirname(path.dirname(serverBin)), 'tools/weft-replay');
const outDir = path.join(repo, 'test-results/browser');
const docId = `hist-${Date.now().toString(36)}`;
const secret = 'history-e2e-secret';
const ALICE_COLOR = '#e0457b';
const BOB_COLOR = '#2f80ed';

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// An HS256 JWT (PROTOCOL.md §13) for `sub` with the given document rights.
function jwt(sub, docs) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600, docs })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const tokens = {
  alice: jwt('alice', { '*': 'write' }),
  bob: jwt('bob', { '*': 'write' }),
  reader: jwt('rita', { '*': 'read' }),
};

// The document after its first `at` log records (API version `at`) as weft-replay prints it:
// `text --at N` is after record N, i.e. version N + 1 (docs/http-api.md "History").
function replayText(dataDir, at) {
  if (at === 0) return '';
  return execFileSync(replayBin, ['--data', dataDir, '--no-pager', 'text', docId, '--at', String(at - 1)],
    { encoding: 'utf8' });
}

async function liveText(page) {
  return page.evaluate(() => {
    const { view, handle } = window.weftEditor;
    return { view: view.state.doc.toString(), handle: handle.text() };
  });
}

async function statusOf(page) {
  return (await page.textContent('.status'))?.trim();
}

async function waitForStatus(page, expected, timeout = 15000) {
  await page.waitForFunction((want) => document.querySelector('.status')?.textContent === want,
    expected, { timeout, polling: 50 });
}

async function converge(a, b, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    const [ta, tb, sa, sb] = await Promise.all([liveText(a), liveText(b), statusOf(a), statusOf(b)]);
    last = { ta, tb, sa, sb };
    if (ta.view === tb.view && ta.view === ta.handle && tb.view === tb.handle && sa === 'Saved' && sb === 'Saved') {
      return ta.view;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no convergence in ${timeout} ms: ${JSON.stringify(last)}`);
}

async function typeAt(page, key, words) {
  await page.click('.cm-content');
  await page.keyboard.press(key);
  await page.keyboard.type(words, { delay: 10 });
}

function watch(page, errors, label) {
  page.on('console', (message) => {
    if (message.type() === 'error' && !errors.allowed.some((re) => re.test(message.text()))) {
      errors.list.push(`${label} console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => errors.list.push(`${label} pageerror: ${error.message}`));
}

// The History panel's text once it shows version `at` (data-version, data-state="ready").
async function historyAt(page, at, mode = 'diff') {
  await page.waitForFunction(([want, wantMode]) => {
    const panel = document.querySelector('.history-panel');
    return panel?.dataset.state === 'ready' && panel.dataset.version === String(want) && panel.dataset.mode === wantMode;
  }, [at, mode], { timeout: 15000, polling: 50 });
  return page.evaluate(() => window.weftEditor.history.view.state.doc.toString());
}

// Drags the slider's thumb with the mouse to `fraction` of the track; returns the version.
async function dragSlider(page, fraction) {
  const slider = page.locator('.history-slider');
  const box = await slider.boundingBox();
  const value = Number(await slider.inputValue());
  const max = Number(await slider.getAttribute('max'));
  const thumbX = box.x + 8 + ((box.width - 16) * value) / Math.max(1, max);
  const y = box.y + box.height / 2;
  await page.mouse.move(thumbX, y);
  await page.mouse.down();
  await page.mouse.move(box.x + 8 + (box.width - 16) * fraction, y, { steps: 8 });
  await page.mouse.up();
  return Number(await slider.inputValue());
}

async function openHistory(page) {
  await page.click('.history-open');
  await page.waitForSelector('.history-panel[data-state="ready"]', { timeout: 15000 });
  return Number(await page.locator('.history-slider').getAttribute('max'));
}

async function main() {
  if (process.env.WEFT_SKIP_BUILD !== '1') {
    execFileSync(process.execPath, ['build.mjs'], { cwd: clientDir, stdio: 'inherit' });
  }
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'weft-e2e-history-'));
  const server = await startServer({ bin: serverBin, staticDir: path.join(clientDir, 'public'),
    data: path.join(dataDir, 'data'), args: ['--jwt-secret', secret] });
  const standin = process.env.WEFT_HISTORY_STANDIN === '1' ? await startHistoryStandin(server.port) : null;
  const base = `http://127.0.0.1:${standin?.port ?? server.port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  // The page without a token is refused on purpose (401): Chromium logs the failed fetch.
  const errors = { list: [], allowed: [] };
  const viewport = { width: 1000, height: 700 };
  const ctxA = await browser.newContext({ viewport });
  const ctxB = await browser.newContext({ viewport });
  await ctxA.addInitScript((color) => {
    localStorage.setItem('weft.name', 'Alice');
    localStorage.setItem('weft.color', color);
  }, ALICE_COLOR);
  await ctxB.addInitScript((color) => {
    localStorage.setItem('weft.name', 'Bob');
    localStorage.setItem('weft.color', color);
  }, BOB_COLOR);
  const apiAs = (who, route, init = {}) => fetch(`${base}${route}`, {
    ...init, headers: { Authorization: `Bearer ${tokens[who]}`, 'Content-Type': 'application/json' },
  });
  let a;
  let b;
  let beforeRestore;

  const ok = await run([
    ['home: the server\'s documents are listed with titles; search filters; More pages', async () => {
      for (const [id, text] of [['notes-1', 'Meeting notes\nagenda'], ['shop-2', 'Shopping list\nmilk'],
        ['zz-empty', '']]) {
        const answer = await apiAs('alice', '/api/docs', { method: 'POST', body: JSON.stringify({ id, text }) });
        assert(answer.status === 201, `create ${id}: ${answer.status}`);
      }
      for (let i = 0; i < 52; i++) {
        const id = `bulk-${String(i).padStart(2, '0')}`;
        const answer = await apiAs('alice', '/api/docs', { method: 'POST', body: JSON.stringify({ id, text: `Bulk ${i}` }) });
        assert(answer.status === 201, `create ${id}: ${answer.status}`);
      }
      const page = await ctxA.newPage();
      watch(page, errors, 'home');
      await page.goto(`${base}/?token=${tokens.alice}`);
      // 55 documents, 50 a page: "More" brings the rest.
      await page.waitForSelector('.server-doc');
      assert(await page.locator('.server-doc').count() === 50, 'the first page');
      await page.click('.more');
      await page.waitForSelector('.server-doc[data-id="notes-1"]');
      assert(await page.locator('.server-doc').count() === 55, 'the second page');
      assert(await page.isHidden('.more'), 'no More after the last page');
      const titles = await page.locator('.server-doc .doc-title').allTextContents();
      assert(titles.includes('Meeting notes') && titles.includes('Shopping list') && titles.includes('zz-empty'),
        `titles: ${JSON.stringify(titles)}`);
      const when = page.locator('.server-doc[data-id="notes-1"] time');
      assert(/just now|second|minute/.test(await when.textContent()), 'relative time');
      assert(await when.getAttribute('title'), 'absolute time on hover');
      assert((await page.textContent('.server-doc[data-id="notes-1"] .size')) === '20 characters', 'size');
      // The link keeps the token.
      const href = await page.getAttribute('.server-doc[data-id="notes-1"] a', 'href');
      assert(href === `/d/notes-1?token=${encodeURIComponent(tokens.alice)}`, `link: ${href}`);
      await page.fill('.doc-search', 'SHOP');
      await page.waitForFunction(() => [...document.querySelectorAll('.server-doc')].map((li) => li.dataset.id).join() === 'shop-2',
        undefined, { timeout: 5000, polling: 50 });
      await page.fill('.doc-search', 'nothing-matches-this');
      await page.waitForSelector('.server-docs .empty');
      assert((await page.textContent('.server-docs .empty')).includes('nothing-matches-this'), 'empty search says so');
      await page.fill('.doc-search', '');
      await page.waitForSelector('.server-doc[data-id="bulk-00"]');
      await page.screenshot({ path: path.join(outDir, 'home.png') });
      await page.close();
    }],

    ['home: delete asks first, and only writers are offered it; no token is a clear message', async () => {
      const page = await ctxA.newPage();
      watch(page, errors, 'home delete');
      await page.goto(`${base}/?token=${tokens.alice}`);
      await page.click('.more');
      const row = page.locator('.server-doc[data-id="zz-empty"]');
      await row.locator('.delete').click();
      await page.click('dialog .dialog-cancel');
      await page.waitForTimeout(200);
      assert(await row.count() === 1, 'cancel keeps the document');
      assert((await apiAs('alice', '/api/docs/zz-empty')).status === 200, 'still on the server');
      await row.locator('.delete').click();
      assert((await page.textContent('dialog')).includes('zz-empty'), 'the dialog names the document');
      await page.click('dialog .dialog-confirm');
      await row.waitFor({ state: 'detached', timeout: 5000 });
      assert((await apiAs('alice', '/api/docs/zz-empty')).status === 404, 'deleted on the server');
      await page.close();

      const reader = await ctxB.newPage();
      watch(reader, errors, 'home reader');
      await reader.goto(`${base}/?token=${tokens.reader}`);
      await reader.waitForSelector('.server-doc[data-id="bulk-00"]');
      assert(await reader.locator('.server-doc .delete').count() === 0, 'no delete for a reader');
      // Without a token the server answers 401: the page says so instead of breaking.
      errors.allowed.push(/401 \(Unauthorized\)/);
      await reader.goto(`${base}/`);
      await reader.waitForSelector('.server-status[data-kind="refused"]');
      assert((await reader.textContent('.server-status')).includes('access token'), 'the 401 message');
      assert(await reader.isVisible('.new-doc'), 'the rest of the page works');
      await reader.close();
    }],

    ['two windows type a document', async () => {
      a = await ctxA.newPage();
      b = await ctxB.newPage();
      watch(a, errors, 'A');
      watch(b, errors, 'B');
      for (const [page, who] of [[a, 'alice'], [b, 'bob']]) {
        await page.goto(`${base}/d/${docId}?token=${tokens[who]}`);
        await page.waitForSelector('.cm-content');
        await waitForStatus(page, 'Saved');
      }
      await typeAt(a, 'Control+End', 'alice writes the first line.\n');
      await converge(a, b);
      await typeAt(b, 'Control+End', 'bob adds a second line.\n');
      await converge(a, b);
      await typeAt(a, 'Control+End', 'alice again, with \u{1F600} emoji.\n');
      await converge(a, b);
      // Bob deletes a word of Alice's ("first ") and types his own there.
      await b.evaluate(() => {
        const { view } = window.weftEditor;
        const at = view.state.doc.toString().indexOf('first ');
        view.dispatch({ changes: { from: at, to: at + 6, insert: 'opening ' }, userEvent: 'input' });
      });
      const text = await converge(a, b);
      assert(text === 'alice writes the opening line.\nbob adds a second line.\nalice again, with \u{1F600} emoji.\n',
        `typed: ${JSON.stringify(text)}`);
    }],

    ['History: the slider\'s points show the text weft-replay gives for them, changes highlighted', async () => {
      const ops = await openHistory(a);
      assert(ops > 50, `ops: ${ops}`);
      assert(await a.isHidden('.editor'), 'the panel takes the live editor\'s place');
      // Opened, it shows the current version.
      assert(await historyAt(a, ops) === (await liveText(a)).view, 'the current version first');
      assert(await a.locator('.history-mark.session').count() >= 2, 'session marks: one per user at least');
      let changes = 0;
      for (const fraction of [0.25, 0.55, 0.85]) {
        const at = await dragSlider(a, fraction);
        const shown = await historyAt(a, at);
        const expected = replayText(server.data, at);
        assert(shown === expected, `version ${at}: ${JSON.stringify(shown)} != ${JSON.stringify(expected)}`);
        changes += await a.locator('.history-view .cm-hist-insert, .history-view .cm-hist-delete').count();
      }
      assert(changes > 0, 'changes since the previous point are highlighted');
      // The keyboard moves it too: End is the last version, Home the empty document.
      await a.focus('.history-slider');
      await a.keyboard.press('Home');
      assert(await historyAt(a, 0) === '', 'version 0 is empty');
      await a.keyboard.press('End');
      await historyAt(a, ops);
      // The live view is read-only-free underneath and kept receiving: the History view is not editable.
      assert(await a.locator('.history-view .cm-content').getAttribute('contenteditable') === 'false', 'read-only view');
      // Deleted text is shown struck through between the point before Bob's edit and now.
      const beforeEdit = ops - 8;  // inside Bob's replacement of "first "
      await a.evaluate((at) => {
        const slider = document.querySelector('.history-slider');
        slider.value = String(at);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      }, Math.max(0, beforeEdit - 30));
      await historyAt(a, Math.max(0, beforeEdit - 30));
      await a.keyboard.press('End');
      await historyAt(a, ops);
      const struck = await a.locator('.history-view .cm-hist-delete').allTextContents();
      assert(struck.join('').includes('first'), `struck through: ${JSON.stringify(struck)}`);
      await a.screenshot({ path: path.join(outDir, 'history.png') });
    }],

    ['History: blame colours each author\'s text in their cursor colour, with a legend', async () => {
      await a.click('.history-blame');
      const ops = Number(await a.locator('.history-slider').inputValue());
      const shown = await historyAt(a, ops, 'blame');
      assert(shown === (await liveText(a)).view, 'blame shows the same text');
      const legend = await a.$$eval('.history-legend li', (items) => items.map((li) => [li.dataset.key, li.dataset.color]));
      const colors = Object.fromEntries(legend);
      assert(colors['u:alice'] === ALICE_COLOR && colors['u:bob'] === BOB_COLOR, `legend: ${JSON.stringify(legend)}`);
      const byAuthor = await a.$$eval('.history-view .cm-hist-blame', (spans) => {
        const out = {};
        for (const span of spans) {
          out[span.dataset.author] = (out[span.dataset.author] ?? '') + span.textContent;
          if (span.dataset.color !== span.closest('.history-panel').querySelector(`.history-legend li[data-key="${span.dataset.author}"]`)?.dataset.color) {
            out.mismatch = true;
          }
        }
        return out;
      });
      assert(!byAuthor.mismatch, 'runs use the legend colours');
      assert(byAuthor['u:bob']?.includes('bob adds a second line.') && byAuthor['u:bob'].includes('opening'),
        `Bob's text: ${JSON.stringify(byAuthor)}`);
      assert(byAuthor['u:alice']?.includes('alice writes the ') && byAuthor['u:alice'].includes('alice again') &&
        !byAuthor['u:alice'].includes('bob'), `Alice's text: ${JSON.stringify(byAuthor)}`);
      // Bob's window colours Alice by her live cursor colour too.
      await b.click('.history-open');
      await b.click('.history-blame');
      await historyAt(b, ops, 'blame');
      const colorInB = await b.getAttribute('.history-legend li[data-key="u:alice"]', 'data-color');
      assert(colorInB === ALICE_COLOR, `Alice's colour in B: ${colorInB}`);
      await b.screenshot({ path: path.join(outDir, 'blame.png') });
      await b.keyboard.press('Escape');
      await b.waitForSelector('.history-panel', { state: 'detached' });
      assert(await b.isVisible('.editor .cm-content'), 'Escape returns to the live editor');
      await a.click('.history-blame');
    }],

    ['History: "Name this version" adds a labelled mark', async () => {
      const at = await dragSlider(a, 0.5);
      await historyAt(a, at);
      await a.click('.history-name');
      await a.fill('dialog input', 'checkpoint one');
      await a.click('dialog .dialog-confirm');
      const mark = a.locator('.history-mark.version[data-name="checkpoint one"]');
      await mark.waitFor({ state: 'visible', timeout: 5000 });
      assert(await mark.getAttribute('data-at') === String(at), 'the mark is at the version');
      const listed = await (await apiAs('alice', `/api/docs/${docId}/versions`)).json();
      assert(listed.versions.some((v) => v.name === 'checkpoint one' && v.at === at), `versions: ${JSON.stringify(listed)}`);
      // Clicking the mark moves the slider there.
      await a.keyboard.press('End');
      await mark.click();
      await historyAt(a, at);
      // A phone-sized window: the panel does not overflow sideways.
      await a.setViewportSize({ width: 360, height: 640 });
      await a.screenshot({ path: path.join(outDir, 'history-narrow.png') });
      const overflow = await a.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert(overflow <= 0, `narrow window overflows by ${overflow} px`);
      await a.setViewportSize(viewport);
    }],

    ['a reader gets no Name or Restore', async () => {
      const reader = await ctxB.newPage();
      watch(reader, errors, 'reader');
      await reader.goto(`${base}/d/${docId}?token=${tokens.reader}`);
      await reader.waitForSelector('.cm-content');
      await reader.click('.history-open');
      await reader.waitForSelector('.history-panel[data-state="ready"]');
      assert(await reader.locator('.history-name, .history-restore').count() === 0, 'no Name or Restore');
      await reader.click('.history-close');
      await reader.close();
    }],

    ['restoring an older version while the other window types: both converge on it', async () => {
      const at = Number(await a.getAttribute('.history-mark.version[data-name="checkpoint one"]', 'data-at'));
      await historyAt(a, at);
      const expected = replayText(server.data, at);
      beforeRestore = (await liveText(a)).view;
      await b.click('.cm-content');
      await b.keyboard.press('Control+Home');
      const typing = b.keyboard.type('ZQZQZQZQZQZQZQZQ', { delay: 40 });
      await a.waitForTimeout(150);
      await a.click('.history-restore');
      await a.click('dialog .dialog-confirm');
      await a.waitForSelector('.history-panel', { state: 'detached', timeout: 10000 });
      await typing;
      await b.keyboard.type('QZ', { delay: 20 });  // certainly after the restore
      const settled = await converge(a, b);
      // Bob's keys that reached A before the restore were not in that version, so the restore
      // removed them; the rest are kept. Without them the text is the version's.
      assert(settled.replace(/[ZQ]/g, '') === expected, `restored: ${JSON.stringify(settled)} vs ${JSON.stringify(expected)}`);
      assert(/[ZQ]/.test(settled), 'Bob\'s later keys are kept');
      assert((await a.textContent('.message')).includes(`Restored version ${at}`), 'A is told');
    }],

    ['Ctrl-Z in the restoring window brings the text back', async () => {
      await a.click('.cm-content');
      await a.keyboard.press('Control+z');
      const settled = await converge(a, b);
      assert(settled.replace(/[ZQ]/g, '') === beforeRestore.replace(/[ZQ]/g, ''),
        `after undo: ${JSON.stringify(settled)} vs ${JSON.stringify(beforeRestore)}`);
    }],

    ['no console errors', async () => {
      assert(errors.list.length === 0, errors.list.join('\n'));
    }],
  ]);

  await browser.close();
  await standin?.stop();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s${standin ? ', history endpoints from the stand-in' : ''})`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
