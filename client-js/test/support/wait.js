// wait.js — polling helpers for tests that wait on a real server's effects.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves once `fn()` is truthy (checked every 10 ms); rejects naming `what` after `ms`.
export async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
