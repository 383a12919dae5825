/**
 * The masks view of the built notebook renderer (dist/renderer.js, MASKS_MIME) in a real
 * Chromium: one heatmap per mask with its caption, the hover and keyboard readout of a cell, an
 * invalid output refused with the reason, and screenshots in light, dark and high contrast (to a
 * temp folder, or RNNLAB_SCREENSHOTS) for a person to look at.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { harnessSuite, rendererPage } from './suite';
import { THEMES, type ThemeName } from './themes';
import {
  MASKS_MIME,
  maskCaption,
  maskSize,
  type MaskEntry,
  type MasksOutput,
} from '../../kernels/mask-output';

const PAGE = rendererPage();

/** A seeded stream of uniforms (the view is tested on fixed masks). */
function uniforms(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function entry(
  patch: Partial<MaskEntry> & Pick<MaskEntry, 'timesteps' | 'units'>,
  keep: (t: number, u: number) => boolean,
): MaskEntry {
  return {
    layer: 'dropout',
    kind: 'Dropout',
    gate: null,
    direction: null,
    noiseShape: null,
    ...patch,
    kept: Array.from({ length: patch.timesteps }, (_, t) =>
      Array.from({ length: patch.units }, (_, u) => (keep(t, u) ? 1 : 0)),
    ),
  };
}

/** What show_masks gives for a model with every kind of dropout (shapes as a real one has). */
function output(): MasksOutput {
  const r = uniforms(3);
  const spatial = Array.from({ length: 24 }, () => r() >= 0.3);
  const steps = Array.from({ length: 40 }, () => r() >= 0.25);
  const gate = (p: number, n: number) => Array.from({ length: n }, () => r() >= p);
  const gi = gate(0.25, 32);
  const gf = gate(0.25, 32);
  const big = gate(0.3, 256);
  return {
    version: 1,
    sample: 0,
    masks: [
      entry({ timesteps: 40, units: 24 }, () => r() >= 0.3),
      entry(
        {
          layer: 'spatial_dropout1d',
          kind: 'SpatialDropout1D',
          noiseShape: [null, 1, 24],
          timesteps: 40,
          units: 24,
        },
        (_, u) => spatial[u]!,
      ),
      entry(
        { layer: 'dropout_1', noiseShape: [null, null, 1], timesteps: 40, units: 6 },
        (t) => steps[t]!,
      ),
      entry(
        { layer: 'lstm', kind: 'dropout', gate: 'i', timesteps: 40, units: 32 },
        (_, u) => gi[u]!,
      ),
      entry(
        { layer: 'lstm', kind: 'recurrent_dropout', gate: 'f', timesteps: 40, units: 32 },
        (_, u) => gf[u]!,
      ),
      entry(
        {
          layer: 'bidirectional',
          kind: 'recurrent_dropout',
          direction: 'backward',
          timesteps: 100,
          units: 256,
        },
        (_, u) => big[u]!,
      ),
      entry(
        { layer: 'time_distributed', kind: 'TimeDistributed', timesteps: 40, units: 12 },
        () => r() >= 0.5,
      ),
    ],
  };
}

/** The parts of the DOM the page callbacks use (the tests' tsconfig has no DOM library). */
interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  dataset: Record<string, string | undefined>;
}
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  } | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;
const suite = harnessSuite({
  name: 'masks',
  html: PAGE,
  bundle: 'dist/renderer.js',
  at: '/renderer.js',
  viewport: { width: 900, height: 900 },
  noFailedRequests: false,
  onPage: (p) => (page = p),
});
const { h, setTheme, shots } = suite;
const texts = (sel: string): Promise<string[]> =>
  page.$$eval(sel, (els: Array<{ textContent: string | null }>) => els.map((e) => e.textContent));

test('a heatmap per mask, each with the caption its cells state', async () => {
  await setTheme('dark');
  const out = output();
  await h('render', out, MASKS_MIME);
  await h('frame');
  assert.deepEqual(await texts('.rnnlab-mask-caption'), out.masks.map(maskCaption));
  const captions = await texts('.rnnlab-mask-caption');
  assert.match(captions[0]!, /^a new mask at every timestep: \d+% of units dropped on average$/);
  assert.match(captions[1]!, /^the same \d+ of 24 units dropped at every timestep$/);
  assert.match(captions[2]!, /^\d+ of 40 timesteps dropped entirely$/);
  const titles = [
    'dropout · Dropout',
    'spatial_dropout1d · SpatialDropout1D',
    'dropout_1 · Dropout noise_shape=(None, None, 1)',
    'lstm · dropout= (inputs) · gate i',
    'lstm · recurrent_dropout= (state) · gate f',
    'bidirectional · recurrent_dropout= (state) · backward',
    'time_distributed · TimeDistributed(Dropout)',
  ];
  assert.deepEqual(
    await texts('.rnnlab-mask-title'),
    titles.map((t, i) => `${t}${maskSize(out.masks[i]!)}`),
    'the title, then the size',
  );
  const labels: string[] = await page.$$eval('.rnnlab-mask-canvas', (els: El[]) =>
    els.map((e) => e.getAttribute('aria-label') ?? ''),
  );
  assert.equal(
    labels[1],
    `spatial_dropout1d · SpatialDropout1D: 40 timesteps × 24 units; ${captions[1]}. Arrow keys move between cells.`,
  );
  const sizes: string[] = await page.$$eval('.rnnlab-mask-canvas', (els: El[]) =>
    els.map((e) => `${e.getBoundingClientRect().width}x${e.getBoundingClientRect().height}`),
  );
  assert.equal(sizes[5], '512x100', 'a 256-unit mask over 100 timesteps: 2 x 1 px cells');
  assert.equal(sizes[0], '192x160', '24 units over 40 timesteps: 8 x 4 px cells');
});

test('hover and keyboard read a cell: timestep, unit, kept or dropped', async () => {
  const out = output();
  const m = out.masks[2]!; // whole timesteps: a dropped row and a kept row side by side
  const box = await page.$$eval('.rnnlab-mask-canvas', (els: El[]) => {
    const r = els[2]!.getBoundingClientRect();
    return { x: r.x, y: r.y, cell: els[2]!.dataset['cellSize'] };
  });
  const [cw, ch] = (box.cell as string).split('x').map(Number) as [number, number];
  const t = m.kept.findIndex((row) => row[0] === 0);
  await page.mouse.move(box.x + 3.5 * cw, box.y + (t + 0.5) * ch);
  const readout = () => page.$$eval('.rnnlab-mask-readout', (els: El[]) => els[2]!.textContent);
  assert.equal(await readout(), `timestep ${t} · unit 3 · dropped`);
  await page.mouse.move(box.x + 0.5 * cw, box.y + (t + 1 + 0.5) * ch);
  assert.equal(
    await readout(),
    `timestep ${t + 1} · unit 0 · ${m.kept[t + 1]![0] === 1 ? 'kept' : 'dropped'}`,
  );
  await page.mouse.move(0, 0);
  assert.equal(await readout(), '', 'the readout clears when the pointer leaves');

  // Keyboard: focus starts at (0, 0); arrows move; End goes to the last unit.
  await page.focus('.rnnlab-mask:nth-child(4) .rnnlab-mask-canvas');
  const key = async (k: string) => {
    await page.keyboard.press(k);
    return page.$eval('.rnnlab-mask:nth-child(4) .rnnlab-mask-canvas', (e: El) =>
      e.getAttribute('data-cell'),
    );
  };
  assert.equal(await key('ArrowDown'), '1,0');
  assert.equal(await key('ArrowRight'), '1,1');
  assert.equal(await key('End'), '1,31');
  assert.equal(await key('ArrowRight'), '1,31', 'the cursor stays inside');
  const lstm = out.masks[3]!;
  assert.equal(
    await page.$eval('.rnnlab-mask:nth-child(4) .rnnlab-mask-readout', (e: El) => e.textContent),
    `timestep 1 · unit 31 · ${lstm.kept[1]![31] === 1 ? 'kept' : 'dropped'}`,
  );
  assert.equal(
    await page.$eval('.rnnlab-mask:nth-child(4) .rnnlab-mask-readout', (e: El) =>
      e.getAttribute('aria-live'),
    ),
    'polite',
  );
  await page
    .locator('.rnnlab-mask:nth-child(4)')
    .screenshot({ path: join(shots, 'masks-cursor-dark.png') });
  await page.keyboard.press('Tab');
});

test('an invalid output is refused with the reason; a run still renders beside it', async () => {
  await h('render', { version: 1, sample: 0, masks: [{ layer: 'x' }] }, MASKS_MIME);
  assert.match(
    await page.textContent('#out'),
    /RNN Lab cannot draw these masks: masks\[0\]\.kind should be one of/,
  );
  await h('render', { version: 7 }, MASKS_MIME);
  assert.match(await page.textContent('#out'), /schema version 7/);
  assert.deepEqual(suite.harness().failed, []);
});

test('screenshots in light, dark and high contrast', async () => {
  for (const name of Object.keys(THEMES) as ThemeName[]) {
    await setTheme(name);
    await h('render', output(), MASKS_MIME);
    await h('frame');
    await page.screenshot({ path: join(shots, `masks-${name}.png`), fullPage: true });
  }
  // The theme changes in place: the kept colour is read again.
  const kept = () =>
    page.$eval('.rnnlab-mask-canvas', (c: Canvas) => {
      const ctx = c.getContext('2d')!;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<string>();
      for (let i = 0; i < data.length; i += 4)
        colours.add(`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`);
      return [...colours];
    });
  await setTheme('light');
  await h('frame');
  const light = await kept();
  assert.ok(
    light.includes('26,133,255,255'),
    `light charts-blue drawn: ${light.slice(0, 6).join(' ')}`,
  );
  await setTheme('dark');
  await h('frame');
  assert.ok((await kept()).includes('55,148,255,255'), 'dark charts-blue drawn after the change');
});
