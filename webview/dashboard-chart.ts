/**
 * The dashboard's overlay: the selected runs on shared axes, one uPlot chart of one metric per
 * epoch, each run in its colour (its validation values dashed in the same colour), and the same
 * chart as a PNG (the canvas on the theme's background, with a title and the runs' names).
 */
import uPlot from 'uplot';
import { epochsDone, formatValue, overlayData, type OverlayData, type OverlayRun } from './series';
import { h } from './chart';
import { axisColours, axisStyle, cssVar, runColour } from './style';

const CHART_HEIGHT = 300;
/** Epoch values get a dot each up to this many epochs (beyond, the dots would form a line). */
const MAX_DOTTED_EPOCHS = 60;

/** How to read the strokes (the view says it beside the metric picker, the PNG in its title). */
export const KEY = 'solid: training · dashed: validation';

/** A run in the overlay: its series, the name its legend shows, and its colour's index. */
export interface OverlayEntry extends OverlayRun {
  colour: number;
}

/** A legend entry: a run, its series' indices in the plot, and where its hover values go. */
interface LegendItem {
  runId: string;
  li: HTMLElement;
  epoch: number | null;
  val: number | null;
  value: HTMLElement;
}

export class OverlayChart {
  private plot: uPlot | null = null;
  /** What the chart was built for (series, scale, theme): anything else only sets new data. */
  private built = '';
  private width = 0;
  private readonly resize: ResizeObserver;
  private readonly plotBox: HTMLElement;
  /** One entry per run (its colour's solid and dashed strokes, its name, values on hover). */
  private readonly legend: HTMLElement;
  private readonly hoverEpoch: HTMLElement;
  private items: LegendItem[] = [];

  /** `box` holds the chart and its legend; the theme's colours are read at `root`. */
  constructor(
    private readonly box: HTMLElement,
    private readonly root: HTMLElement,
  ) {
    this.plotBox = h('div', { class: 'rnnlab-plot', role: 'img' });
    this.hoverEpoch = h('li', { class: 'rnnlab-hover-epoch', hidden: '' });
    this.legend = h('ul', { class: 'rnnlab-legend', 'aria-label': 'Runs drawn' });
    box.replaceChildren(this.plotBox, this.legend);
    this.resize = new ResizeObserver(() => {
      const w = this.plotBox.clientWidth;
      if (w === this.width || w === 0) return;
      this.width = w;
      this.plot?.setSize({ width: w, height: CHART_HEIGHT });
    });
    this.resize.observe(this.plotBox);
  }

  /** Draws `metric` of these runs; false when none has a value of it to draw. */
  draw(runs: ReadonlyArray<OverlayEntry>, metric: string, log: boolean, theme: number): boolean {
    const data = overlayData(runs, metric, log);
    const colours = new Map(runs.map((r) => [r.run.runId, r.colour]));
    const key = JSON.stringify([data.series, [...colours], metric, log, theme]);
    const epochs = Math.max(1, ...runs.map((r) => r.run.epochs));
    this.describe(data, runs, metric);
    if (!data.series.length) {
      this.clear();
      return false;
    }
    if (key === this.built && this.plot) {
      this.plot.setData(data.columns as uPlot.AlignedData);
    } else {
      this.clear();
      this.built = key;
      this.buildLegend(data, runs);
      this.plot = new uPlot(
        this.options(data, colours, metric, log, epochs),
        data.columns as uPlot.AlignedData,
        this.plotBox,
      );
    }
    this.showValues(this.plot);
    for (const item of this.items) {
      const run = runs.find((r) => r.run.runId === item.runId)?.run;
      if (run) item.li.dataset['epochs'] = String(epochsDone(run));
    }
    return true;
  }

  private buildLegend(data: OverlayData, runs: ReadonlyArray<OverlayEntry>): void {
    const index = (runId: string, kind: 'epoch' | 'val') => {
      const i = data.series.findIndex((s) => s.runId === runId && s.kind === kind);
      return i < 0 ? null : i + 1; // uPlot's series 0 is x
    };
    this.items = [];
    const lis = runs
      .filter((r) => data.series.some((s) => s.runId === r.run.runId))
      .map((r) => {
        const epoch = index(r.run.runId, 'epoch');
        const val = index(r.run.runId, 'val');
        const value = h('span', { class: 'rnnlab-value' });
        const li = h(
          'li',
          { 'data-colour': String(r.colour), 'data-run-id': r.run.runId },
          ...(epoch !== null ? [h('span', { class: 'rnnlab-line', 'aria-hidden': 'true' })] : []),
          ...(val !== null
            ? [h('span', { class: 'rnnlab-line rnnlab-dashed', 'aria-hidden': 'true' })]
            : []),
          h('span', {}, r.label),
          value,
        );
        this.items.push({ runId: r.run.runId, li, epoch, val, value });
        return li;
      });
    this.legend.replaceChildren(this.hoverEpoch, ...lis);
  }

  /** The values at the cursor's epoch in the legend (nothing when the cursor is away). */
  private showValues(u: uPlot): void {
    const idx = u.cursor.idx;
    const x = idx === null || idx === undefined ? undefined : u.data[0][idx];
    this.hoverEpoch.hidden = x === undefined;
    this.hoverEpoch.textContent = x === undefined ? '' : `epoch ${x}`;
    for (const item of this.items) {
      const at = (i: number | null) =>
        i === null || idx === null || idx === undefined ? null : (u.data[i]?.[idx] ?? null);
      const parts: string[] = [];
      const train = at(item.epoch);
      const val = at(item.val);
      if (train !== null) parts.push(formatValue(train));
      if (val !== null) parts.push(`val ${formatValue(val)}`);
      item.value.textContent = parts.join(' · ');
    }
  }

  private options(
    data: OverlayData,
    colours: Map<string, number>,
    metric: string,
    log: boolean,
    epochs: number,
  ): uPlot.Options {
    const axes = axisColours(this.root);
    const dotted = epochs <= MAX_DOTTED_EPOCHS;
    const series: uPlot.Series[] = data.series.map((s) => {
      const stroke = runColour(this.root, colours.get(s.runId) ?? 0);
      return {
        label: s.label,
        stroke,
        width: 2,
        dash: s.kind === 'val' ? [6, 4] : undefined,
        spanGaps: true,
        points: { show: dotted, size: 5, fill: s.kind === 'val' ? undefined : stroke },
        value: (_u, v) => formatValue(v),
      };
    });
    return {
      width: this.plotBox.clientWidth || 700,
      height: CHART_HEIGHT,
      scales: {
        x: { time: false, range: (_u, _min, max) => [1, Math.max(2, max, epochs)] },
        y: { distr: log ? 3 : 1 },
      },
      axes: [
        {
          ...axisStyle('epoch', axes, this.root),
          size: 30,
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
        },
        { ...axisStyle(metric, axes, this.root), size: 60 },
      ],
      series: [{ label: 'epoch', value: (_u, v) => formatValue(v) }, ...series],
      // The legend is ours: one entry per run, not one per series.
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      hooks: { setCursor: [(u) => this.showValues(u)] },
    };
  }

  /** What a screen reader hears, and what tests read: the series, runs and points drawn. */
  private describe(data: OverlayData, runs: ReadonlyArray<OverlayEntry>, metric: string): void {
    const drawn = [...new Set(data.series.map((s) => s.runId))];
    const d = this.box.dataset;
    d['metric'] = metric;
    d['series'] = String(data.series.length);
    d['runs'] = drawn.join(',');
    d['points'] = String(data.columns[0]?.length ?? 0);
    const parts = runs
      .filter((r) => drawn.includes(r.run.runId))
      .map((r) => {
        const last = (k: string) => r.run.epoch[k]?.at(-1);
        const val = last(`val_${metric}`);
        return `${r.label}: last ${formatValue(last(metric))}${val === undefined ? '' : `, validation ${formatValue(val)}`}`;
      });
    this.plotBox.setAttribute(
      'aria-label',
      drawn.length ? `${metric} per epoch. ${parts.join('; ')}` : `${metric}: nothing to draw`,
    );
  }

  /** The chart as a PNG data URL, or null when nothing is drawn. */
  png(title: string, legend: ReadonlyArray<{ label: string; colour: number }>): string | null {
    const plot = this.plot;
    if (!plot) return null;
    const src = plot.ctx.canvas;
    const ratio = src.width / Math.max(1, plot.width);
    const px = (n: number) => Math.round(n * ratio);
    const font = getComputedStyle(this.root).fontFamily || 'sans-serif';
    const pad = px(16);
    const line = px(20);
    const out = document.createElement('canvas');
    const ctx = out.getContext('2d');
    if (!ctx) return null;
    // The legend: one entry per run, a solid and a dashed stroke, laid out in rows.
    ctx.font = `${px(12)}px ${font}`;
    const rows: Array<Array<{ x: number; label: string; colour: number }>> = [[]];
    let x = 0;
    for (const item of legend) {
      const w = px(40) + ctx.measureText(item.label).width + px(18);
      if (x > 0 && x + w > src.width) {
        rows.push([]);
        x = 0;
      }
      rows.at(-1)!.push({ x, ...item });
      x += w;
    }
    out.width = src.width + 2 * pad;
    out.height = pad + line + src.height + px(8) + rows.length * line + pad;
    ctx.fillStyle = cssVar(
      this.root,
      '--vscode-editor-background',
      getComputedStyle(document.body).backgroundColor,
    );
    ctx.fillRect(0, 0, out.width, out.height);
    const fg = cssVar(this.root, '--vscode-foreground', '#808080');
    ctx.fillStyle = fg;
    ctx.textBaseline = 'middle';
    ctx.font = `600 ${px(13)}px ${font}`;
    ctx.fillText(title, pad, pad + line / 2);
    ctx.font = `${px(12)}px ${font}`;
    ctx.textAlign = 'right';
    ctx.fillStyle = axisColours(this.root).text;
    ctx.fillText(KEY, out.width - pad, pad + line / 2);
    ctx.textAlign = 'left';
    ctx.fillStyle = fg;
    ctx.drawImage(src, pad, pad + line);
    ctx.font = `${px(12)}px ${font}`;
    ctx.lineWidth = px(2);
    rows.forEach((row, r) => {
      const y = pad + line + src.height + px(8) + r * line + line / 2;
      for (const item of row) {
        ctx.strokeStyle = runColour(this.root, item.colour);
        for (const [from, dash] of [
          [0, []],
          [px(20), [px(4), px(3)]],
        ] as const) {
          ctx.setLineDash(dash);
          ctx.beginPath();
          ctx.moveTo(pad + item.x + from, y);
          ctx.lineTo(pad + item.x + from + px(16), y);
          ctx.stroke();
        }
        ctx.setLineDash([]);
        ctx.fillStyle = fg;
        ctx.fillText(item.label, pad + item.x + px(40), y);
      }
    });
    return out.toDataURL('image/png');
  }

  private clear(): void {
    this.plot?.destroy();
    this.plot = null;
    this.built = '';
    this.items = [];
    this.legend.replaceChildren();
  }

  dispose(): void {
    this.resize.disconnect();
    this.clear();
  }
}
