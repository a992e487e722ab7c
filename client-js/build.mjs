// build.mjs — bundles the browser editor (editor/main.js and its CSS) into public/build/.
//
//   node build.mjs            minified bundle with source maps
//   WEFT_EDITOR_FAKE=1 node build.mjs   uses test/browser/fake_client.js instead of the real
//                                       client library (UI work without a server)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

const plugins = [];
if (process.env.WEFT_EDITOR_FAKE === '1') {
  const fake = path.join(here, 'test/browser/fake_client.js');
  plugins.push({
    name: 'fake-client',
    setup(b) {
      b.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: fake }));
    },
  });
}

const started = Date.now();
try {
  await build({
    entryPoints: { editor: path.join(here, 'editor/main.js') },
    outdir: path.join(here, 'public/build'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins,
  });
} catch {
  process.exit(1);  // esbuild has already printed the errors
}
console.log(`build.mjs: public/build/editor.js and editor.css in ${Date.now() - started} ms`);
