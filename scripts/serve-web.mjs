// A plain static file server for the web playground (dist/web/): node:http, nothing else. It
// sends the headers that make the page cross-origin isolated (COOP/COEP, so the kernel's stop
// flag can live in a SharedArrayBuffer), the MIME types browsers insist on (application/wasm
// for WebAssembly streaming compilation, text/javascript for module workers), and no-cache (a
// rebuilt bundle is never mixed with a cached one). `npm start -- --web` and the browser tests
// use it.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.rnnlab': 'application/x-ipynb+json',
};

/** The headers that make a page cross-origin isolated (`crossOriginIsolated === true`). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Serves `root` on `host:port` (port 0: a free one). `isolated: false` leaves out the COOP/COEP
 * headers (the page then interrupts by restarting its kernel). `onRequest(path, status)` sees
 * every request. Resolves with the URL and `close()`.
 */
export function serveWeb({ root, host = '127.0.0.1', port = 0, isolated = true, onRequest }) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    const send = (status, headers, body) => {
      onRequest?.(path, status);
      res.writeHead(status, { ...(isolated ? ISOLATION_HEADERS : {}), ...headers });
      if (body === undefined) res.end();
      else if (typeof body === 'string') res.end(body);
      else body.pipe(res);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, { allow: 'GET, HEAD' }, 'only GET and HEAD');
    if (file !== base && !file.startsWith(base + sep)) return send(403, {}, 'outside the folder');
    let size;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      return send(404, { 'content-type': 'text/plain' }, `not found: ${path}`);
    }
    const type = MIME_TYPES[extname(file)] ?? 'application/octet-stream';
    const headers = {
      'content-type': type,
      'content-length': String(size),
      'cache-control': 'no-cache',
    };
    send(200, headers, req.method === 'HEAD' ? undefined : createReadStream(file));
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      const url = `http://${host}:${typeof a === 'object' && a ? a.port : port}/`;
      resolvePromise({ url, server, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
