/**
 * The built notebook renderer (dist/renderer.js) in a real Chromium: a page stands in for VS
 * Code's notebook webview (a fake RendererContext, the theme's CSS variables and body class),
 * feeds a synthetic training stream and checks what is drawn; screenshots in light, dark and high
 * contrast go to a temp folder (RNNLAB_SCREENSHOTS names another) for a person to look at.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { harnessSuite, rendererPage } from './suite';
import { THEMES, type ThemeName } from './themes';

const BUNDLE = 'dist/renderer.js';
const RUN_ID = 'x1-1';
const EPOCHS = 4;
const BATCHES = 60;

const PAGE = rendererPage(760);

/** The stub the controller writes at the fit's start (kernels/protocol.ts liveRunOutput). */
const STUB = {
  version: 2,
  runId: RUN_ID,
  model: 'gru_recurrent_dropout',
  description: 'GRU(32, recurrent_dropout=0.2) → GRU(32, dropout=0.2) → Dense(1)',
  params: 9697,
  history: {},
  batchLoss: [],
  batchLogs: {},
  batchesPerEpoch: BATCHES,
  epochs: EPOCHS,
  stopped: null,
  status: 'running',
  config: {
    optimizer: { name: 'adam', learningRate: 0.001 },
    loss: { name: 'mse' },
    batch_size: 32,
    metrics: ['mae'],
  },
  seed: null,
};

/** A noisy, decaying loss with a spike, as a real fit gives. */
function lossAt(step: number): number {
  const base = 0.05 + 0.9 * Math.exp(-step / 50);
  const noise = 0.08 * Math.sin(step * 1.7) * Math.cos(step * 0.31) * base * 4;
  return step === 97 ? base * 3 : Math.max(0.01, base + noise);
}

/** The progress messages of epochs [from, to), one message per 6 batches as the worker coalesces. */
function stream(from: number, to: number) {
  const msgs = [];
  for (let e = from; e < to; e++) {
    for (let b = 0; b < BATCHES; b += 6) {
      const batches = [];
      for (let k = b; k < b + 6; k++) {
        const l = lossAt(e * BATCHES + k);
        batches.push({ epoch: e, batch: k, logs: { loss: l, mae: Math.sqrt(l) * 0.8 } });
      }
      const last = b + 6 >= BATCHES;
      const l = lossAt(e * BATCHES + BATCHES - 1);
      msgs.push({
        type: 'progress',
        runId: RUN_ID,
        reset: false,
        epochs: EPOCHS,
        batchesPerEpoch: BATCHES,
        batches,
        epochEnds: last
          ? [
              {
                epoch: e,
                logs: {
                  loss: l * 1.02,
                  mae: Math.sqrt(l) * 0.8,
                  val_loss: l * 1.25 + 0.02,
                  val_mae: Math.sqrt(l),
                },
              },
            ]
          : [],
        etaMs: ((EPOCHS - e) * BATCHES - b) * 180,
      });
    }
  }
  return msgs;
}

/** The saved output at the end: what the kernel writes (kernels/fit.ts runDisplay). */
function finalOutput() {
  const loss: number[] = [];
  const mae: number[] = [];
  for (let s = 0; s < EPOCHS * BATCHES; s++) {
    loss.push(lossAt(s));
    mae.push(Math.sqrt(lossAt(s)) * 0.8);
  }
  const history: Record<string, number[]> = { loss: [], mae: [], val_loss: [], val_mae: [] };
  for (let e = 0; e < EPOCHS; e++) {
    const l = lossAt(e * BATCHES + BATCHES - 1);
    history['loss']!.push(l * 1.02);
    history['mae']!.push(Math.sqrt(l) * 0.8);
    history['val_loss']!.push(l * 1.25 + 0.02);
    history['val_mae']!.push(Math.sqrt(l));
  }
  return { ...STUB, status: 'done', history, batchLoss: loss, batchLogs: { loss, mae }, seed: 0 };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;
const suite = harnessSuite({
  name: 'renderer',
  html: PAGE,
  bundle: BUNDLE,
  at: '/renderer.js',
  viewport: { width: 800, height: 700 },
  noFailedRequests: true,
  onPage: (p) => (page = p),
});
const { h, setTheme, shots } = suite;
const attr = (sel: string, name: string) =>
  page.$eval(
    sel,
    (el: { getAttribute(n: string): string | null }, n: string) => el.getAttribute(n),
    name,
  );
const seriesCounts = (): Promise<Record<string, string>> =>
  page.$$eval('.rnnlab-chart', (els: Array<{ dataset: Record<string, string | undefined> }>) =>
    Object.fromEntries(els.map((e) => [e.dataset['metric'], e.dataset['series']])),
  );

test('a live run: ready, the stream drawn per frame, toggles, Stop posts a stop message', async () => {
  await setTheme('dark');
  await h('render', STUB);
  const posted = () => page.evaluate('window.harness.posted');
  assert.deepEqual(await posted(), [{ type: 'ready', runId: RUN_ID }], 'a live view says ready');
  assert.match(await page.textContent('.rnnlab-progress'), /starting: 4 epochs/);
  assert.match(
    await page.textContent('.rnnlab-title'),
    /gru_recurrent_dropout\s+GRU\(32, recurrent_dropout=0\.2\)/,
  );
  assert.match(
    await page.textContent('.rnnlab-config'),
    /9,697 parameters · adam \(lr 0\.001\) · loss mse · 4 epochs × 60 batches of 32/,
  );

  // A burst of messages in one task: one redraw at the next frame.
  for (const m of stream(0, 3)) await h('send', m);
  // Progress of another run and a malformed message change nothing.
  await h('send', { ...stream(3, 4)[0], runId: 'other' });
  await h('send', { type: 'progress', runId: RUN_ID });
  await h('frame');
  assert.match(await page.evaluate('window.harness.warnings.join()'), /ignored a message/);
  assert.deepEqual(
    await seriesCounts(),
    { loss: '4', mae: '4' },
    'raw, smoothed, epoch, validation',
  );
  assert.equal(await attr('.rnnlab-chart[data-metric=loss]', 'data-points'), String(3 * BATCHES));
  assert.match(await page.textContent('.rnnlab-progress'), /epoch 3\/4 · batch 60\/60 · ETA \d+s/);
  assert.match(
    await attr('.rnnlab-chart[data-metric=loss]', 'aria-label'),
    /loss per batch and per epoch, last epoch [\d.]+, validation [\d.]+/,
  );
  await page.hover('.rnnlab-chart[data-metric=loss] .u-over', { position: { x: 300, y: 60 } });
  await h('frame');
  const readout = await page.$$eval(
    '.rnnlab-chart[data-metric=loss] .u-legend .u-value',
    (els: Array<{ textContent: string | null }>) => els.map((e) => e.textContent),
  );
  assert.ok(
    readout.some((v: string) => /^\d/.test(v)),
    `the hover readout shows values: ${readout}`,
  );
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(shots, 'live-dark.png'), fullPage: true });

  // Smoothing 0: the raw line alone (no smoothed series); by keyboard on the slider.
  await page.focus('input[type=range]');
  await page.evaluate(
    `(() => { const i = document.querySelector('input[type=range]'); i.value = '0.01'; })()`,
  );
  await page.keyboard.press('ArrowLeft');
  await h('frame');
  assert.equal(await page.inputValue('input[type=range]'), '0');
  assert.deepEqual(await seriesCounts(), { loss: '3', mae: '3' });
  await page.keyboard.press('ArrowRight');
  await h('frame');
  assert.deepEqual(await seriesCounts(), { loss: '4', mae: '4' });

  // Log scale, with the keyboard too (Tab to the checkbox, Space).
  assert.equal(await attr('.rnnlab-run', 'data-log'), 'false');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await h('frame');
  assert.equal(await attr('.rnnlab-run', 'data-log'), 'true', 'Space on the focused checkbox');
  await page.click('vscode-checkbox');
  await h('frame');
  assert.equal(await attr('.rnnlab-run', 'data-log'), 'false');

  // Stop: one stop message, then the button says it is stopping.
  await page.click('vscode-button');
  await page.click('vscode-button', { force: true }); // disabled now: a second press sends nothing
  assert.deepEqual((await posted()).slice(1), [{ type: 'stop', runId: RUN_ID }]);
  assert.match(await page.textContent('vscode-button'), /Stopping/);

  // The rest of the stream, then the final output replaces the live one (same element).
  for (const m of stream(3, 4)) await h('send', m);
  await h('render', finalOutput());
  await h('frame');
  assert.equal(await attr('.rnnlab-run', 'data-status'), 'done');
  assert.equal(await page.isVisible('vscode-button'), false, 'no Stop on a finished run');
  assert.match(await page.textContent('.rnnlab-progress'), /^4\/4 epochs$/);
  assert.deepEqual(await seriesCounts(), { loss: '4', mae: '4' });
  assert.equal((await posted()).length, 2, 'a finished run does not say ready');
});

test('the settings of a run survive a re-render (renderer state)', async () => {
  await h('render', finalOutput());
  await page.evaluate(
    `(() => { const i = document.querySelector('input[type=range]'); i.value = '0.9'; i.dispatchEvent(new Event('input')); })()`,
  );
  await page.click('vscode-checkbox');
  await h('render', finalOutput());
  await h('frame');
  assert.equal(await page.inputValue('input[type=range]'), '0.9');
  assert.equal(await attr('.rnnlab-run', 'data-log'), 'true');
  await page.click('vscode-checkbox');
  await page.evaluate(
    `(() => { const i = document.querySelector('input[type=range]'); i.value = '0.6'; i.dispatchEvent(new Event('input')); })()`,
  );
});

test('a version 1 output (per-batch loss only) still renders', async () => {
  const v1 = finalOutput() as Record<string, unknown>;
  delete v1['batchLogs'];
  delete v1['status'];
  delete v1['description'];
  await h('render', { ...v1, version: 1 });
  await h('frame');
  assert.deepEqual(await seriesCounts(), { loss: '4', mae: '2' });
  await h('render', { nonsense: true });
  assert.match(
    await page.textContent('#out'),
    /cannot draw this run: the run output has no schema version/,
  );
});

test('screenshots in light, dark and high contrast', async () => {
  for (const name of Object.keys(THEMES) as ThemeName[]) {
    await setTheme(name);
    await h('render', STUB);
    for (const m of stream(0, 3)) await h('send', m);
    await h('frame');
    await page.screenshot({ path: join(shots, `live-${name}.png`), fullPage: true });
    await h('render', finalOutput());
    await h('frame');
    await page.screenshot({ path: join(shots, `final-${name}.png`), fullPage: true });
  }
  // The theme changes in place (VS Code swaps the body class): colours are read again.
  await setTheme('light');
  await h('frame');
  assert.equal(await page.evaluate('document.body.className'), 'vscode-light');
});
