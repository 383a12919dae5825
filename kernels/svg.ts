/**
 * A static picture of a run's curves (and of a comparison's), generated as SVG text, saved with
 * the notebook for viewers that do not have the RNN Lab renderer (GitHub, plain Jupyter). It has
 * no background: the viewer's shows through, light or dark, so every colour here is a mid tone
 * that reads on both (text and axes a neutral grey, lines saturated mid-brightness hues).
 */
import type { CompareOutput, RunOutput } from './protocol';

const WIDTH = 520;
const HEIGHT = 260;
const PAD = { left: 56, right: 128, top: 18, bottom: 36 };
/** Distinguishable on light and dark backgrounds. */
const COLOURS = ['#3b82f6', '#f97316', '#10b981', '#e11d48', '#8b5cf6', '#ca8a04'];
/** Neutral greys with at least 3:1 contrast on white and on VS Code's dark #1e1e1e. */
const TEXT = '#8a8f98';
const AXIS = '#8a8f98';
const GRID = 'rgba(138, 143, 152, 0.3)';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.001 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** The epoch curves of a run (loss and val_loss first), as an SVG document. */
export function runSvg(run: RunOutput): string {
  const keys = Object.keys(run.history).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const lossKeys = keys.filter((k) => /(^|_)loss$/.test(k));
  const series = (lossKeys.length ? lossKeys : keys).map((k) => ({
    key: k,
    values: run.history[k]!.filter(Number.isFinite),
  }));
  const all = series.flatMap((s) => s.values);
  const epochs = Math.max(1, ...series.map((s) => s.values.length));
  const lo = all.length ? Math.min(0, ...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (epochs === 1 ? plotW / 2 : (i / (epochs - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(`${run.model}: ${series.map((s) => s.key).join(', ')} per epoch`)}</title>`,
  );
  for (const t of niceTicks(lo, hi)) {
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="${GRID}"/>`,
      `<text x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="${TEXT}">${fmt(t)}</text>`,
    );
  }
  const stride = Math.max(1, Math.ceil(epochs / 10));
  for (let i = 0; i < epochs; i += stride) {
    parts.push(
      `<text x="${x(i).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" fill="${TEXT}">${i + 1}</text>`,
    );
  }
  parts.push(
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle" fill="${TEXT}">epoch</text>`,
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${AXIS}"/>`,
    `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="${AXIS}"/>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const dash = s.key.startsWith('val_') ? ' stroke-dasharray="5 3"' : '';
    const points = s.values.map((v, e) => `${x(e).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${points}"/>`,
    );
    if (s.values.length === 1)
      parts.push(
        `<circle cx="${x(0).toFixed(1)}" cy="${y(s.values[0]!).toFixed(1)}" r="3" fill="${colour}"/>`,
      );
    const ly = PAD.top + 12 + i * 18;
    parts.push(
      `<line x1="${WIDTH - PAD.right + 12}" x2="${WIDTH - PAD.right + 32}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"${dash}/>`,
      `<text x="${WIDTH - PAD.right + 38}" y="${ly}" fill="${TEXT}">${esc(s.key)} ${fmt(s.values.at(-1) ?? NaN)}</text>`,
    );
  });
  if (run.stopped) {
    parts.push(
      `<text x="${WIDTH - PAD.right + 12}" y="${HEIGHT - PAD.bottom}" fill="#e5484d">stopped: ${esc(run.stopped)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function rank(key: string): number {
  if (key === 'loss') return 0;
  if (key === 'val_loss') return 1;
  return key.startsWith('val_') ? 3 : 2;
}

/**
 * A comparison's validation loss per epoch, as an SVG document: per variant (a colour each) its
 * seeds as thin lines, their mean as a thick line over a band from the lowest to the highest seed,
 * and the trivial baseline as a dashed line.
 */
export function compareSvg(o: CompareOutput): string {
  const width = 560;
  const pad = { ...PAD, right: 168 };
  const curves = o.variants.map((v) => {
    const seeds = v.runs.map((r) => r.history['val_loss'] ?? []);
    const epochs = Math.max(0, ...seeds.map((s) => s.length));
    const at = (e: number) => seeds.map((s) => s[e]).filter((x): x is number => Number.isFinite(x));
    const stats = Array.from({ length: epochs }, (_, e) => {
      const xs = at(e);
      return xs.length
        ? {
            mean: xs.reduce((a, b) => a + b, 0) / xs.length,
            lo: Math.min(...xs),
            hi: Math.max(...xs),
          }
        : null;
    });
    return { name: v.name, seeds, stats };
  });
  const all = curves.flatMap((c) => c.seeds.flat()).filter(Number.isFinite);
  if (o.baseline.val_loss !== null) all.push(o.baseline.val_loss);
  const epochs = Math.max(1, o.epochs, ...curves.map((c) => c.stats.length));
  const lo = all.length ? Math.min(0, ...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const plotW = width - pad.left - pad.right;
  const plotH = HEIGHT - pad.top - pad.bottom;
  const x = (i: number) => pad.left + (epochs === 1 ? plotW / 2 : (i / (epochs - 1)) * plotW);
  const y = (v: number) => pad.top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  const pts = (vs: ReadonlyArray<number | undefined>) =>
    vs
      .map((v, e) =>
        v !== undefined && Number.isFinite(v) ? `${x(e).toFixed(1)},${y(v).toFixed(1)}` : null,
      )
      .filter((p) => p !== null)
      .join(' ');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(`val_loss per epoch of ${o.variants.length} variants over ${o.seeds.length} seeds`)}</title>`,
  ];
  for (const t of niceTicks(lo, hi)) {
    parts.push(
      `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="${GRID}"/>`,
      `<text x="${pad.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="${TEXT}">${fmt(t)}</text>`,
    );
  }
  const stride = Math.max(1, Math.ceil(epochs / 10));
  for (let i = 0; i < epochs; i += stride)
    parts.push(
      `<text x="${x(i).toFixed(1)}" y="${HEIGHT - pad.bottom + 16}" text-anchor="middle" fill="${TEXT}">${i + 1}</text>`,
    );
  parts.push(
    `<text x="${pad.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle" fill="${TEXT}">epoch</text>`,
    `<text transform="translate(12 ${pad.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="${TEXT}">val_loss</text>`,
    `<text x="${width - pad.right + 12}" y="${pad.top}" fill="${TEXT}">mean best val_loss</text>`,
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="${AXIS}"/>`,
    `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="${AXIS}"/>`,
  );
  if (o.baseline.val_loss !== null) {
    const by = y(o.baseline.val_loss).toFixed(1);
    parts.push(
      `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${by}" y2="${by}" stroke="${TEXT}" stroke-width="1.5" stroke-dasharray="2 4"/>`,
    );
  }
  curves.forEach((c, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const band = c.stats.map((s, e) => (s ? [e, s.lo, s.hi] : null)).filter((s) => s !== null);
    if (band.length > 1)
      parts.push(
        `<polygon fill="${colour}" fill-opacity="0.15" stroke="none" points="${[
          ...band.map(([e, l]) => `${x(e!).toFixed(1)},${y(l!).toFixed(1)}`),
          ...band.reverse().map(([e, , h]) => `${x(e!).toFixed(1)},${y(h!).toFixed(1)}`),
        ].join(' ')}"/>`,
      );
    for (const s of c.seeds)
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="1" stroke-opacity="0.45" points="${pts(s)}"/>`,
      );
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2.5" points="${pts(c.stats.map((s) => s?.mean))}"/>`,
    );
    const v = o.variants[i]!;
    const ly = pad.top + 22 + i * 18;
    parts.push(
      `<line x1="${width - pad.right + 12}" x2="${width - pad.right + 32}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2.5"/>`,
      `<text x="${width - pad.right + 38}" y="${ly}" fill="${TEXT}">${esc(v.name)} ${v.best_val_loss.mean === null ? '' : fmt(v.best_val_loss.mean)}</text>`,
    );
  });
  if (o.baseline.val_loss !== null) {
    const ly = pad.top + 22 + curves.length * 18;
    parts.push(
      `<line x1="${width - pad.right + 12}" x2="${width - pad.right + 32}" y1="${ly - 4}" y2="${ly - 4}" stroke="${TEXT}" stroke-width="1.5" stroke-dasharray="2 4"/>`,
      `<text x="${width - pad.right + 38}" y="${ly}" fill="${TEXT}">baseline ${fmt(o.baseline.val_loss)}</text>`,
    );
  }
  parts.push(
    `<text x="${width - pad.right + 12}" y="${HEIGHT - pad.bottom}" fill="${TEXT}">thin: seeds &#183; thick: mean</text>`,
  );
  if (o.status === 'interrupted')
    parts.push(
      `<text x="${width - pad.right + 12}" y="${HEIGHT - pad.bottom - 16}" fill="#e5484d">interrupted</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}
