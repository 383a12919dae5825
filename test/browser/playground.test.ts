/**
 * The web playground (dist/web/, built by scripts/build.mjs) in a real Chromium, served by the
 * plain static server of `npm start -- --web` (scripts/serve-web.mjs): typing a model into a
 * cell, DR101 on its Dropout as a monaco marker, the quick fix, a fit with the live chart, an
 * interrupt, the notebook kept across a reload, a share link; screenshots in light and dark.
 * Then the same files without the isolation headers: the page still analyses (JavaScript
 * workers only, no server beyond static files) and Interrupt restarts the kernel.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPage, type Harness } from './harness';
import { serveWeb, type WebServer } from '../../scripts/serve-web.mjs';

const ROOT = 'dist/web';
const WAIT_MS = 30_000;

const DATA = `from keras import Input, Sequential
from keras.layers import GRU, Dense, Dropout
from rnnlab import datasets

(x_train, y_train), (x_val, y_val) = datasets.sine(samples=192, timesteps=12, features=16, seed=0)`;
const MODEL = `model = Sequential([Input((None, 16)), GRU(64, return_sequences=True), Dropout(0.5), GRU(32), Dense(1)])
model.compile(optimizer="adam", loss="mse")`;
const FIT = `model.fit(x_train, y_train, epochs=3, batch_size=4, validation_data=(x_val, y_val))`;
const LONG_FIT = `model.fit(x_train, y_train, epochs=500, batch_size=16)`;
const MASKS = `import rnnlab\nrnnlab.show_masks(model, x_train)`;
const CSV_CELL = `(xc, yc), (xv, yv) = datasets.csv("levels.csv", window=4, target="y")
print(xc.shape, yc.shape)`;
/** A small series for datasets.csv: a header and 30 rows. */
const LEVELS = `x,y\n${Array.from({ length: 30 }, (_, i) => `${i},${Math.sin(i / 3).toFixed(4)}`).join('\n')}\n`;

const keepShots = process.env['RNNLAB_SCREENSHOTS'];
const shots = keepShots ?? mkdtempSync(join(tmpdir(), 'rnnlab-playground-'));

interface Marker {
  uri: string;
  code: string;
  line: number;
  column: number;
  message: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Page = any;

/** Replaces cell n's text the way a user pastes it (no auto-closed brackets). */
async function setCell(page: Page, n: number, text: string): Promise<void> {
  await page.locator(`.cell:nth-child(${n}) .view-lines`).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

const markers = (page: Page): Promise<Marker[]> => page.evaluate('window.playground.markers()');
const cellText = (page: Page, n: number): Promise<string> =>
  page.evaluate(`window.playground.cellText(${n})`);
/** The text of cell n's outputs. */
const outputText = (page: Page, n: number): Promise<string> =>
  page.locator(`.cell:nth-child(${n}) .outputs`).innerText();

/** The playground opened on `server`, with its requests watched. */
async function open(
  server: WebServer,
  url = server.url,
): Promise<{ harness: Harness; requests: string[] }> {
  const requests: string[] = [];
  const harness = await openPage({
    html: '',
    bundle: `${ROOT}/index.html`,
    at: '',
    url,
    viewport: { width: 1100, height: 1000 },
  });
  harness.page.on('request', (r: { url(): string }) => requests.push(r.url()));
  await harness.page.waitForFunction(
    'window.playground !== undefined && document.querySelector(".cell") !== null',
  );
  return { harness, requests };
}

describe('the playground, cross-origin isolated', () => {
  let server: WebServer;
  let harness: Harness;
  let page: Page;
  const served: Array<{ path: string; status: number }> = [];
  let requests: string[] = [];

  before(async () => {
    server = await serveWeb({
      root: ROOT,
      onRequest: (path, status) => served.push({ path, status }),
    });
    ({ harness, requests } = await open(server));
    page = harness.page;
  });
  after(async () => {
    await harness?.close();
    await server?.close();
  });

  test('the page, its workers and its CSS and font come from the static server alone', async () => {
    assert.equal(await page.evaluate('crossOriginIsolated'), true, 'COOP/COEP make it isolated');
    // The template's cells are analysed: the language server worker answered.
    await page.waitForFunction('window.playground.published.length > 0', null, {
      timeout: WAIT_MS,
    });
    const paths = served.map((s) => s.path);
    for (const p of ['/', '/playground.js', '/playground.css', '/server.js', '/editor.worker.js'])
      assert.ok(paths.includes(p), `${p} served (${paths.join(' ')})`);
    // monaco's icon font: loaded from the page's folder (no remote fonts).
    await page.evaluate('document.fonts.load("16px codicon")');
    assert.ok(
      served.some((s) => /^\/codicon-\w+\.ttf$/.test(s.path)),
      'the codicon font is served locally',
    );
    assert.deepEqual(
      served.filter((s) => s.status !== 200),
      [],
      'nothing missing',
    );
    assert.deepEqual(
      requests.filter(
        (u) => !u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:'),
      ),
      [],
      'no request leaves the page',
    );
    assert.deepEqual(harness.failed, []);
  });

  test('a model typed into a cell gets DR101 on its Dropout, and the quick fix moves the rate', async () => {
    await setCell(page, 2, DATA);
    await setCell(page, 3, MODEL);
    await setCell(page, 4, FIT);
    await page.waitForFunction(
      'window.playground.markers().some((m) => m.code === "DR101")',
      null,
      { timeout: WAIT_MS },
    );
    const dr101 = (await markers(page)).filter((m) => m.code === 'DR101');
    assert.equal(dr101.length, 1);
    const m = dr101[0]!;
    assert.match(m.uri, /cell-\d+\.rnnlab$/);
    assert.equal(m.line, 1);
    assert.equal(m.column, MODEL.indexOf('Dropout(0.5)') + 1, 'on the Dropout call');
    assert.match(m.message, /Dropout\(0\.5\) on a \(None, None, 64\) sequence draws a new mask/);
    // Shape hints: the server's inlay hints, drawn in the cell after each layer call.
    await page.waitForFunction(
      `document.querySelector(".cell:nth-child(3) .view-lines").innerText.replace(/\\u00a0/g, " ").includes("→ (None, None, 64)")`,
      null,
      { timeout: WAIT_MS },
    );

    // The hover of a layer: its output shape and parameter count, as in VS Code.
    await page.locator('.cell:nth-child(3) .view-lines').click();
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < MODEL.indexOf('GRU(64') + 1; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover-content', { hasText: 'GRU' });
    await hover.first().waitFor({ timeout: WAIT_MS });
    assert.match(await hover.first().innerText(), /GRU → \(None, None, 64\) · 15,744 params/);
    await page.keyboard.press('Escape');

    // The quick fix, as a user reaches it: the cursor on the Dropout, Ctrl+. and the preferred fix.
    await page.locator('.cell:nth-child(3) .view-lines').click();
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < m.column + 2; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', {
      hasText: 'Move the rate into GRU(dropout=0.5)',
    });
    await fix.waitFor({ timeout: WAIT_MS });
    await fix.click();
    await page.waitForFunction(
      '!window.playground.markers().some((m) => m.code === "DR101")',
      null,
      { timeout: WAIT_MS },
    );
    const fixed = await cellText(page, 3);
    assert.match(fixed, /GRU\(32, dropout=0\.5\)/);
    assert.doesNotMatch(fixed, /Dropout\(0\.5\)/);
    // The fix's WorkspaceEdit spans cells: the import it no longer needs goes too.
    assert.equal(await cellText(page, 2), DATA.replace('GRU, Dense, Dropout', 'GRU, Dense'));
  });

  test('Shift+Enter runs cells; a fit draws the live chart with the renderer of the extension', async () => {
    for (const n of [2, 3]) {
      await page.locator(`.cell:nth-child(${n}) .view-lines`).click();
      await page.keyboard.press('Shift+Enter');
      await page.waitForSelector(`.cell:nth-child(${n}) .count:text("[${n - 1}]")`, {
        timeout: WAIT_MS,
      });
      assert.doesNotMatch(await outputText(page, n), /Error|error/, `cell ${n} ran cleanly`);
    }
    await page.locator('.cell:nth-child(4) button.run').click();
    const chart = page.locator('.cell:nth-child(4) .rnnlab-run');
    await chart.waitFor({ timeout: WAIT_MS });
    // While it runs, progress reaches the chart (LiveRuns counts what it delivered).
    await page.waitForFunction('window.playground.live.delivered > 0', null, { timeout: WAIT_MS });
    await page.waitForSelector('.cell:nth-child(4) .rnnlab-run[data-status="done"]', {
      timeout: WAIT_MS,
    });
    assert.ok((await page.evaluate('window.playground.live.delivered')) >= 2, 'several updates');
    assert.ok((await chart.locator('canvas').count()) > 0, 'uPlot drew the curves');
    assert.match(await chart.innerText(), /3\/3 epochs/);
    assert.match(await chart.innerText(), /3 epochs × 39 batches of 4/);
    await page.screenshot({ path: join(shots, 'playground-light.png') });
  });

  test('Interrupt stops a long fit after its batch; the namespace survives', async () => {
    await page.locator('.cell:nth-child(4) .tool[title="Add a code cell below"]').click();
    await setCell(page, 5, LONG_FIT);
    await page.locator('.cell:nth-child(5) button.run').click();
    await page.waitForSelector('.cell:nth-child(5) .rnnlab-run', { timeout: WAIT_MS });
    const before = (await page.evaluate('window.playground.live.delivered')) as number;
    await page.waitForFunction(`window.playground.live.delivered > ${before}`, null, {
      timeout: WAIT_MS,
    });
    const stopped = Date.now();
    await page.locator('#interrupt').click();
    await page.waitForSelector('.cell:nth-child(5) .output pre.error', { timeout: WAIT_MS });
    // A KeyboardInterrupt, not a restart: the flag stopped it (a terminated worker says so).
    assert.ok(Date.now() - stopped < 10_000, 'within a few batches');
    assert.match(await outputText(page, 5), /KeyboardInterrupt/);
    assert.doesNotMatch(await outputText(page, 5), /restarted/);
    assert.match(await page.locator('#kernel-status').innerText(), /after the batch/);
    // The trained model is still there: the data cell's names too.
    await setCell(page, 5, 'print(x_val.shape)');
    await page.locator('.cell:nth-child(5) button.run').click();
    await page.waitForSelector('.cell:nth-child(5) .output pre.stdout', { timeout: WAIT_MS });
    assert.match(await outputText(page, 5), /\(\d+, 12, 16\)/);
    // The masks view of the renderer, as in VS Code: the GRU's dropout= mask the fix set up.
    await setCell(page, 5, MASKS);
    await page.locator('.cell:nth-child(5) button.run').click();
    await page.waitForSelector('.cell:nth-child(5) .rnnlab-mask', { timeout: WAIT_MS });
    assert.match(
      await outputText(page, 5),
      /gru_\d+ · dropout= \(inputs\)[\s\S]*the same \d+ of 64 units dropped at every timestep/,
    );
  });

  test('datasets.csv reads an uploaded file; before the upload the error names it', async () => {
    await page.locator('.cell:nth-child(5) .tool[title="Add a code cell below"]').click();
    await setCell(page, 6, CSV_CELL);
    await page.locator('.cell:nth-child(6) button.run').click();
    await page.waitForSelector('.cell:nth-child(6) .output pre.error', { timeout: WAIT_MS });
    assert.match(
      await outputText(page, 6),
      /CSV file not found: 'levels\.csv'.*upload it with the page's Data button \(nothing is uploaded yet\)/s,
    );
    const chooser = page.waitForEvent('filechooser');
    await page.locator('#data').click();
    await (
      await chooser
    ).setFiles({ name: 'levels.csv', mimeType: 'text/csv', buffer: Buffer.from(LEVELS) });
    await page.waitForFunction('document.querySelector("#uploads").textContent === "levels.csv"');
    await page.locator('.cell:nth-child(6) button.run').click();
    await page.waitForSelector('.cell:nth-child(6) .output pre.stdout', { timeout: WAIT_MS });
    assert.match(await outputText(page, 6), /^\(\d+, 4, 2\) \(\d+, 1\)$/m);
  });

  test('Save writes the notebook as Jupyter does; an example is one click away; Open reads it back', async () => {
    // The download and upload fallbacks (browsers without the File System Access API).
    await page.evaluate(
      'window.showSaveFilePicker = undefined; window.showOpenFilePicker = undefined',
    );
    await page.waitForTimeout(600);
    const download = page.waitForEvent('download');
    await page.locator('#save').click();
    const file = (await (await download).path()) as string;
    const text = readFileSync(file, 'utf8');
    assert.ok(text.startsWith('{\n "cells": [\n  {\n'), 'indent 1, sorted keys');
    assert.ok(text.endsWith('}\n'));
    const nb = JSON.parse(text) as {
      nbformat: number;
      cells: Array<{ cell_type: string; source: string[]; outputs?: Array<{ data?: object }> }>;
    };
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.cells.length, 6);
    assert.match(nb.cells[2]!.source.join(''), /GRU\(32, dropout=0\.5\)/);
    assert.ok(
      nb.cells[3]!.outputs?.some((o) => o.data && 'application/vnd.rnnlab.run+json' in o.data),
      'the run is saved with the notebook',
    );

    await page.locator('#examples').selectOption('sine.rnnlab');
    await page.waitForFunction('window.playground.cellText(2)?.includes("datasets.sine(")');
    assert.equal(await page.locator('#name').innerText(), 'sine.rnnlab');

    const chooser = page.waitForEvent('filechooser');
    await page.locator('#open').click();
    await (
      await chooser
    ).setFiles({ name: 'mine.rnnlab', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForFunction('window.playground.cellText(3)?.includes("GRU(32, dropout=0.5)")');
    assert.equal(await page.locator('.cell').count(), 6);
    assert.equal(await page.locator('#name').innerText(), 'mine.rnnlab');
    await page.locator('.cell:nth-child(4) .rnnlab-run[data-status="done"]').waitFor();
  });

  test('dark theme: the toggle, the views and monaco follow it', async () => {
    await page.locator('#theme').click();
    assert.equal(await page.evaluate('document.body.classList.contains("vscode-dark")'), true);
    await page.locator('.cell:nth-child(4)').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, 'playground-dark.png') });
    const bg = await page.evaluate(
      'getComputedStyle(document.querySelector(".monaco-editor-background")).backgroundColor',
    );
    assert.equal(bg, 'rgb(30, 30, 30)', "monaco's dark theme");
    await page.locator('#theme').click();
  });

  test('a reload finds the notebook kept; a share link opens its cells elsewhere', async () => {
    await page.waitForTimeout(600); // the page keeps the work 0.4 s after the last change
    await page.reload();
    await page.waitForFunction(
      'window.playground !== undefined && document.querySelector(".cell")',
    );
    assert.equal(await page.locator('.cell').count(), 6, await page.locator('footer').innerText());
    assert.match(await cellText(page, 3), /GRU\(32, dropout=0\.5\)/);
    assert.equal(await cellText(page, 5), MASKS);
    assert.match(await outputText(page, 4), /./, 'outputs kept too');

    await page.locator('#share').click();
    await page.waitForFunction('document.querySelector("#share-url").value !== ""');
    const link = (await page.locator('#share-url').inputValue()) as string;
    assert.ok(link.startsWith(`${server.url}#nb=`), link);
    assert.ok(link.length < 8 * 1024);
    const other = await open(server, link);
    try {
      // A fresh browser profile: nothing kept, the link is all it has.
      const p = other.harness.page;
      await p.waitForFunction('document.querySelectorAll(".cell").length >= 5');
      assert.match(await cellText(p, 3), /GRU\(32, dropout=0\.5\)/);
      assert.equal(await cellText(p, 2), await cellText(page, 2));
      assert.equal(await p.locator('.cell .output').count(), 0, 'no outputs');
      assert.equal(await p.evaluate('location.hash'), '', 'the link is taken in');
      assert.match(await p.locator('#status').innerText(), /Opened the notebook of the link/);
      // A link pasted into an open playground opens too (same page, a new fragment).
      await setCell(p, 2, 'print(1)');
      await p.evaluate(`location.hash = ${JSON.stringify(new URL(link).hash)}`);
      await p.waitForFunction(`window.playground.cellText(2).startsWith("from keras import")`);
      assert.deepEqual(other.harness.failed, []);
    } finally {
      await other.harness.close();
    }
  });
});

describe('the playground on a plain static server (no isolation headers)', () => {
  let server: WebServer;
  let harness: Harness;

  before(async () => {
    server = await serveWeb({ root: ROOT, isolated: false });
    ({ harness } = await open(server));
  });
  after(async () => {
    await harness?.close();
    await server?.close();
    if (keepShots) console.log(`screenshots: ${shots}`);
    else rmSync(shots, { recursive: true, force: true });
  });

  test('the theme follows prefers-color-scheme until the toggle picks one', async () => {
    const page = harness.page;
    const dark = () => page.evaluate('document.body.classList.contains("vscode-dark")');
    // The media query's change event arrives a moment after the emulation.
    const becomes = (d: boolean) =>
      page.waitForFunction(`document.body.classList.contains("vscode-dark") === ${d}`, null, {
        timeout: 5000,
      });
    await page.emulateMedia({ colorScheme: 'dark' });
    await becomes(true);
    await page.emulateMedia({ colorScheme: 'light' });
    await becomes(false);
    await page.locator('#theme').click();
    await page.emulateMedia({ colorScheme: 'light' });
    assert.equal(await dark(), true, 'the choice holds');
    await page.reload();
    await page.waitForFunction('document.querySelector(".cell") !== null');
    assert.equal(await dark(), true, 'and is kept');
    await page.locator('#theme').click();
  });

  test('analyses with JavaScript workers only, and Interrupt restarts the kernel', async () => {
    const page = harness.page;
    assert.equal(await page.evaluate('crossOriginIsolated'), false);
    await setCell(page, 2, DATA);
    await setCell(page, 3, MODEL);
    await page.waitForFunction(
      'window.playground.markers().some((m) => m.code === "DR101")',
      null,
      { timeout: WAIT_MS },
    );
    await setCell(page, 4, LONG_FIT);
    await page.locator('#run-all').click();
    await page.waitForSelector('.cell:nth-child(4) .rnnlab-run', { timeout: WAIT_MS });
    await page.waitForFunction('window.playground.live.delivered > 0', null, { timeout: WAIT_MS });
    assert.match(await page.locator('#kernel-status').innerText(), /restarts the kernel/);
    await page.locator('#interrupt').click();
    await page.waitForSelector('.cell:nth-child(4) .output pre.error', { timeout: WAIT_MS });
    assert.match(await outputText(page, 4), /without cross-origin isolation.*namespace is lost/s);
    assert.deepEqual(harness.failed, []);
  });
});
