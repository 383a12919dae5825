/**
 * The web playground's benchmark: `node --import tsx test/bench/web.ts` after `npm run build`,
 * with the e2e tools installed (Chromium and playwright-core).
 *
 * - Size: what the page transfers before the first run (index.html, the page's script and CSS,
 *   monaco's editor worker, the language server worker, the icon font) and what the first run
 *   adds (the kernel worker and its wasm binary), raw, gzip -9 and brotli (what a static host
 *   serves compressed).
 * - Time from navigation to the first diagnostics: a fresh browser context (empty cache) opens a
 *   share link of a two-cell notebook whose model has DR101; the page records when each
 *   publishDiagnostics arrives (performance.now(), from navigation start) and we take the first
 *   one carrying DR101. ROUNDS rounds, the cross-origin isolated and the plain static server
 *   interleaved (A B A B ...); medians, and the machine's load beside them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { openPage } from '../browser/harness';
import { serveWeb } from '../../scripts/serve-web.mjs';
import { loadAverage, median, writeReport } from './report';

const ROOT = 'dist/web';
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const PAGE_FILES = [
  'index.html',
  'playground.js',
  'playground.css',
  'editor.worker.js',
  'server.js',
];
const RUN_FILES = ['kernel.js', 'tfjs-backend-wasm-simd.wasm'];

const CELLS = [
  ['c', 'import keras\nfrom keras import layers\n'],
  [
    'c',
    'model = keras.Sequential([\n    keras.Input((50, 8)),\n    layers.LSTM(64, return_sequences=True),\n    layers.Dropout(0.3),\n    layers.LSTM(32),\n    layers.Dense(1),\n])\n',
  ],
];

async function shareLink(base: string): Promise<string> {
  const json = JSON.stringify({ v: 1, cells: CELLS });
  const packed = new Uint8Array(
    await new Response(
      new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw')),
    ).arrayBuffer(),
  );
  return `${base}#nb=${Buffer.from(packed).toString('base64url')}`;
}

function sizes(files: string[]) {
  // The icon font's name carries a content hash.
  const font = readdirSync(ROOT).filter((n) => /^codicon-.*\.ttf$/.test(n));
  return [...files, ...(files === PAGE_FILES ? font : [])].map((f) => {
    const data = readFileSync(`${ROOT}/${f}`);
    return {
      file: f,
      raw: data.length,
      gzip: gzipSync(data, { level: 9 }).length,
      brotli: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
}

async function firstDiagnostics(isolated: boolean): Promise<number> {
  const server = await serveWeb({ root: ROOT, isolated });
  const harness = await openPage({
    html: '',
    bundle: `${ROOT}/index.html`,
    at: '',
    url: await shareLink(server.url),
  });
  try {
    const at = await harness.page.waitForFunction(
      `(window.playground?.published ?? []).find((p) => p.codes.includes('DR101'))?.at`,
      null,
      { timeout: 60_000 },
    );
    return (await at.jsonValue()) as number;
  } finally {
    await harness.close();
    await server.close();
  }
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

async function main(): Promise<void> {
  const page = sizes(PAGE_FILES);
  const run = sizes(RUN_FILES);
  const total = (rows: typeof page) =>
    rows.reduce(
      (t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }),
      {
        raw: 0,
        gzip: 0,
        brotli: 0,
      },
    );
  console.log('file                          raw       gzip     brotli');
  for (const r of [...page, ...run])
    console.log(
      `${r.file.padEnd(28)} ${kb(r.raw).padStart(8)} ${kb(r.gzip).padStart(9)} ${kb(r.brotli).padStart(9)}`,
    );
  const p = total(page);
  const k = total(run);
  console.log(
    `page before the first run  ${kb(p.raw).padStart(8)} ${kb(p.gzip).padStart(9)} ${kb(p.brotli).padStart(9)}`,
  );
  console.log(
    `added by the first run     ${kb(k.raw).padStart(8)} ${kb(k.gzip).padStart(9)} ${kb(k.brotli).padStart(9)}`,
  );

  const samples = { isolated: [] as number[], plain: [] as number[] };
  await firstDiagnostics(true); // warm-up: the OS file cache, Chromium's first start
  for (let i = 0; i < ROUNDS; i++) {
    const order: Array<keyof typeof samples> =
      i % 2 ? ['plain', 'isolated'] : ['isolated', 'plain'];
    for (const k2 of order) samples[k2].push(await firstDiagnostics(k2 === 'isolated'));
  }
  console.log(
    `\nnavigation → first diagnostics (DR101), ${ROUNDS} interleaved rounds, fresh context each; load ${loadAverage().join(' ')}:`,
  );
  for (const [name, ms] of Object.entries(samples))
    console.log(
      `  ${name.padEnd(9)} median ${median(ms).toFixed(0)} ms (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)})`,
    );
  const path = writeReport('web.json', {
    rounds: ROUNDS,
    page,
    run,
    pageTotal: p,
    runTotal: k,
    samples,
  });
  console.log(`\nwrote ${path}`);
}

void main();
