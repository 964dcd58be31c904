// The pages' static server on 127.0.0.1 (a random port): page.html, its scripts and the
// pinned livekit-client and hls.js bundles. Used by test.mjs and bench/ingest/whip_bench.mjs.
// With `vendorFrom` (Hikari's HTTP base URL) the two bundles are the copies embedded in the
// server (`/f/vendor/…`, the pinned versions of this package.json), fetched from it: every
// page of the suite then runs on what Hikari serves its own pages.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const version = (pkg) => JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', pkg, 'package.json'), 'utf8')).version;

export function startStatic({ vendorFrom } = {}) {
  const vendor = vendorFrom ? {
    '/livekit-client.umd.js': `${vendorFrom}/f/vendor/livekit-client-${version('livekit-client')}.umd.js`,
    '/hls.js': `${vendorFrom}/f/vendor/hls-${version('hls.js')}.min.js`,
  } : {};
  const files = {
    '/': [path.join(HERE, 'page.html'), 'text/html'],
    '/page.js': [path.join(HERE, 'page.js'), 'text/javascript'],
    '/whip-client.js': [path.join(HERE, 'whip-client.js'), 'text/javascript'],
    '/hls-page.js': [path.join(HERE, 'hls-page.js'), 'text/javascript'],
    '/hls.js': [path.join(HERE, 'node_modules/hls.js/dist/hls.min.js'), 'text/javascript'],
    '/livekit-client.umd.js': [path.join(HERE, 'node_modules/livekit-client/dist/livekit-client.umd.js'), 'text/javascript'],
  };
  const server = http.createServer(async (req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    if (vendor[pathname]) {
      try {
        const r = await fetch(vendor[pathname], { signal: AbortSignal.timeout(10_000) });
        if (!r.ok) throw new Error(`${vendor[pathname]}: ${r.status}`);
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(Buffer.from(await r.arrayBuffer()));
      } catch (e) {
        res.writeHead(502); res.end(String(e));
      }
      return;
    }
    const f = files[pathname];
    if (!f) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': f[1], 'cache-control': 'no-store' });
    fs.createReadStream(f[0]).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
