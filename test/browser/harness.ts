/**
 * A page in Debian's Chromium for the browser tests and the renderer bench: a local server gives
 * the harness page at `/` and one built bundle at its path, and nothing else (a request for
 * anything else, a failed request or a page error is recorded in `failed`, so a test can assert
 * that the bundle fetched nothing remote). Chromium and playwright-core come from the e2e tools.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { toolPaths } from '../integration/setup.mjs';

export interface Harness {
  // playwright-core's types are not a dependency of the project (it lives in the tools cache).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  page: any;
  /** Requests outside the page and the bundle, failed requests and page errors. */
  failed: string[];
  close(): Promise<void>;
}

export interface PageOptions {
  /** The harness page's HTML, served at `/`. */
  html: string;
  /** The built bundle (dist/...) and the path the page loads it from (`/renderer.js`). */
  bundle: string;
  at: string;
  viewport?: { width: number; height: number };
  /**
   * Open this page instead, served by the test itself (the web playground, which needs its own
   * folder and headers: scripts/serve-web.mjs); the harness then serves nothing.
   */
  url?: string;
}

/** Opens the harness page in headless Chromium; fails with what to run when a tool is missing. */
export async function openPage(o: PageOptions): Promise<Harness> {
  const tools = toolPaths();
  const missing = [tools.playwright, tools.chromium, o.bundle].filter((p) => !existsSync(p));
  if (missing.length)
    throw new Error(
      `needs ${missing.join(', ')}: run npm run setup:e2e and npm run build (npm test does both)`,
    );
  const failed: string[] = [];
  const server: Server | null = o.url
    ? null
    : createServer((req, res) => {
        if (req.url === o.at) {
          res.writeHead(200, { 'content-type': 'text/javascript' });
          res.end(readFileSync(o.bundle));
        } else if (req.url === '/') {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(o.html);
        } else if (req.url === '/favicon.ico') {
          res.writeHead(204).end(); // the browser's own request, not the page's
        } else {
          failed.push(`not served: ${req.url}`);
          res.writeHead(404).end();
        }
      });
  await new Promise<void>((r) => (server ? server.listen(0, '127.0.0.1', () => r()) : r()));
  const address = server?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  // playwright-core is CommonJS: its named exports sit on the default export.
  const pw = await import(tools.playwright);
  const { chromium } = pw.default ?? pw;
  const browser = await chromium.launch({
    executablePath: tools.chromium,
    // Without the background-networking flags Chromium tries the closed network at every start.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage(
    o.viewport ? { viewport: o.viewport, deviceScaleFactor: 1 } : {},
  );
  page.on('requestfailed', (r: { url(): string }) => failed.push(r.url()));
  page.on('pageerror', (e: Error) => failed.push(`page error: ${e.message}`));
  await page.goto(o.url ?? `http://127.0.0.1:${port}/`);
  return {
    page,
    failed,
    close: async () => {
      await browser.close();
      server?.close();
    },
  };
}
