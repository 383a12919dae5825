/**
 * The view of a comparison (`rnnlab.compare`, COMPARE_MIME): the verdict, one uPlot chart of the
 * validation loss per epoch of every run (a colour per variant; each seed a thin line, the mean a
 * thick one over a band from the lowest to the highest seed; the trivial baseline dotted), the
 * table (best and final val_loss, gap and time per epoch as mean ± std over seeds, parameters,
 * baseline), and the method with every pairwise test.
 *
 * While it runs, the output lists the run id of every planned run: the view says Ready for each
 * one not finished (the host answers for the one training with its backlog) and takes the
 * progress the host sends to every view for those ids, so all runs stream into the one chart.
 * The output itself is replaced as each run finishes, and the view is then drawn afresh.
 */
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { formatDuration, formatSpread } from '../analyzer/format';
import type { CompareOutput } from '../kernels/protocol';
import { h } from './chart';
import {
  compareChartData,
  compareCurves,
  foldProgress,
  liveRun,
  type CompareChartData,
  type LiveRun,
} from './compare-data';
import type { Host } from './host';
import type { RunProgress } from './protocol';
import { formatValue } from './series';
import { axisColours, axisStyle, COMPARE_CSS, runColour, translucent } from './style';

const CHART_HEIGHT = 280;
/** Epoch values get a dot each up to this many epochs. */
const MAX_DOTTED_EPOCHS = 12;
/** The baseline widens the y axis only when it is this close to the curves (else it is noted). */
const BASELINE_REACH = 1.6;

/** Text with `code` spans (the verdict names variants in backticks) as nodes. */
function withCode(text: string): Array<Node | string> {
  return text
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 1
        ? h('code', {}, part.slice(1, -1))
        : part,
    );
}

/** `3 variants`, `1 seed`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export class CompareView {
  private readonly root: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly stop: HTMLElement;
  private readonly plotBox: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly key: HTMLElement;
  private plot: uPlot | null = null;
  /** What the chart was built for (its series and the theme): anything else only sets data. */
  private built = '';
  private width = 0;
  private frame: number | null = null;
  private readonly live = new Map<string, LiveRun>();
  /** Runs whose backlog was asked for (a view asks once per run). */
  private readonly asked = new Set<string>();
  private readonly finished: Set<string>;
  private legendValues: Array<{ variant: number; value: HTMLElement }> = [];
  private readonly hoverEpoch: HTMLElement;
  private readonly cleanup: Array<() => void> = [];

  constructor(
    private readonly element: HTMLElement,
    private readonly output: CompareOutput,
    private readonly host: Host,
  ) {
    const o = output;
    this.finished = new Set(o.variants.flatMap((v) => v.runs.map((r) => r.run_id)));
    element.replaceChildren();
    this.progress = h('span', { class: 'rnnlab-progress', role: 'status', 'aria-live': 'polite' });
    this.stop = h(
      'vscode-button',
      { secondary: '', 'aria-label': 'Stop the comparison' },
      'Stop',
    ) as HTMLElement;
    this.plotBox = h('div', { class: 'rnnlab-plot', role: 'img' });
    this.hoverEpoch = h('li', { class: 'rnnlab-hover-epoch', hidden: '' });
    this.legend = h('ul', { class: 'rnnlab-legend', 'aria-label': 'Variants drawn' });
    this.key = h('div', { class: 'rnnlab-key' });
    const running = o.status === 'running';
    this.root = h(
      'section',
      { class: 'rnnlab-compare', 'aria-label': 'Comparison of variants', 'data-status': o.status },
      h('style', {}, uplotCss, COMPARE_CSS),
      h(
        'div',
        { class: 'rnnlab-head' },
        h('div', { class: 'rnnlab-title' }, h('strong', {}, 'Comparison'), ' ', this.names()),
        h(
          'div',
          { class: 'rnnlab-config' },
          `${count(o.variants.length, 'variant')} × ${count(o.seeds.length, 'seed')} (${o.seeds.join(', ')}) × ${count(o.epochs, 'epoch')} · batches of ${o.batch_size} · loss ${o.loss}`,
        ),
      ),
      h('div', { class: 'rnnlab-bar' }, this.progress, this.stop),
    );
    if (o.verdict)
      this.root.append(
        h(
          'p',
          { class: 'rnnlab-verdict', ...(o.best !== null ? { 'data-best': '' } : {}) },
          ...withCode(o.verdict),
        ),
      );
    this.root.append(this.plotBox, this.legend, this.key, this.table());
    if (!running) this.root.append(this.method());
    element.append(this.root);
    this.wire();
    this.showProgress();
    this.draw();
    if (running && host.canMessage)
      for (const id of this.pending()) host.post({ type: 'ready', runId: id });
  }

  /** The variants' names after the title. */
  private names(): HTMLElement {
    const span = h('span', {});
    this.output.variants.forEach((v, i) => {
      if (i > 0) span.append(i === this.output.variants.length - 1 ? ' vs ' : ', ');
      span.append(h('code', {}, v.name));
    });
    return span;
  }

  /** Planned runs not finished: the ones live progress may still come for. */
  private pending(): string[] {
    return this.output.plan.map((p) => p.run_id).filter((id) => !this.finished.has(id));
  }

  private wire(): void {
    const on = (el: EventTarget, type: string, fn: () => void) => {
      el.addEventListener(type, fn);
      this.cleanup.push(() => el.removeEventListener(type, fn));
    };
    on(this.stop, 'click', () => {
      if (this.stop.hasAttribute('disabled')) return;
      // The host knows which of them is training: a Stop for the others is ignored.
      for (const id of this.pending()) this.host.post({ type: 'stop', runId: id });
      this.stop.setAttribute('disabled', '');
      this.stop.textContent = 'Stopping…';
    });
    const planned = new Set(this.pending());
    this.cleanup.push(
      this.host.onMessage((msg) => {
        if (msg.type === 'progress' && planned.has(msg.runId)) this.onProgress(msg);
      }),
      this.host.onThemeChange(() => {
        this.built = '';
        this.draw();
      }),
    );
    const resize = new ResizeObserver(() => {
      const w = this.plotBox.clientWidth;
      if (w === this.width || w === 0) return;
      this.width = w;
      this.plot?.setSize({ width: w, height: CHART_HEIGHT });
    });
    resize.observe(this.plotBox);
    this.cleanup.push(() => resize.disconnect());
  }

  private onProgress(p: RunProgress): void {
    if (this.output.status !== 'running') return;
    let run = this.live.get(p.runId);
    if (!run) {
      run = liveRun(p.runId, this.output.epochs);
      this.live.set(p.runId, run);
    }
    // A run that started before this view listened: its earlier epochs come with its backlog.
    if (!p.reset && !run.synced && !this.asked.has(p.runId) && this.host.canMessage) {
      this.asked.add(p.runId);
      this.host.post({ type: 'ready', runId: p.runId });
    }
    foldProgress(run, p);
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      this.showProgress();
      this.draw();
    });
  }

  private showProgress(): void {
    const o = this.output;
    const done = o.variants.reduce((n, v) => n + v.runs.length, 0);
    const running = o.status === 'running';
    this.stop.hidden = !running || !this.host.canMessage;
    let text: string;
    if (running) {
      // The run training now: the latest in plan order with live progress.
      const current = [...o.plan].reverse().find((p) => this.live.get(p.run_id)?.at);
      const run = current && this.live.get(current.run_id);
      text = `${done} of ${o.plan.length} runs finished`;
      if (current && run?.at)
        text += ` · now ${current.variant} seed ${current.seed}: epoch ${run.at.epoch + 1}/${run.epochs}, batch ${run.at.batch + 1}/${run.batchesPerEpoch} · ETA of this run ${formatDuration(run.etaMs)}`;
      if (!this.host.canMessage) text += ' (live updates need the RNN Lab extension)';
    } else if (o.status === 'interrupted') {
      text = `interrupted: ${done} of ${o.plan.length} runs finished${o.stopped ? ` (${o.stopped})` : ''}`;
    } else if (o.status === 'lost') {
      text = `ended without its results: ${done} of ${o.plan.length} runs finished`;
    } else {
      text = `all ${done} runs finished`;
    }
    this.progress.textContent = text;
  }

  /** The baseline, when it should widen the y axis (near the curves) or null. */
  private baselineInRange(data: CompareChartData): number | null {
    const b = this.output.baseline.val_loss;
    if (b === null) return null;
    const values = data.columns
      .slice(1)
      .flat()
      .filter((v): v is number => v !== null);
    if (!values.length) return b;
    return b <= Math.max(...values) * BASELINE_REACH ? b : null;
  }

  private draw(): void {
    const o = this.output;
    const curves = compareCurves(o, this.live);
    const data = compareChartData(o, curves);
    this.plotBox.dataset['series'] = String(data.series.length);
    this.plotBox.dataset['runs'] = String(curves.length);
    this.plotBox.dataset['live'] = String(curves.filter((c) => c.live).length);
    this.describe(data);
    if (!data.series.length) {
      this.plot?.destroy();
      this.plot = null;
      this.built = '';
      this.plotBox.replaceChildren(
        h('div', { class: 'rnnlab-note' }, 'No validation loss yet: the first run is starting.'),
      );
      this.buildLegend();
      this.key.textContent = '';
      return;
    }
    const baseline = this.baselineInRange(data);
    const key = JSON.stringify([data.series, baseline, this.host.theme()]);
    if (this.plot && key === this.built) {
      this.plot.setData(data.columns as uPlot.AlignedData);
      return;
    }
    this.plot?.destroy();
    this.plotBox.replaceChildren();
    this.built = key;
    this.buildLegend();
    this.plot = new uPlot(
      this.options(data, baseline),
      data.columns as uPlot.AlignedData,
      this.plotBox,
    );
    const b = o.baseline.val_loss;
    const training = data.series.some((s) => s.kind === 'live');
    this.key.textContent = [
      'thin: each seed',
      training ? 'dashed: training now' : null,
      'thick: mean over seeds',
      'band: lowest to highest seed',
      b === null
        ? null
        : baseline === null
          ? `the trivial baseline (${formatValue(b)}) is above the chart`
          : 'dotted: the trivial baseline',
    ]
      .filter(Boolean)
      .join(' · ');
  }

  private options(data: CompareChartData, baseline: number | null): uPlot.Options {
    const axes = axisColours(this.root);
    const epochs = Math.max(1, this.output.epochs);
    const dotted = epochs <= MAX_DOTTED_EPOCHS;
    const colour = (i: number) => runColour(this.root, i);
    const series: uPlot.Series[] = data.series.map((s) => {
      const c = colour(s.variant);
      if (s.kind === 'live')
        return {
          label: s.label,
          stroke: translucent(c, 0.85),
          width: 1.5,
          dash: [4, 3],
          spanGaps: true,
          points: { show: false },
        };
      if (s.kind === 'seed')
        return {
          label: s.label,
          stroke: translucent(c, 0.5),
          width: 1,
          spanGaps: true,
          points: { show: false },
        };
      if (s.kind === 'mean')
        return {
          label: s.label,
          stroke: c,
          width: 3,
          spanGaps: true,
          points: { show: dotted, size: 6, fill: c },
        };
      // The band's edges: drawn only as the band's fill.
      return { label: s.label, stroke: 'transparent', width: 0, points: { show: false } };
    });
    const bands: uPlot.Band[] = [];
    data.series.forEach((s, i) => {
      if (s.kind === 'high')
        bands.push({ series: [i + 1, i + 2], fill: translucent(colour(s.variant), 0.14) });
    });
    return {
      width: this.plotBox.clientWidth || 700,
      height: CHART_HEIGHT,
      scales: {
        x: { time: false, range: (_u, _min, max) => [1, Math.max(2, max, epochs)] },
        y: {
          range: (_u, min, max) => {
            const lo = Math.min(min, baseline ?? min);
            const hi = Math.max(max, baseline ?? max);
            const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 0.1;
            return [Math.max(0, lo - pad), hi + pad];
          },
        },
      },
      axes: [
        {
          ...axisStyle('epoch', axes, this.root),
          size: 30,
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
        },
        { ...axisStyle('val_loss', axes, this.root), size: 60 },
      ],
      series: [{ label: 'epoch' }, ...series],
      bands,
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { show: false } },
      hooks: {
        draw: [(u) => this.drawBaseline(u, baseline)],
        setCursor: [(u) => this.showValues(u, data)],
      },
    };
  }

  /** The trivial baseline: a dotted line across the plot, labelled at its right end. */
  private drawBaseline(u: uPlot, baseline: number | null): void {
    if (baseline === null) return;
    const { ctx, bbox } = u;
    const y = Math.round(u.valToPos(baseline, 'y', true)) + 0.5;
    const fg = getComputedStyle(this.root).color || '#808080';
    const ratio = bbox.width / Math.max(1, u.width);
    ctx.save();
    ctx.strokeStyle = fg;
    ctx.lineWidth = 1.5 * ratio;
    ctx.setLineDash([2 * ratio, 4 * ratio]);
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = fg;
    ctx.font = `${Math.round(11 * ratio)}px ${getComputedStyle(this.root).fontFamily || 'sans-serif'}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillText(
      `trivial baseline ${formatValue(baseline)}`,
      bbox.left + bbox.width - 4 * ratio,
      y - 3 * ratio,
    );
    ctx.restore();
  }

  private buildLegend(): void {
    const o = this.output;
    this.legendValues = [];
    const items = o.variants.map((v, i) => {
      const value = h('span', { class: 'rnnlab-value' });
      this.legendValues.push({ variant: i, value });
      return h(
        'li',
        { 'data-colour': String(i % 6) },
        h('span', { class: 'rnnlab-line', 'aria-hidden': 'true' }),
        h('span', {}, v.name),
        value,
      );
    });
    this.legend.replaceChildren(this.hoverEpoch, ...items);
    this.showValues(null, null);
  }

  /** The legend: each variant's mean at the cursor's epoch, else its best val_loss. */
  private showValues(u: uPlot | null, data: CompareChartData | null): void {
    const idx = u?.cursor.idx;
    const hovering = u && data && idx !== null && idx !== undefined;
    this.hoverEpoch.hidden = !hovering;
    this.hoverEpoch.textContent = hovering ? `epoch ${u.data[0][idx]}` : '';
    for (const item of this.legendValues) {
      const v = this.output.variants[item.variant]!;
      if (hovering) {
        const col = data.series.findIndex((s) => s.kind === 'mean' && s.variant === item.variant);
        const y = col < 0 ? null : (u.data[col + 1]?.[idx] ?? null);
        item.value.textContent = y === null ? '' : `mean ${formatValue(y)}`;
      } else {
        const best = formatSpread(v.best_val_loss);
        item.value.textContent = v.best_val_loss.mean === null ? '' : `best ${best}`;
      }
    }
  }

  /** What a screen reader hears, and what tests read. */
  private describe(data: CompareChartData): void {
    const parts = this.output.variants.map((v) => {
      const b = v.best_val_loss;
      return `${v.name}: ${v.runs.length} runs${b.mean === null ? '' : `, best val_loss ${formatSpread(b)}`}`;
    });
    this.plotBox.setAttribute(
      'aria-label',
      data.series.length
        ? `Validation loss per epoch of every run. ${parts.join('; ')}`
        : 'Validation loss per epoch: nothing to draw yet',
    );
  }

  private table(): HTMLElement {
    const o = this.output;
    const best = o.best;
    const head = [
      'variant',
      'params',
      'best val_loss',
      'final val_loss',
      'gap (val − train)',
      'time / epoch',
      'runs',
    ];
    const num = (text: string) => h('td', { class: 'rnnlab-num' }, text);
    const rows = o.variants.map((v, i) =>
      h(
        'tr',
        { 'data-colour': String(i % 6), ...(v.name === best ? { 'data-best': '' } : {}) },
        h(
          'td',
          { class: 'rnnlab-name' },
          h('span', { class: 'rnnlab-swatch', 'aria-hidden': 'true' }),
          h('span', { class: 'rnnlab-variant' }, v.name),
          h('span', { class: 'rnnlab-desc' }, v.description),
        ),
        num(v.params === null ? '?' : v.params.toLocaleString('en-US')),
        num(formatSpread(v.best_val_loss)),
        num(formatSpread(v.final_val_loss)),
        num(formatSpread(v.gap)),
        num(formatSpread(v.epoch_ms, 'ms')),
        num(`${v.runs.length}/${o.seeds.length}`),
      ),
    );
    const b = o.baseline;
    const baseline = h(
      'tr',
      { class: 'rnnlab-baseline' },
      h(
        'td',
        {},
        h('span', { class: 'rnnlab-baseline-line', 'aria-hidden': 'true' }),
        ` trivial baseline: predicting ${b.predicts}`,
      ),
      num('–'),
      num(b.val_loss === null ? '–' : formatValue(b.val_loss)),
      h(
        'td',
        { colspan: '4' },
        b.val_accuracy === null || b.val_accuracy === undefined
          ? ''
          : `val_accuracy ${formatValue(b.val_accuracy)} (the majority class)`,
      ),
    );
    return h(
      'div',
      { class: 'rnnlab-table-wrap' },
      h(
        'table',
        { 'aria-label': 'Results over seeds: mean ± standard deviation' },
        h(
          'thead',
          {},
          h('tr', {}, ...head.map((t, i) => h('th', i === 0 ? {} : { class: 'rnnlab-num' }, t))),
        ),
        h('tbody', {}, ...rows, baseline),
      ),
    );
  }

  /** How the verdict is reached, and every pairwise test, collapsed. */
  private method(): HTMLElement {
    const o = this.output;
    const p = (v: number | null) => (v === null ? '–' : v < 0.001 ? '< 0.001' : formatValue(v));
    const rows = o.comparisons.map((c) =>
      h(
        'tr',
        {},
        h('td', { class: 'rnnlab-pair' }, h('code', {}, c.a), ' − ', h('code', {}, c.b)),
        h('td', { class: 'rnnlab-num' }, String(c.n)),
        h('td', { class: 'rnnlab-num' }, c.mean_diff === null ? '–' : formatValue(c.mean_diff)),
        h(
          'td',
          { class: 'rnnlab-num' },
          c.ci[0] === null || c.ci[1] === null
            ? '–'
            : `${formatValue(c.ci[0])} to ${formatValue(c.ci[1])}`,
        ),
        h('td', { class: 'rnnlab-num' }, p(c.p)),
        h('td', { class: 'rnnlab-num' }, p(c.p_holm)),
        h('td', { class: 'rnnlab-num' }, p(c.p_sign_flip)),
        h('td', { class: 'rnnlab-num' }, p(c.p_sign_flip_holm)),
      ),
    );
    const head = [
      'pair a − b',
      'seeds',
      'mean difference of best val_loss',
      '95% CI',
      't-test p',
      'Holm',
      'sign-flip p',
      'Holm',
    ];
    const details = h(
      'details',
      {},
      h('summary', {}, 'How the verdict is reached'),
      h('p', { class: 'rnnlab-method' }, o.method),
    );
    if (rows.length)
      details.append(
        h(
          'div',
          { class: 'rnnlab-table-wrap' },
          h(
            'table',
            { 'aria-label': 'Paired comparisons' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...head.map((t, i) => h('th', i === 0 ? {} : { class: 'rnnlab-num' }, t)),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
        ),
      );
    return details;
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    for (const c of this.cleanup) c();
    this.plot?.destroy();
    this.plot = null;
    this.element.replaceChildren();
  }
}
