/**
 * Renderer frame-time benchmark: `node --import tsx test/bench/renderer.ts` from the repo root,
 * after `npm run build` (it loads dist/renderer.js) and with the e2e tools installed
 * (`npm run setup:e2e`: Chromium and playwright-core).
 *
 * A page stands in for VS Code's notebook webview, as test/browser/renderer.test.ts does, and a
 * live fit of 100 epochs × 1,000 batches (loss and mae per batch, both with validation values
 * per epoch: 100k points a per-batch series) streams in as the host forwards it: one progress
 * message of BATCHES_PER_MESSAGE batches every MESSAGE_MS. The chart folds each message in and
 * redraws once per animation frame. We record:
 *  - redraw: the time of each animation-frame callback of the page (the chart's redraw: progress
 *    text, downsampling, smoothing, uPlot's setData), p50 / p95 / max;
 *  - frame interval: the time between consecutive animation frames while streaming (a redraw
 *    longer than a frame shows here as a long interval), p50 / p95;
 *  - JSHeapUsedSize from the DevTools protocol (Performance.getMetrics) after the 100k points.
 * Target: redraw p95 under 16 ms (60 fps). Results go to the table and .bench/renderer.json.
 *
 * Environment: RNNLAB_BENCH_POINTS (batches, default 100000), RNNLAB_BENCH_PER_MESSAGE
 * (default 200), RNNLAB_BENCH_MESSAGE_MS (default 16).
 */
import { openPage } from '../browser/harness';
import { writeReport } from './report';

const TOTAL = Number(process.env['RNNLAB_BENCH_POINTS'] || 100_000);
const BATCHES_PER_MESSAGE = Number(process.env['RNNLAB_BENCH_PER_MESSAGE'] || 200);
const MESSAGE_MS = Number(process.env['RNNLAB_BENCH_MESSAGE_MS'] || 16);
const BATCHES_PER_EPOCH = 1000;
const EPOCHS = Math.ceil(TOTAL / BATCHES_PER_EPOCH);
const RUN_ID = 'bench-1';
const BUNDLE = 'dist/renderer.js';

const STUB = {
  version: 3,
  runId: RUN_ID,
  model: 'bench',
  description: 'LSTM(64, dropout=0.2) → Dense(1)',
  params: 16961,
  history: {},
  batchLoss: [],
  batchLogs: {},
  batchesPerEpoch: BATCHES_PER_EPOCH,
  epochs: EPOCHS,
  stopped: null,
  status: 'running',
  config: { optimizer: { name: 'adam', learningRate: 0.001 }, loss: { name: 'mse' } },
  seed: null,
};

// The page: a fake RendererContext, rAF callbacks timed, and the stream generated in the page
// (so that the figures are the renderer's, not playwright's round trips).
const PAGE = `<!doctype html><html><head><meta charset="utf-8">
<style>:root { --vscode-editor-background: #1e1e1e; --vscode-foreground: #ccc; --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; }
body { margin: 0; padding: 12px 16px; background: var(--vscode-editor-background); width: 760px; }</style></head>
<body class="vscode-dark"><div id="out"></div><script type="module">
import { activate } from '/renderer.js';
const callbacks = [];
const raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (cb) => raf((t) => {
  const t0 = performance.now();
  cb(t);
  callbacks.push(performance.now() - t0);
});
const listeners = [];
const renderer = activate({
  postMessage: () => undefined,
  onDidReceiveMessage: (l) => (listeners.push(l), { dispose() {} }),
  getState: () => undefined,
  setState: () => undefined,
});
const loss = (s) => 0.05 + 0.9 * Math.exp(-s / 20000) + 0.05 * Math.sin(s * 1.7) * Math.cos(s * 0.31) + (s % 9973 === 0 ? 0.8 : 0);
window.bench = {
  render: (json) => renderer.renderOutputItem({ id: 'out-1', json: () => json }, document.getElementById('out')),
  async stream(total, per, everyMs, bpe, epochs) {
    callbacks.length = 0;
    const intervals = [];
    let last = null, streaming = true;
    const tick = (t) => { if (last !== null) intervals.push(t - last); last = t; if (streaming) raf(tick); };
    raf(tick);
    const started = performance.now();
    for (let s = 0; s < total; s += per) {
      const batches = [], epochEnds = [];
      for (let k = s; k < Math.min(total, s + per); k++) {
        const l = loss(k);
        batches.push({ epoch: Math.floor(k / bpe), batch: k % bpe, logs: { loss: l, mae: Math.sqrt(l) } });
        if (k % bpe === bpe - 1) epochEnds.push({ epoch: Math.floor(k / bpe), logs: { loss: l, mae: Math.sqrt(l), val_loss: l * 1.2, val_mae: Math.sqrt(l) * 1.1 } });
      }
      const msg = { type: 'progress', runId: '${RUN_ID}', reset: false, epochs, batchesPerEpoch: bpe, batches, epochEnds, etaMs: (total - s) * 0.5 };
      for (const l of listeners) l(msg);
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await new Promise((r) => raf(() => raf(r)));
    streaming = false;
    const points = document.querySelector('.rnnlab-chart[data-metric=loss]')?.getAttribute('data-points');
    return { redraws: callbacks.slice(), intervals, ms: performance.now() - started, points };
  },
};
window.benchReady = true;
</script></body></html>`;

function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const round = (x: number) => Number(x.toFixed(2));

async function main(): Promise<void> {
  const harness = await openPage({
    html: PAGE,
    bundle: BUNDLE,
    at: '/renderer.js',
    viewport: { width: 800, height: 700 },
  });
  try {
    const { page } = harness;
    await page.waitForFunction('window.benchReady === true');
    await page.evaluate(`window.bench.render(${JSON.stringify(STUB)})`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = (await cdp.send('Performance.getMetrics')) as {
        metrics: Array<{ name: string; value: number }>;
      };
      return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    };
    const heapBefore = await heap();
    const r = (await page.evaluate(
      `window.bench.stream(${TOTAL}, ${BATCHES_PER_MESSAGE}, ${MESSAGE_MS}, ${BATCHES_PER_EPOCH}, ${EPOCHS})`,
    )) as { redraws: number[]; intervals: number[]; ms: number; points: string | null };
    const heapAfter = await heap();
    if (harness.failed.length) throw new Error(`page errors: ${harness.failed.join('; ')}`);
    const progress = await page.textContent('.rnnlab-progress');
    if (!progress?.includes(`epoch ${EPOCHS}/${EPOCHS}`))
      throw new Error(`the chart did not take every batch: "${progress}"`);
    // The last quarter: the redraws with the most points (75k to 100k).
    const tail = r.redraws.slice(Math.floor(r.redraws.length * 0.75));
    const report = {
      points: TOTAL,
      batchesPerMessage: BATCHES_PER_MESSAGE,
      messageMs: MESSAGE_MS,
      streamMs: Math.round(r.ms),
      drawnPoints: Number(r.points),
      redraws: r.redraws.length,
      redrawMs: {
        p50: round(quantile(r.redraws, 0.5)),
        p95: round(quantile(r.redraws, 0.95)),
        max: round(Math.max(...r.redraws)),
      },
      redrawLastQuarterMs: { p50: round(quantile(tail, 0.5)), p95: round(quantile(tail, 0.95)) },
      frameIntervalMs: {
        p50: round(quantile(r.intervals, 0.5)),
        p95: round(quantile(r.intervals, 0.95)),
      },
      jsHeapUsedMb: { before: round(heapBefore / 2 ** 20), after: round(heapAfter / 2 ** 20) },
      targetP95Ms: 16,
    };
    console.log(
      `renderer: ${TOTAL} points in ${r.redraws.length} redraws over ${report.streamMs} ms`,
    );
    console.table({
      'redraw (ms)': { ...report.redrawMs },
      'redraw, last quarter (ms)': report.redrawLastQuarterMs,
      'frame interval (ms)': report.frameIntervalMs,
    });
    console.log(
      `JSHeapUsedSize ${report.jsHeapUsedMb.before} MB before, ${report.jsHeapUsedMb.after} MB after; target redraw p95 < 16 ms: ${report.redrawMs.p95 < 16 ? 'met' : 'NOT met'}`,
    );
    console.log(`report: ${writeReport('renderer.json', report)}`);
  } finally {
    await harness.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
