/**
 * The live chart of one training run: the model's name and description, progress with Stop,
 * the controls (smoothing, log scale), and one uPlot chart per metric (loss first) with the
 * per-batch values (raw, faint, and smoothed), the per-epoch values and the validation values.
 * Live progress is folded into the run as it arrives and drawn once per animation frame.
 */
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { formatDuration } from '../analyzer/format';
import type { Host } from './host';
import type { RunProgress } from './protocol';
import {
  applyProgress,
  epochLog,
  epochsDone,
  formatValue,
  LiveChartData,
  metricNames,
  type ChartData,
  type Run,
  type SeriesKind,
} from './series';
import { axisColours, axisStyle, cssVar, CHART_CSS, type AxisColours } from './style';

/** TensorBoard's default smoothing weight. */
const DEFAULT_SMOOTHING = 0.6;
const CHART_HEIGHT = 210;

interface ViewState {
  smoothing: number;
  log: boolean;
  /** The epoch log of a finished run is open. */
  epochLog: boolean;
}

interface Plot {
  metric: string;
  box: HTMLElement;
  plot: uPlot;
  /** The series kinds drawn, to know when the chart must be built again. */
  kinds: string;
}

/** The theme's colours, read from VS Code's CSS variables (canvas needs resolved values). */
interface Palette extends AxisColours {
  train: string;
  val: string;
}

function palette(el: HTMLElement): Palette {
  return {
    ...axisColours(el),
    train: cssVar(el, '--vscode-charts-blue', '#3794ff'),
    val: cssVar(el, '--vscode-charts-orange', '#d18616'),
  };
}

/** Builds an element with attributes (never inline styles or handlers: the CSP forbids them). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** What the header says under the model's name: parameters and how it is trained. */
export function configLine(run: Run): string {
  const c = run.config;
  const parts: string[] = [];
  if (run.params !== null) parts.push(`${run.params.toLocaleString('en-US')} parameters`);
  const opt = c['optimizer'] as { name?: unknown; learningRate?: unknown } | undefined;
  if (opt && typeof opt.name === 'string')
    parts.push(
      typeof opt.learningRate === 'number' ? `${opt.name} (lr ${opt.learningRate})` : opt.name,
    );
  const loss = c['loss'] as { name?: unknown } | string | undefined;
  const lossName =
    typeof loss === 'string' ? loss : typeof loss?.name === 'string' ? loss.name : null;
  if (lossName) parts.push(`loss ${lossName}`);
  const batchSize = c['batch_size'];
  parts.push(
    `${run.epochs} epoch${run.epochs === 1 ? '' : 's'} × ${run.batchesPerEpoch} batch${run.batchesPerEpoch === 1 ? '' : 'es'}${typeof batchSize === 'number' ? ` of ${batchSize}` : ''}`,
  );
  return parts.join(' · ');
}

export class RunChart {
  private readonly root: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly stop: HTMLElement & { disabled?: boolean };
  private readonly charts: HTMLElement;
  private readonly smoothingInput: HTMLInputElement;
  private readonly smoothingValue: HTMLOutputElement;
  private readonly logBox: HTMLElement & { checked?: boolean };
  private plots: Plot[] = [];
  /** The per-batch series, smoothed and downsampled as values arrive (not again each frame). */
  private readonly live = new LiveChartData();
  private state: ViewState;
  private frame: number | null = null;
  private width = 0;
  private readonly cleanup: Array<() => void> = [];

  constructor(
    private readonly element: HTMLElement,
    private readonly run: Run,
    private readonly host: Host,
  ) {
    const saved = host.getState(`run:${run.runId}`) as Partial<ViewState> | undefined;
    this.state = {
      smoothing: typeof saved?.smoothing === 'number' ? saved.smoothing : DEFAULT_SMOOTHING,
      log: saved?.log === true,
      epochLog: saved?.epochLog === true,
    };
    element.replaceChildren();
    const id = `rnnlab-${run.runId.replace(/[^\w-]/g, '_')}`;
    this.progress = h('span', { class: 'rnnlab-progress', role: 'status', 'aria-live': 'polite' });
    this.stop = h(
      'vscode-button',
      { secondary: '', 'aria-label': `Stop training ${run.model}` },
      'Stop',
    ) as never;
    this.smoothingInput = h('input', {
      type: 'range',
      id: `${id}-smoothing`,
      min: '0',
      max: '0.99',
      step: '0.01',
      value: String(this.state.smoothing),
    });
    this.smoothingValue = h('output', { for: `${id}-smoothing` }, this.state.smoothing.toFixed(2));
    this.logBox = h('vscode-checkbox', { label: 'Log scale', 'aria-label': 'Log scale' }) as never;
    if (this.state.log) this.logBox.setAttribute('checked', '');
    this.charts = h('div', { class: 'rnnlab-charts' });
    this.root = h(
      'section',
      {
        class: 'rnnlab-run',
        'aria-label': `Training run of ${run.model}`,
        'data-status': run.status,
      },
      h('style', {}, uplotCss, CHART_CSS),
      h(
        'div',
        { class: 'rnnlab-head' },
        h(
          'div',
          { class: 'rnnlab-title' },
          h('strong', {}, run.model),
          ' ',
          h('span', { class: 'rnnlab-desc' }, run.description),
        ),
        h('div', { class: 'rnnlab-config' }, configLine(run)),
      ),
      h(
        'div',
        { class: 'rnnlab-bar' },
        this.progress,
        this.stop,
        h(
          'span',
          { class: 'rnnlab-controls' },
          h('label', { for: `${id}-smoothing` }, 'Smoothing'),
          this.smoothingInput,
          this.smoothingValue,
          this.logBox,
        ),
      ),
      this.charts,
    );
    const log = this.epochLog();
    if (log) this.root.append(log);
    element.append(this.root);
    this.wire();
    this.showProgress();
    this.draw();
    if (run.status === 'running' && host.canMessage) host.post({ type: 'ready', runId: run.runId });
  }

  private wire(): void {
    const on = (el: EventTarget, type: string, fn: () => void) => {
      el.addEventListener(type, fn);
      this.cleanup.push(() => el.removeEventListener(type, fn));
    };
    on(this.smoothingInput, 'input', () => {
      this.state.smoothing = Number(this.smoothingInput.value);
      this.smoothingValue.textContent = this.state.smoothing.toFixed(2);
      this.save();
      this.schedule();
    });
    on(this.logBox, 'change', () => {
      this.state.log = this.logBox.checked === true;
      this.save();
      this.rebuild();
    });
    on(this.stop, 'click', () => {
      if (this.stop.hasAttribute('disabled')) return;
      this.host.post({ type: 'stop', runId: this.run.runId });
      this.stop.setAttribute('disabled', '');
      this.stop.textContent = 'Stopping…';
    });
    this.cleanup.push(
      this.host.onMessage((msg) => {
        if (msg.type === 'progress' && msg.runId === this.run.runId) this.onProgress(msg);
      }),
      this.host.onThemeChange(() => this.rebuild()),
    );
    const resize = new ResizeObserver(() => {
      const w = this.charts.clientWidth;
      if (w === this.width || w === 0) return;
      this.width = w;
      for (const p of this.plots) p.plot.setSize({ width: w, height: CHART_HEIGHT });
    });
    resize.observe(this.charts);
    this.cleanup.push(() => resize.disconnect());
  }

  /**
   * A finished run's per-epoch log, collapsed, as Keras prints it (a live run has its progress
   * line instead; the final output draws the view again with the log).
   */
  private epochLog(): HTMLDetailsElement | null {
    if (this.run.status === 'running') return null;
    const lines = epochLog(this.run);
    if (!lines.length) return null;
    const details = h(
      'details',
      { class: 'rnnlab-log' },
      h('summary', {}, `Epoch log (${lines.length} epoch${lines.length === 1 ? '' : 's'})`),
      h('pre', { tabindex: '0', 'aria-label': `Epoch log of ${this.run.model}` }, lines.join('\n')),
    );
    details.open = this.state.epochLog;
    const toggle = () => {
      this.state.epochLog = details.open;
      this.save();
    };
    details.addEventListener('toggle', toggle);
    this.cleanup.push(() => details.removeEventListener('toggle', toggle));
    return details;
  }

  private save(): void {
    this.host.setState(`run:${this.run.runId}`, { ...this.state });
  }

  /** Live progress: folded in now, drawn at the next animation frame (one redraw per frame). */
  private onProgress(p: RunProgress): void {
    if (this.run.status !== 'running') return;
    applyProgress(this.run, p);
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      this.showProgress();
      this.draw();
    });
  }

  private showProgress(): void {
    const run = this.run;
    const running = run.status === 'running';
    this.stop.hidden = !running || !this.host.canMessage;
    this.root.dataset['status'] = run.status;
    const done = epochsDone(run);
    let text: string;
    if (running) {
      const at = run.at;
      text = at
        ? `epoch ${at.epoch + 1}/${run.epochs} · batch ${at.batch + 1}/${run.batchesPerEpoch} · ETA ${formatDuration(run.etaMs)}`
        : `starting: ${run.epochs} epoch${run.epochs === 1 ? '' : 's'}`;
      if (!this.host.canMessage) text += ' (live updates need the RNN Lab extension)';
    } else if (run.status === 'lost') {
      text = `ended after ${done} epoch${done === 1 ? '' : 's'} without reporting its results`;
    } else {
      const why =
        run.stopped === 'user'
          ? 'stopped by the user'
          : run.stopped === 'diverged'
            ? 'diverged'
            : run.stopped === 'early-stopping'
              ? 'early stopping'
              : null;
      text = `${done}/${run.epochs} epoch${run.epochs === 1 ? '' : 's'}${why ? ` (${why})` : ''}`;
    }
    this.progress.textContent = text;
  }

  private options(metric: string, data: ChartData, colours: Palette): uPlot.Options {
    const stroke = (kind: SeriesKind) => (kind === 'val' ? colours.val : colours.train);
    const series: uPlot.Series[] = data.series.map((s) => ({
      label: s.label,
      stroke: stroke(s.kind),
      width: s.kind === 'raw' ? 1 : s.kind === 'smoothed' ? 1.5 : 2,
      // The raw per-batch line stays visible, faintly, under its smoothed line.
      alpha: s.kind === 'raw' && this.state.smoothing > 0 ? 0.3 : 1,
      dash: s.kind === 'val' ? [6, 3] : undefined,
      spanGaps: true,
      points: { show: s.kind === 'epoch' || s.kind === 'val', size: 5, fill: stroke(s.kind) },
      value: (_u, v) => formatValue(v),
    }));
    const axis = (label: string) => axisStyle(label, colours, this.root);
    // Whole epochs on the x axis when there are several: the dotted epoch lines are its grid.
    const wholeEpochs = this.run.epochs >= 2;
    const xAxis: uPlot.Axis = {
      ...axis('epoch'),
      size: 30,
      ...(wholeEpochs
        ? {
            incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
            grid: { show: epochsDone(this.run) > 100, stroke: colours.grid, width: 1 },
          }
        : {}),
    };
    return {
      width: this.charts.clientWidth || 600,
      height: CHART_HEIGHT,
      title: undefined,
      // The whole fit's width from the start: a live chart fills from the left as epochs pass.
      scales: {
        x: { time: false, range: (_u, _min, max) => [0, Math.max(max, this.run.epochs)] },
        y: { distr: this.state.log ? 3 : 1 },
      },
      axes: [xAxis, { ...axis(metric), size: 56 }],
      series: [{ label: 'epoch', value: (_u, v) => formatValue(v) }, ...series],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [(u) => this.epochLines(u, colours)] },
    };
  }

  /** Dotted vertical lines at the ends of epochs (when there are few enough to read). */
  private epochLines(u: uPlot, colours: Palette): void {
    const epochs = epochsDone(this.run);
    if (epochs < 1 || epochs > 100) return;
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = colours.marker;
    ctx.setLineDash([3, 3]);
    ctx.lineWidth = 1;
    for (let e = 1; e <= epochs; e++) {
      const x = Math.round(u.valToPos(e, 'x', true)) + 0.5;
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  }

  private chartOptions() {
    return {
      smoothing: this.state.smoothing,
      log: this.state.log,
      buckets: Math.max(50, this.charts.clientWidth || 600),
    };
  }

  /** Draws the current values: a chart per metric, built again when its series changed. */
  private draw(): void {
    const metrics = metricNames(this.run);
    if (metrics.join() !== this.plots.map((p) => p.metric).join()) return this.rebuild();
    const o = this.chartOptions();
    for (const p of this.plots) {
      const data = this.live.chartData(this.run, p.metric, o);
      const kinds = data.series.map((s) => s.kind).join();
      if (kinds !== p.kinds) return this.rebuild();
      p.plot.setData(data.columns as uPlot.AlignedData);
      this.describe(p.box, p.metric, data);
    }
  }

  private rebuild(): void {
    this.root.dataset['log'] = String(this.state.log);
    for (const p of this.plots) p.plot.destroy();
    this.plots = [];
    this.charts.replaceChildren();
    const colours = palette(this.root);
    const o = this.chartOptions();
    const metrics = metricNames(this.run);
    if (!metrics.length) {
      this.charts.append(h('div', { class: 'rnnlab-empty' }, 'No values yet.'));
      return;
    }
    for (const metric of metrics) {
      const data = this.live.chartData(this.run, metric, o);
      const box = h('div', { class: 'rnnlab-chart', role: 'img', 'data-metric': metric });
      this.charts.append(box);
      const plot = new uPlot(
        this.options(metric, data, colours),
        data.columns as uPlot.AlignedData,
        box,
      );
      this.plots.push({ metric, box, plot, kinds: data.series.map((s) => s.kind).join() });
      this.describe(box, metric, data);
    }
  }

  /** What a screen reader hears for a chart, and what tests read: its series and last values. */
  private describe(box: HTMLElement, metric: string, data: ChartData): void {
    box.dataset['series'] = String(data.series.length);
    box.dataset['points'] = String(data.columns[0]?.length ?? 0);
    const last = (key: string) => this.run.epoch[key]?.at(-1);
    const parts = [`${metric} per batch and per epoch`];
    if (last(metric) !== undefined) parts.push(`last epoch ${formatValue(last(metric))}`);
    if (last(`val_${metric}`) !== undefined)
      parts.push(`validation ${formatValue(last(`val_${metric}`))}`);
    box.setAttribute('aria-label', parts.join(', '));
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    for (const c of this.cleanup) c();
    for (const p of this.plots) p.plot.destroy();
    this.plots = [];
    this.element.replaceChildren();
  }
}
