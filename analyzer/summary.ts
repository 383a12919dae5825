/** The Keras-style model summary: rows per layer and exact parameter totals. */
import { formatShapes } from './format';
import type { LayerNode, ModelNode } from './graph';
import { paramsOf } from './shapes';

export interface SummaryRow {
  name: string;
  type: string;
  /** As Keras prints it: `(None, 50, 64)`, a list for several outputs, `?` where unknown. */
  outputShape: string;
  /** Null when an input size the count depends on is unknown. */
  params: number | null;
  trainable: number | null;
  nonTrainable: number | null;
}

export interface ModelSummary {
  name: string;
  kind: ModelNode['kind'];
  rows: SummaryRow[];
  totalParams: number | null;
  trainableParams: number | null;
  nonTrainableParams: number | null;
}

function outputShapeOf(layer: LayerNode): string {
  const call = layer.calls[0];
  if (!call) return '?';
  return formatShapes(call.outputs.map((t) => t.shape));
}

/** Summarises one model as Keras's `model.summary()` would. */
export function summarize(model: ModelNode): ModelSummary {
  const rows: SummaryRow[] = model.layers.map((layer) => {
    const call = layer.calls[0];
    const p = call
      ? paramsOf(
          layer,
          call.inputs.map((t) => t.shape),
        )
      : null;
    return {
      name: layer.name,
      type: layer.type,
      outputShape: outputShapeOf(layer),
      params: p ? p.trainable + p.nonTrainable : null,
      trainable: p ? p.trainable : null,
      nonTrainable: p ? p.nonTrainable : null,
    };
  });
  const sum = (key: 'params' | 'trainable' | 'nonTrainable') =>
    rows.reduce<number | null>(
      (acc, r) => (acc === null || r[key] === null ? null : acc + r[key]),
      0,
    );
  return {
    name: model.name,
    kind: model.kind,
    rows,
    totalParams: sum('params'),
    trainableParams: sum('trainable'),
    nonTrainableParams: sum('nonTrainable'),
  };
}

/** `2757761` → `2,757,761`. */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** Keras's readable size of float32 weights: `10.52 MB`. */
export function weightBytes(params: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let size = params * 4;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${size.toFixed(2)} ${units[unit]}`;
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));
const padLeft = (s: string, n: number) => ' '.repeat(Math.max(0, n - s.length)) + s;

/** Renders the summary as Keras 3 prints it (box-drawn table, then totals). */
export function formatSummary(s: ModelSummary): string {
  const cells = s.rows.map((r) => [
    `${r.name} (${r.type})`,
    r.outputShape,
    r.params === null ? '?' : thousands(r.params),
  ]);
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)) + 2);
  const line = (l: string, m: string, r: string, fill: string) =>
    l + widths.map((w) => fill.repeat(w)).join(m) + r;
  const row = (c: string[], sep: string) =>
    sep +
    c
      .map((v, i) => (i === 2 ? padLeft(v, widths[i]! - 1) + ' ' : ' ' + pad(v, widths[i]! - 1)))
      .join(sep) +
    sep;
  const out = [
    `Model: "${s.name}"`,
    line('┏', '┳', '┓', '━'),
    row(head, '┃'),
    line('┡', '╇', '┩', '━'),
  ];
  cells.forEach((c, i) => {
    out.push(row(c, '│'));
    if (i < cells.length - 1) out.push(line('├', '┼', '┤', '─'));
  });
  out.push(line('└', '┴', '┘', '─'));
  const total = (label: string, n: number | null) =>
    ` ${label}: ${n === null ? '? (an input size is unknown)' : `${thousands(n)} (${weightBytes(n)})`}`;
  out.push(total('Total params', s.totalParams));
  out.push(total('Trainable params', s.trainableParams));
  out.push(total('Non-trainable params', s.nonTrainableParams));
  return out.join('\n');
}
