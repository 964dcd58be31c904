// The pages' static server on 127.0.0.1 (a random port): page.html, its scripts and the
// pinned livekit-client and hls.js bundles. Used by test.mjs and bench/ingest/whip_bench.mjs.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export function startStatic() {
  const files = {
    '/': [path.join(HERE, 'page.html'), 'text/html'],
    '/page.js': [path.join(HERE, 'page.js'), 'text/javascript'],
    '/whip-client.js': [path.join(HERE, 'whip-client.js'), 'text/javascript'],
    '/hls-page.js': [path.join(HERE, 'hls-page.js'), 'text/javascript'],
    '/hls.js': [path.join(HERE, 'node_modules/hls.js/dist/hls.min.js'), 'text/javascript'],
    '/livekit-client.umd.js': [path.join(HERE, 'node_modules/livekit-client/dist/livekit-client.umd.js'), 'text/javascript'],
  };
  const server = http.createServer((req, res) => {
    const f = files[new URL(req.url, 'http://x').pathname];
    if (!f) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': f[1], 'cache-control': 'no-store' });
    fs.createReadStream(f[0]).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
