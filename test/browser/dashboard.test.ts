/**
 * The built runs dashboard (dist/dashboard.js) in a real Chromium: a page stands in for VS
 * Code's webview panel (a fake `acquireVsCodeApi` whose state lives in sessionStorage, so it
 * survives a reload as the webview's does; the theme's CSS variables and body class; a CSP
 * like the panel's), sends synthetic runs, loaded outputs and live progress, and checks the
 * table, the overlay and every message the view posts. Screenshots in light, dark and high
 * contrast go to a temp folder (RNNLAB_SCREENSHOTS names another, or keeps it with `1`); with
 * RNNLAB_SCREENSHOTS set, the dark one is also copied to docs/images/dashboard-dark.png.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunEntry, RunOutput } from '../../kernels/protocol';
import { entryOf } from '../../kernels/runs';
import { openPage, type Harness } from './harness';
import { THEMES, themeCss, type ThemeName } from './themes';

const BUNDLE = 'dist/dashboard.js';
const EPOCHS = 20;
const BATCHES = 10;
const NOTEBOOK = 'file:///work/sine_playground.ipynb';
const OTHER = 'file:///work/dropout_study.ipynb';
const NOTEBOOKS = [
  { uri: NOTEBOOK, label: 'sine_playground.ipynb' },
  { uri: OTHER, label: 'dropout_study.ipynb' },
];

// The panel's CSP (scripts by nonce only; styles inline, as VS Code's webview samples allow).
const PAGE = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-t3st'; style-src 'unsafe-inline'; img-src data:;">
<style id="theme"></style>
<style>body { margin: 0; padding: 0; }</style></head>
<body><main id="root"></main><script nonce="t3st">
const posted = [];
window.acquireVsCodeApi = () => ({
  postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => JSON.parse(sessionStorage.getItem('state') ?? 'null'),
  setState: (s) => sessionStorage.setItem('state', JSON.stringify(s)),
});
window.harness = {
  posted,
  warnings: [],
  violations: [],
  async send(m) {
    window.postMessage(m, '*');
    await new Promise((r) => setTimeout(r, 0));
  },
  state: () => JSON.parse(sessionStorage.getItem('state') ?? 'null'),
  theme(bodyClass, css) {
    document.getElementById('theme').textContent = css;
    document.body.className = bodyClass;
  },
  frame: () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
};
document.addEventListener('securitypolicyviolation', (e) =>
  window.harness.violations.push(e.violatedDirective + ' ' + e.blockedURI));
const warn = console.warn;
console.warn = (...a) => (window.harness.warnings.push(a.join(' ')), warn(...a));
</script><script nonce="t3st" src="/dashboard.js"></script></body></html>`;

/** A validation curve: falls to `floor`, and after `turn` rises again by `overfit` an epoch. */
function curve(e: number, floor: number, speed: number, turn = EPOCHS, overfit = 0): number {
  const wobble = 0.002 * Math.sin(e * 2.1);
  return floor + 0.5 * Math.exp(-e / speed) + Math.max(0, e - turn) * overfit + wobble;
}

interface Fit {
  runId: string;
  model: string;
  description: string;
  params: number;
  startedAt: number;
  cell: number;
  val: (e: number) => number;
}

// This year's (the table then leaves the year out), at a fixed local time.
const STARTED = new Date(new Date().getFullYear(), 0, 14, 9, 12, 5).getTime();
const FITS: Fit[] = [
  {
    runId: 'x3-1',
    model: 'gru_baseline',
    description: 'GRU(32) → Dense(1)',
    params: 3393,
    startedAt: STARTED,
    cell: 3,
    val: (e) => curve(e, 0.06, 2.5, 7, 0.012),
  },
  {
    runId: 'x5-1',
    model: 'gru_dropout',
    description: 'GRU(32, dropout=0.2, recurrent_dropout=0.2) → Dense(1)',
    params: 3393,
    startedAt: STARTED + 95_000,
    cell: 4,
    val: (e) => curve(e, 0.045, 4),
  },
  {
    runId: 'x7-1',
    model: 'lstm_recurrent',
    description: 'LSTM(32, recurrent_dropout=0.3) → Dense(1)',
    params: 4385,
    startedAt: STARTED + 260_000,
    cell: 5,
    val: (e) => curve(e, 0.05, 3),
  },
];
const [A, B, C] = FITS as [Fit, Fit, Fit];

const epochLogs = (f: Fit, e: number) => {
  const val = f.val(e);
  const loss = val * 0.8 - 0.004 * e * (f === A ? 1 : 0.2);
  return { loss, mae: Math.sqrt(loss) * 0.7, val_loss: val, val_mae: Math.sqrt(val) * 0.7 };
};

function output(f: Fit, epochs: number, status: 'done' | 'running'): RunOutput {
  const history: Record<string, number[]> = { loss: [], mae: [], val_loss: [], val_mae: [] };
  for (let e = 0; e < epochs; e++)
    for (const [k, v] of Object.entries(epochLogs(f, e))) history[k]!.push(v);
  return {
    version: 4,
    runId: f.runId,
    model: f.model,
    description: f.description,
    params: f.params,
    history,
    batchLoss: [],
    batchLogs: {},
    batchesPerEpoch: BATCHES,
    epochs: EPOCHS,
    stopped: null,
    status,
    config: {},
    seed: status === 'done' ? 0 : null,
    epochMs: Array.from({ length: epochs }, (_, e) => 840 + 30 * Math.sin(e)),
  };
}

const entry = (o: RunOutput, f: Fit, status?: RunEntry['status']): RunEntry => ({
  ...entryOf(o, { startedAt: f.startedAt, cell: f.cell }),
  ...(status ? { status } : {}),
});
/** The runs message: oldest first, as the host sends them. */
const runsMessage = (
  runs: RunEntry[],
  notebooks = NOTEBOOKS,
  notebook: string | null = NOTEBOOK,
) => ({
  type: 'runs',
  notebooks,
  notebook,
  runs,
});
const ENTRIES = [
  entry(output(A, EPOCHS, 'done'), A),
  entry(output(B, EPOCHS, 'done'), B),
  entry(output(C, 0, 'running'), C),
];

/** Live progress of the running fit C over epochs [from, to): 2 messages an epoch. */
function progress(from: number, to: number, reset = false) {
  const msgs = [];
  for (let e = from; e < to; e++)
    for (const half of [0, 1]) {
      const batches = [];
      for (let b = half * 5; b < half * 5 + 5; b++) {
        const l = epochLogs(C, e).loss * (1.15 - b / 50);
        batches.push({ epoch: e, batch: b, logs: { loss: l, mae: Math.sqrt(l) * 0.7 } });
      }
      msgs.push({
        type: 'progress',
        runId: C.runId,
        reset: reset && e === from && half === 0,
        epochs: EPOCHS,
        batchesPerEpoch: BATCHES,
        batches,
        epochEnds: half ? [{ epoch: e, logs: epochLogs(C, e) }] : [],
        etaMs: (EPOCHS - e) * 850,
      });
    }
  return msgs;
}

let harness: Harness | undefined;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;
// Screenshots go to RNNLAB_SCREENSHOTS when it names a folder (kept; `1` keeps a temp folder),
// else to a temp folder removed after.
const keepShots = process.env['RNNLAB_SCREENSHOTS'];
const shots =
  keepShots && keepShots !== '1' ? keepShots : mkdtempSync(join(tmpdir(), 'rnnlab-dashboard-'));
mkdirSync(shots, { recursive: true });

before(async () => {
  harness = await openPage({
    html: PAGE,
    bundle: BUNDLE,
    at: '/dashboard.js',
    viewport: { width: 1180, height: 860 },
  });
  page = harness.page;
  await page.waitForSelector('.rnnlab-dash');
});

after(async () => {
  await harness?.close();
  if (keepShots) console.log(`screenshots: ${shots}`);
  else rmSync(shots, { recursive: true, force: true });
});

const h = (fn: string, ...args: unknown[]) =>
  page.evaluate(`window.harness.${fn}(${args.map((a) => JSON.stringify(a)).join(',')})`);
const send = (msg: unknown) => h('send', msg);
const frame = () => h('frame');
const setTheme = (name: ThemeName) => h('theme', THEMES[name].bodyClass, themeCss(name));
/** The messages posted since the last call. */
async function drain(): Promise<Array<Record<string, unknown>>> {
  return page.evaluate('window.harness.posted.splice(0)');
}
const rowIds = (): Promise<string[]> =>
  page.$$eval(
    '.rnnlab-runs-table > tbody > tr',
    (els: Array<{ dataset: Record<string, string> }>) => els.map((e) => e.dataset['runId']),
  );
const overlay = (): Promise<Record<string, string>> =>
  page.$eval('.rnnlab-overlay-chart', (el: { dataset: Record<string, string> }) => ({
    ...el.dataset,
  }));
const cell = (runId: string, sel: string): Promise<string> =>
  page.textContent(`tr[data-run-id="${runId}"] ${sel}`);
const select = (runId: string) => page.click(`tr[data-run-id="${runId}"] input[type=checkbox]`);
const button = (label: string) => `.rnnlab-toolbar vscode-button:has-text("${label}")`;
/** The loaded outputs the host sends in answer to Load. */
const OUTPUTS: Record<string, RunOutput> = {
  [A.runId]: output(A, EPOCHS, 'done'),
  [B.runId]: output(B, EPOCHS, 'done'),
  [C.runId]: output(C, 0, 'running'),
};
async function answerLoads(msgs: Array<Record<string, unknown>>): Promise<void> {
  for (const m of msgs)
    if (m['type'] === 'load')
      for (const id of m['runIds'] as string[])
        await send({ type: 'run', notebook: NOTEBOOK, output: OUTPUTS[id] });
}

test('Ready first, then the empty state until runs arrive', async () => {
  await setTheme('dark');
  assert.deepEqual(await drain(), [{ type: 'dashboardReady', notebook: null }]);
  assert.equal(await page.getAttribute('.rnnlab-dash', 'data-state'), 'loading');
  await send(runsMessage([], [], null));
  await frame();
  assert.equal(await page.getAttribute('.rnnlab-dash', 'data-state'), 'empty');
  assert.match(
    await page.textContent('.rnnlab-status-text'),
    /^No runs yet: run a cell with model\.fit\(\.\.\.\) in a playground, its run appears here\.$/,
  );
  assert.equal(await page.isVisible('table'), false);
  await page.screenshot({ path: join(shots, 'empty-dark.png'), fullPage: true });
});

test('the table lists the runs newest first; selecting two loads them and overlays both', async () => {
  await send(runsMessage(ENTRIES));
  await frame();
  assert.equal(await page.getAttribute('.rnnlab-dash', 'data-state'), 'runs');
  assert.deepEqual(await rowIds(), ['x7-1', 'x5-1', 'x3-1']);
  assert.match(await cell('x5-1', '.rnnlab-model'), /gru_dropout/);
  assert.match(await cell('x5-1', '.rnnlab-best'), /^0\.0\d+epoch \d+$/);
  assert.match(
    await cell('x3-1', '.rnnlab-best'),
    /epoch 9$/,
    'A overfits after epoch 9 (1-based)',
  );
  assert.match(await cell('x5-1', 'td:nth-child(6)'), /^8\d\dms$/, 'time per epoch');
  assert.match(await cell('x7-1', '.rnnlab-status'), /running 0\/20\s*Stop/);
  assert.equal(await page.isVisible('#rnnlab-notebook'), true, 'a picker for two notebooks');
  assert.match(await page.textContent('.rnnlab-empty[role=status]'), /Select runs/);
  assert.equal(await page.getAttribute(button('Export CSV'), 'disabled'), '');

  await select('x3-1');
  await select('x5-1');
  const loads = await drain();
  assert.deepEqual(loads, [
    { type: 'load', runIds: ['x3-1'] },
    { type: 'load', runIds: ['x5-1'] },
  ]);
  await frame();
  assert.match(await page.textContent('.rnnlab-overlay .rnnlab-empty'), /Loading 2 runs/);
  await answerLoads(loads);
  await frame();
  const o = await overlay();
  assert.equal(o['metric'], 'loss');
  assert.equal(o['series'], '4', 'each run: loss and val_loss');
  assert.equal(o['runs'], 'x5-1,x3-1');
  assert.equal(o['points'], String(EPOCHS));
  assert.match(
    await page.getAttribute('.rnnlab-overlay-chart .rnnlab-plot', 'aria-label'),
    /gru_baseline/,
  );
  assert.deepEqual(await h('state'), {
    notebook: NOTEBOOK,
    selected: ['x3-1', 'x5-1'],
  });
  // Each selected run has its colour in the table as in the chart.
  assert.equal(
    await page.getAttribute('tr[data-run-id="x3-1"] .rnnlab-swatch', 'data-colour'),
    '0',
  );
  assert.equal(
    await page.getAttribute('tr[data-run-id="x5-1"] .rnnlab-swatch', 'data-colour'),
    '1',
  );
  assert.equal(
    await page.getAttribute('tr[data-run-id="x7-1"] .rnnlab-swatch', 'data-colour'),
    null,
  );
  assert.match(await page.textContent('.rnnlab-count'), /2 of 3 runs selected/);
});

test('the metric picker, by keyboard: mae for both runs, saved in the state', async () => {
  await page.focus('#rnnlab-metric');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await frame();
  assert.equal((await overlay())['metric'], 'mae');
  assert.equal((await overlay())['series'], '4');
  assert.equal((await h('state'))['metric'], 'mae');
  // The log scale toggle redraws the same series.
  await page.click('.rnnlab-chart-bar vscode-checkbox');
  await frame();
  assert.equal((await h('state'))['log'], true);
  assert.equal((await overlay())['series'], '4');
  await page.click('.rnnlab-chart-bar vscode-checkbox');
  await page.evaluate(`(() => {
    const s = document.querySelector('#rnnlab-metric');
    s.value = 'loss';
    s.dispatchEvent(new Event('change'));
  })()`);
  await frame();
  assert.equal((await overlay())['metric'], 'loss');
  assert.deepEqual(await drain(), [], 'no message for view settings');
});

test('a running run follows its live progress, in the table and in the overlay', async () => {
  // Progress of a run not loaded updates its row only.
  for (const m of progress(0, 2)) await send(m);
  await frame();
  assert.match(await cell('x7-1', '.rnnlab-status'), /running 2\/20/);
  await select('x7-1');
  const loads = await drain();
  assert.deepEqual(loads, [{ type: 'load', runIds: ['x7-1'] }]);
  // The backlog (a reset) may come before the output it follows: applied on top of it.
  for (const m of progress(0, 3, true)) await send(m);
  await answerLoads(loads);
  for (const m of progress(3, 6)) await send(m);
  await frame();
  assert.equal(
    await page.getAttribute('.rnnlab-legend li[data-run-id="x7-1"]', 'data-epochs'),
    '6',
  );
  let o = await overlay();
  assert.equal(o['series'], '6', 'three runs: loss and val_loss each');
  assert.equal(o['runs'], 'x7-1,x5-1,x3-1');
  assert.match(await cell('x7-1', '.rnnlab-status'), /running 6\/20/);
  assert.match(await cell('x7-1', '.rnnlab-best'), /epoch 6$/);
  for (const m of progress(6, 9)) await send(m);
  await frame();
  o = await overlay();
  assert.equal(o['series'], '6');
  assert.equal(
    await page.getAttribute('.rnnlab-legend li[data-run-id="x7-1"]', 'data-epochs'),
    '9',
  );
  assert.match(await cell('x7-1', '.rnnlab-status'), /running 9\/20/);
  // The host's list, sent again while the run goes on, does not set its row back.
  await send(runsMessage(ENTRIES));
  await frame();
  assert.match(await cell('x7-1', '.rnnlab-status'), /running 9\/20/);
  assert.deepEqual(await drain(), []);
});

test('Export, Save PNG, Stop and Delete post their messages with the selection', async () => {
  await page.click(button('Export CSV'));
  await page.focus(button('Export JSON'));
  await page.keyboard.press('Enter');
  assert.deepEqual(await drain(), [
    { type: 'export', format: 'csv', runIds: ['x7-1', 'x5-1', 'x3-1'] },
    { type: 'export', format: 'json', runIds: ['x7-1', 'x5-1', 'x3-1'] },
  ]);

  await page.click(button('Save PNG'));
  const [png] = await drain();
  assert.equal(png?.['type'], 'savePng');
  const url = String(png?.['dataUrl']);
  assert.match(url, /^data:image\/png;base64,/);
  const size = await page.evaluate(`(async () => {
    const img = new Image();
    img.src = ${JSON.stringify(url)};
    await img.decode();
    return [img.width, img.height];
  })()`);
  assert.ok(size[0] > 600 && size[1] > 300, `the PNG is the chart's size: ${size}`);
  writeFileSync(join(shots, 'overlay.png'), Buffer.from(url.split(',')[1]!, 'base64'));

  // Two clicks in one task, before any render can disable the button (CI once saw two stops).
  await page.$eval('tr[data-run-id="x7-1"] vscode-button', (b: { click(): void }) => {
    b.click();
    b.click();
  });
  await page.click('tr[data-run-id="x7-1"] vscode-button', { force: true });
  assert.deepEqual(await drain(), [{ type: 'stop', runId: 'x7-1' }], 'one stop, then disabled');
  await frame();
  assert.match(await cell('x7-1', '.rnnlab-status'), /Stopping…/);

  // Delete asks the host (which asks the user); the rows go when the host's list says so.
  await select('x7-1');
  await page.click(button('Delete'));
  assert.deepEqual(await drain(), [{ type: 'delete', runIds: ['x5-1', 'x3-1'] }]);
  assert.equal((await rowIds()).length, 3);
  await select('x7-1');
  assert.deepEqual(await drain(), [], 'C is loaded already');
});

test('a run that ends is loaded again; deleted runs leave the table and the overlay', async () => {
  const stopped = { ...entry(output(C, 9, 'done'), C), status: 'stopped' as const };
  OUTPUTS[C.runId] = { ...output(C, 9, 'done'), stopped: 'user' };
  await send(runsMessage([ENTRIES[0]!, ENTRIES[1]!, stopped]));
  await frame();
  assert.equal(await page.isVisible('tr[data-run-id="x7-1"] vscode-button'), false, 'no Stop');
  assert.match(await cell('x7-1', '.rnnlab-status'), /^stopped 9\/20$/);
  const loads = await drain();
  assert.deepEqual(loads, [{ type: 'load', runIds: ['x7-1'] }], 'its final output');
  await answerLoads(loads);
  await send(runsMessage([ENTRIES[1]!, stopped]));
  await frame();
  assert.deepEqual(await rowIds(), ['x7-1', 'x5-1']);
  const o = await overlay();
  assert.equal(o['runs'], 'x7-1,x5-1');
  assert.equal(o['series'], '4');
  assert.deepEqual((await h('state'))['selected'], ['x5-1', 'x7-1']);
  await send(runsMessage(ENTRIES.slice(0, 2).concat(stopped)));
  await frame();
});

test('invalid messages are ignored with a warning, and change nothing', async () => {
  const before = await rowIds();
  await send({ type: 'runs', notebooks: [], notebook: NOTEBOOK, runs: 'all of them' });
  await send({ type: 'run', notebook: NOTEBOOK, output: { nope: true } });
  await send({ type: 'progress', runId: 'x7-1' });
  await send({ type: 'eval', code: 'alert(1)' });
  await send('runs');
  // Valid, but of another notebook than the one shown: ignored.
  await send({ type: 'run', notebook: OTHER, output: OUTPUTS[A.runId] });
  await frame();
  const warnings = await page.evaluate('window.harness.warnings');
  assert.equal(warnings.filter((w: string) => /ignored a message/.test(w)).length, 5);
  assert.deepEqual(await rowIds(), before);
  assert.deepEqual(harness!.failed, []);
});

test('the notebook picker asks for another notebook; its runs replace the selection', async () => {
  await page.focus('#rnnlab-notebook');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.deepEqual(await drain(), [{ type: 'show', notebook: OTHER }]);
  await send(runsMessage([{ ...ENTRIES[0]!, runId: 'y1-1' }], NOTEBOOKS, OTHER));
  await frame();
  assert.deepEqual(await rowIds(), ['y1-1']);
  assert.deepEqual(await h('state'), {
    notebook: OTHER,
    selected: [],
    metric: 'loss',
    log: false,
  });
  // Back to the first notebook with two runs selected, for what follows.
  await send(runsMessage(ENTRIES.slice(0, 2).concat(ENTRIES[2]!)));
  await select('x3-1');
  await select('x5-1');
  await answerLoads(await drain());
  await frame();
});

test('the state survives a reload: Ready names the notebook, the selection is loaded again', async () => {
  await page.reload();
  await page.waitForSelector('.rnnlab-dash');
  await setTheme('dark');
  assert.deepEqual(await drain(), [{ type: 'dashboardReady', notebook: NOTEBOOK }]);
  OUTPUTS[C.runId] = output(C, 0, 'running');
  await send(runsMessage(ENTRIES));
  const loads = await drain();
  assert.deepEqual(loads, [{ type: 'load', runIds: ['x3-1', 'x5-1'] }]);
  await answerLoads(loads);
  await frame();
  assert.equal((await overlay())['runs'], 'x5-1,x3-1');
  assert.equal(await page.isChecked('tr[data-run-id="x3-1"] input'), true);
  // By keyboard: Space on a row's checkbox.
  await page.focus('tr[data-run-id="x3-1"] input');
  await page.keyboard.press('Space');
  await frame();
  assert.equal((await overlay())['runs'], 'x5-1');
  await page.keyboard.press('Space');
  await frame();
  assert.equal((await overlay())['runs'], 'x5-1,x3-1');
  assert.deepEqual(await drain(), [], 'loaded already');
});

test('screenshots in light, dark and high contrast', async () => {
  // Three runs overlaid, one of them running; the page as high as its content.
  await page.setViewportSize({ width: 1180, height: 600 });
  await select('x7-1');
  await answerLoads(await drain());
  for (const m of progress(0, 9, true)) await send(m);
  for (const name of Object.keys(THEMES) as ThemeName[]) {
    await setTheme(name);
    await page.mouse.move(0, 0);
    await page.evaluate('document.activeElement?.blur()');
    await frame();
    await page.screenshot({ path: join(shots, `dashboard-${name}.png`), fullPage: true });
  }
  // The legend reads the values at the cursor's epoch.
  await page.hover('.rnnlab-plot .u-over', { position: { x: 420, y: 100 } });
  await frame();
  assert.match(await page.textContent('.rnnlab-hover-epoch'), /^epoch \d+$/);
  assert.match(
    await page.textContent('.rnnlab-legend li[data-colour="0"] .rnnlab-value'),
    /^[\d.]+ · val [\d.]+$/,
  );
  await page.screenshot({ path: join(shots, 'dashboard-high-contrast-hover.png'), fullPage: true });
  await page.mouse.move(0, 0);
  if (keepShots) copyFileSync(join(shots, 'dashboard-dark.png'), 'docs/images/dashboard-dark.png');
  const violations = await page.evaluate('window.harness.violations');
  assert.deepEqual(violations, [], 'nothing the panel CSP forbids');
  assert.deepEqual(harness!.failed, [], 'no request outside the page, no page error');
});
