/**
 * The view of a masks output (`rnnlab.show_masks`): one heatmap per mask, timesteps down and
 * units across, kept cells in the theme's blue and dropped ones in a faint grey, with the
 * caption that states what the mask does ("the same 154 of 512 units dropped at every
 * timestep"). Hovering a cell, or moving over the focused heatmap with the arrow keys, reads it
 * out (timestep, unit, kept or dropped) in a line a screen reader announces.
 */
import {
  cellSize,
  maskCaption,
  maskSize,
  maskTitle,
  type MaskEntry,
  type MasksOutput,
} from '../kernels/mask-output';
import { h } from './chart';
import type { Host } from './host';
import { cssVar, MASKS_CSS, translucent } from './style';

/** The widest a heatmap is drawn with cells wider than one pixel, and the tallest. */
const MAX_PLOT_W = 640;
const MAX_PLOT_H = 160;
const MAX_CELL = 16;
/** From this cell size up, cells are drawn apart (a one-pixel gap), so each one can be told. */
const GAP_FROM = 8;

interface Colours {
  kept: string;
  dropped: string;
  cursor: string;
  /** Inside the cursor's ring: the editor's background. */
  ring: string;
  frame: string;
}

function colours(el: Element): Colours {
  const fg = cssVar(el, '--vscode-foreground', '#808080');
  const contrast = cssVar(el, '--vscode-contrastBorder', '');
  return {
    kept: cssVar(el, '--vscode-charts-blue', '#3794ff'),
    dropped: translucent(fg, contrast ? 0.3 : 0.16),
    cursor: cssVar(el, '--vscode-editor-foreground', fg),
    ring: cssVar(el, '--vscode-editor-background', 'transparent'),
    frame: contrast || translucent(fg, 0.3),
  };
}

/** What a cell reads as: `timestep 12 · unit 40 · dropped`. */
export function cellText(m: MaskEntry, t: number, u: number): string {
  return `timestep ${t} · unit ${u} · ${m.kept[t]![u] === 1 ? 'kept' : 'dropped'}`;
}

/** One mask: its heading, caption, the heatmap and its readout. */
class Heatmap {
  readonly section: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly readout: HTMLElement;
  private readonly base = document.createElement('canvas');
  private cell = { w: 1, h: 1 };
  private cursor: { t: number; u: number } | null = null;
  private palette: Colours | null = null;

  constructor(
    private readonly m: MaskEntry,
    width: number,
  ) {
    const title = maskTitle(m);
    const caption = maskCaption(m);
    const [layer, ...rest] = title.split(' · ');
    this.canvas = h('canvas', {
      class: 'rnnlab-mask-canvas',
      tabindex: '0',
      role: 'application',
      'aria-roledescription': 'heatmap',
      'aria-label': `${title}: ${maskSize(m)}; ${caption}. Arrow keys move between cells.`,
      'data-timesteps': String(m.timesteps),
      'data-units': String(m.units),
    });
    this.readout = h('div', { class: 'rnnlab-mask-readout', 'aria-live': 'polite' });
    this.layout(width);
    const last = (n: number) => String(n - 1);
    this.section = h(
      'section',
      {
        class: 'rnnlab-mask',
        'data-layer': m.layer,
        'data-kind': m.kind,
        'data-gate': m.gate ?? '',
        'data-direction': m.direction ?? '',
      },
      h(
        'div',
        { class: 'rnnlab-mask-title' },
        h('strong', {}, layer!),
        rest.length ? ` · ${rest.join(' · ')}` : '',
        h('span', { class: 'rnnlab-mask-size' }, maskSize(m)),
      ),
      h('div', { class: 'rnnlab-mask-caption' }, caption),
      h(
        'div',
        { class: 'rnnlab-mask-plot' },
        h(
          'div',
          { class: 'rnnlab-mask-y', 'aria-hidden': 'true' },
          h('span', {}, 'timestep 0'),
          h('span', {}, m.timesteps > 1 ? last(m.timesteps) : ''),
        ),
        h('div', { class: 'rnnlab-mask-scroll' }, this.canvas),
        h('span', { 'aria-hidden': 'true' }),
        h(
          'div',
          { class: 'rnnlab-mask-x', 'aria-hidden': 'true' },
          h('span', {}, 'unit 0'),
          h('span', {}, m.units > 1 ? last(m.units) : ''),
        ),
      ),
      this.readout,
    );
    this.wire();
  }

  /** Cell sizes for a plot at most `width` wide; true when they changed. */
  layout(width: number): boolean {
    const cell = cellSize(this.m, Math.min(width, MAX_PLOT_W), MAX_PLOT_H, MAX_CELL);
    if (cell.w === this.cell.w && cell.h === this.cell.h && this.palette) return false;
    this.cell = cell;
    const cssW = this.m.units * cell.w;
    const cssH = this.m.timesteps * cell.h;
    const dpr = window.devicePixelRatio || 1;
    for (const c of [this.canvas, this.base]) {
      c.width = Math.round(cssW * dpr);
      c.height = Math.round(cssH * dpr);
    }
    this.canvas.style.width = `${cssW}px`;
    this.canvas.style.height = `${cssH}px`;
    this.canvas.setAttribute('data-cell-size', `${cell.w}x${cell.h}`);
    if (this.palette) this.paint(this.palette);
    return true;
  }

  /** Draws the cells into the cached base image, then the view. */
  paint(p: Colours): void {
    this.palette = p;
    const ctx = this.base.getContext('2d');
    if (!ctx) return;
    const dpr = this.base.width / (this.m.units * this.cell.w);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.m.units * this.cell.w, this.m.timesteps * this.cell.h);
    const { w, h: ch } = this.cell;
    const gap = w >= GAP_FROM && ch >= GAP_FROM ? 1 : 0;
    for (let t = 0; t < this.m.timesteps; t++) {
      const row = this.m.kept[t]!;
      // Runs of equal cells as one rectangle each (no gaps) or each cell apart (gaps).
      for (let u = 0; u < row.length;) {
        let end = u + 1;
        if (!gap) while (end < row.length && row[end] === row[u]) end++;
        ctx.fillStyle = row[u] === 1 ? p.kept : p.dropped;
        ctx.fillRect(u * w, t * ch, (end - u) * w - gap, ch - gap);
        u = end;
      }
    }
    this.draw();
  }

  private draw(): void {
    const p = this.palette;
    const ctx = this.canvas.getContext('2d');
    if (!ctx || !p) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.base, 0, 0);
    const dpr = this.canvas.width / (this.m.units * this.cell.w);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.strokeStyle = p.frame;
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, this.m.units * this.cell.w - 1, this.m.timesteps * this.cell.h - 1);
    if (this.cursor) {
      // A ring around the cell in the foreground colour with a background line inside it,
      // so that it reads on kept and dropped cells alike, however small they are.
      const { w, h: ch } = this.cell;
      const x = this.cursor.u * w;
      const y = this.cursor.t * ch;
      // Kept inside the canvas at its edges.
      const ring = (grow: number, width: number, colour: string) => {
        const x0 = Math.max(width / 2, x - grow);
        const y0 = Math.max(width / 2, y - grow);
        const x1 = Math.min(this.m.units * w - width / 2, x + w + grow);
        const y1 = Math.min(this.m.timesteps * ch - width / 2, y + ch + grow);
        ctx.strokeStyle = colour;
        ctx.lineWidth = width;
        ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      };
      ring(2, 2, p.cursor);
      ring(0.5, 1, p.ring);
    }
  }

  private point(t: number, u: number): void {
    const tt = Math.max(0, Math.min(this.m.timesteps - 1, t));
    const uu = Math.max(0, Math.min(this.m.units - 1, u));
    this.cursor = { t: tt, u: uu };
    this.canvas.setAttribute('data-cell', `${tt},${uu}`);
    this.readout.textContent = cellText(this.m, tt, uu);
    this.draw();
  }

  private leave(): void {
    this.cursor = null;
    this.canvas.removeAttribute('data-cell');
    this.readout.textContent = '';
    this.draw();
  }

  private wire(): void {
    this.canvas.addEventListener('mousemove', (e) => {
      const r = this.canvas.getBoundingClientRect();
      this.point(
        Math.floor((e.clientY - r.top) / this.cell.h),
        Math.floor((e.clientX - r.left) / this.cell.w),
      );
    });
    this.canvas.addEventListener('mouseleave', () => {
      if (document.activeElement !== this.canvas) this.leave();
    });
    this.canvas.addEventListener('focus', () =>
      this.point(this.cursor?.t ?? 0, this.cursor?.u ?? 0),
    );
    this.canvas.addEventListener('blur', () => this.leave());
    this.canvas.addEventListener('keydown', (e) => {
      const c = this.cursor ?? { t: 0, u: 0 };
      const page = Math.max(1, Math.round(this.m.timesteps / 10));
      const moves: Record<string, [number, number]> = {
        ArrowUp: [c.t - 1, c.u],
        ArrowDown: [c.t + 1, c.u],
        ArrowLeft: [c.t, c.u - 1],
        ArrowRight: [c.t, c.u + 1],
        PageUp: [c.t - page, c.u],
        PageDown: [c.t + page, c.u],
        Home: [c.t, 0],
        End: [c.t, this.m.units - 1],
      };
      const to = moves[e.key];
      if (!to) return;
      e.preventDefault();
      this.point(to[0], to[1]);
    });
  }
}

/** Every mask of one output. */
export class MasksView {
  private readonly maps: Heatmap[];
  private readonly list: HTMLElement;
  private readonly cleanup: Array<() => void> = [];

  constructor(
    private readonly element: HTMLElement,
    output: MasksOutput,
    host: Host,
  ) {
    element.replaceChildren();
    const width = element.clientWidth || MAX_PLOT_W;
    this.maps = output.masks.map((m) => new Heatmap(m, width - 60));
    this.list = h('div', { class: 'rnnlab-masks-list' }, ...this.maps.map((m) => m.section));
    const root = h(
      'section',
      {
        class: 'rnnlab-masks',
        'aria-label': `Dropout masks of sample ${output.sample}`,
      },
      h('style', {}, MASKS_CSS),
      h(
        'div',
        { class: 'rnnlab-masks-head' },
        h('strong', {}, 'Dropout masks'),
        ` of sample ${output.sample}, one forward pass in training mode (no optimizer step: the weights are unchanged)`,
      ),
      h(
        'div',
        { class: 'rnnlab-masks-legend', 'aria-hidden': 'true' },
        h('span', { class: 'rnnlab-swatch rnnlab-kept' }),
        'kept',
        h('span', { class: 'rnnlab-swatch rnnlab-dropped' }),
        'dropped',
        h(
          'span',
          { class: 'rnnlab-masks-axes' },
          'rows: timesteps · columns: units · hover a cell, or focus a heatmap and use the arrow keys, to read it',
        ),
      ),
      output.masks.length
        ? this.list
        : h('div', { class: 'rnnlab-masks-empty' }, 'No dropout applied a mask.'),
    );
    element.append(root);
    this.paint();
    this.cleanup.push(host.onThemeChange(() => this.paint()));
    const resize = new ResizeObserver(() => {
      const w = this.element.clientWidth;
      if (w > 0) for (const m of this.maps) m.layout(w - 60);
    });
    resize.observe(element);
    this.cleanup.push(() => resize.disconnect());
  }

  private paint(): void {
    const p = colours(this.list);
    for (const m of this.maps) m.paint(p);
  }

  dispose(): void {
    for (const c of this.cleanup) c();
    this.element.replaceChildren();
  }
}
