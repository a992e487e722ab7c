// node_websocket.js — a minimal RFC 6455 client over node:http, with the browser WebSocket's
// surface (onopen/onmessage/onclose, send, close, binaryType), for Node tests against a real
// server. Sends masked binary frames, reassembles fragments, answers pings.

import http from 'node:http';
import { randomBytes } from 'node:crypto';

export class NodeWebSocket {
  constructor(url) {
    this.readyState = 0;
    this.binaryType = 'arraybuffer';
    this.buffer = Buffer.alloc(0);
    this.fragments = [];
    this.socket = null;
    const u = new URL(url);
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search,
      headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      },
    });
    req.on('upgrade', (res, socket, head) => {
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('data', (d) => this.onData(d));
      socket.on('close', () => this.finish(1006));
      socket.on('error', () => {});
      this.readyState = 1;
      this.onopen?.({});
      if (head.length) this.onData(head);
    });
    req.on('response', () => this.finish(1006));
    req.on('error', () => this.finish(1006));
    req.end();
  }

  send(data) {
    if (this.readyState !== 1) return;
    this.writeFrame(0x2, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  close(code = 1000) {
    if (this.readyState === 1) {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(code);
      this.writeFrame(0x8, b);
      this.readyState = 2;
      setTimeout(() => this.socket?.destroy(), 200).unref();
    } else if (this.readyState === 0) {
      this.readyState = 3;
    }
  }

  // Drops the TCP connection without a close handshake (a network failure, for tests).
  kill() {
    this.socket?.destroy();
  }

  writeFrame(opcode, payload) {
    const mask = randomBytes(4);
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n])
      : n < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), bigLength(n)]);
    const body = Buffer.alloc(n);
    for (let i = 0; i < n; i++) body[i] = payload[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([head, mask, body]));
  }

  onData(d) {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let n = b[1] & 0x7f;
      let at = 2;
      if (n === 126) { if (b.length < 4) return; n = b.readUInt16BE(2); at = 4; }
      else if (n === 127) { if (b.length < 10) return; n = Number(b.readBigUInt64BE(2)); at = 10; }
      if (b.length < at + n) return;
      const fin = (b[0] & 0x80) !== 0;
      const opcode = b[0] & 0x0f;
      const payload = b.subarray(at, at + n);
      this.buffer = b.subarray(at + n);
      this.onFrame(fin, opcode, Buffer.from(payload));
    }
  }

  onFrame(fin, opcode, payload) {
    if (opcode === 0x9) return this.writeFrame(0xa, payload);
    if (opcode === 0xa) return undefined;
    if (opcode === 0x8) {
      if (this.readyState === 1) this.writeFrame(0x8, payload.subarray(0, 2));
      this.finish(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
      this.socket.end();
      return undefined;
    }
    this.fragments.push(payload);
    if (!fin) return undefined;
    const msg = Buffer.concat(this.fragments);
    this.fragments = [];
    const data = opcode === 0x1 ? msg.toString('utf8')
      : msg.buffer.slice(msg.byteOffset, msg.byteOffset + msg.length);
    this.onmessage?.({ data });
    return undefined;
  }

  finish(code) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function bigLength(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
