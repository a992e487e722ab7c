// deps.mjs — the kit's two npm packages (`ws`, `@msgpack/msgpack`), taken from client-js/'s
// installed tree (client-js/package-lock.json pins them), so the kit needs no install of its own.

import { createRequire } from 'node:module';

const require = createRequire(new URL('../../client-js/package.json', import.meta.url));

export const WebSocket = require('ws');
export const { encode, decode } = require('@msgpack/msgpack');
