/**
 * The Keras-style model summary: rows per layer and exact parameter totals, or unknown totals
 * with the reason in one line (never a partial sum).
 */
import { formatShape, formatShapes } from './format';
import type { LayerCall, LayerNode, ModelNode } from './graph';
import { LAYERS } from './layers/index';
import { asNumber } from './python/values';
import { countedShapes, layerParams, paramsOf, unbuiltSublayer } from './shapes';

/** The reason given when only an input size stands between the analyzer and a count. */
export const INPUT_SIZE_UNKNOWN = 'an input size is unknown';

export interface SummaryRow {
  name: string;
  type: string;
  /** As Keras prints it: `(None, 50, 64)`, a list for several outputs, `?` where unknown. */
  outputShape: string;
  /** Null when an input size the count depends on is unknown. */
  params: number | null;
  trainable: number | null;
  nonTrainable: number | null;
  /**
   * Why the analyzer cannot count this layer's weights whatever its input (a custom layer, a
   * layer it does not model); null for the layers it models.
   */
  unknown: string | null;
  /** Why `params` is unknown, in one line (the `unknown` reason, or an input or argument); null when known. */
  reason: string | null;
  /**
   * A layer a subclassed model holds but its `call` never applies: Keras prints it `0 (unbuilt)`
   * and it has no weights.
   */
  unbuilt?: true;
  /**
   * Keras 3's "Connected to" cell, for functional models that are not a plain chain: the tensors
   * each of its calls takes, as `layer[node][tensor]` (`-` for an input); absent otherwise.
   */
  connectedTo?: string;
}

export interface ModelSummary {
  name: string;
  kind: ModelNode['kind'];
  rows: SummaryRow[];
  totalParams: number | null;
  trainableParams: number | null;
  nonTrainableParams: number | null;
  /** Why the totals are unknown, in one line; null when they are known. */
  unknownReason: string | null;
  /** Why the trainable/non-trainable split is unknown where the total is known; else null. */
  splitReason: string | null;
  /**
   * Where Keras 3 itself prints the model unbuilt although the analyzer has its shapes from a
   * hint Keras 3 ignores (`Embedding(input_length=...)`): that, in one line; null otherwise.
   */
  unbuilt: string | null;
}

function outputShapeOf(layer: LayerNode): string {
  const call = layer.calls[0];
  if (!call) return '?';
  return formatShapes(call.outputs.map((t) => t.shape));
}

/** Why a layer cannot be counted whatever its input, or null for the layers the analyzer models. */
function intrinsicUnknown(layer: LayerNode): string | null {
  if (layer.opaque) return layer.opaque;
  if (layer.model) {
    // A nested model is unknown for its own reason, unless only an input size is missing.
    const inner = summarize(layer.model);
    return inner.totalParams === null && inner.unknownReason !== INPUT_SIZE_UNKNOWN
      ? `a model whose total is unknown (${inner.unknownReason})`
      : null;
  }
  if (layer.type === 'Lambda') return 'a Lambda layer, whose function the analyzer does not run';
  if (!LAYERS.has(layer.type)) return 'a layer the analyzer does not model yet';
  for (const inner of [layer.inner, layer.backward]) {
    const why = inner ? intrinsicUnknown(inner) : null;
    if (inner && why) return `it wraps ${rowLabel(inner)}, ${why}`;
  }
  return null;
}

/** True when a count is unknown though every input size is known: an argument is unknown. */
function argumentUnknown(layer: LayerNode, call: LayerCall): boolean {
  const shapes = countedShapes(layer, call.inputs);
  if (shapes.some((s) => !s)) return false;
  // Every unknown size but the batch's filled in with 1: if the count is still unknown, an
  // argument of the layer is what the analyzer does not know.
  return (
    paramsOf(
      layer,
      shapes.map((s) => s!.map((d, i) => (i === 0 ? d : (d ?? 1)))),
    ) === null
  );
}

/** `lstm (LSTM)`, or just the label of a layer of unknown class. */
function rowLabel(layer: LayerNode): string {
  return layer.type === '?' ? layer.name : `${layer.name} (${layer.type})`;
}

/** Why a model's totals are unknown, in one line: the first cause, most fundamental first. */
function unknownReason(model: ModelNode): string {
  const intrinsic = model.layers.filter((l) => intrinsicUnknown(l) !== null);
  if (intrinsic.length > 0) {
    const first = intrinsic[0]!;
    const more = intrinsic.length - 1;
    return `${rowLabel(first)}: ${intrinsicUnknown(first)}${more > 0 ? `; ${more} more layer${more === 1 ? ' is' : 's are'} unknown` : ''}`;
  }
  if (model.opaque && model.opaqueReason) return model.opaqueReason;
  for (const layer of model.layers) {
    const call = layer.calls[0];
    if (
      call &&
      !layer.model &&
      paramsOf(layer, countedShapes(layer, call.inputs)) === null &&
      argumentUnknown(layer, call)
    )
      return `an argument of ${rowLabel(layer)} is unknown`;
  }
  return INPUT_SIZE_UNKNOWN;
}

/**
 * Keras 3 ignores `Embedding(input_length=...)`: a Sequential model whose only shape is that hint
 * stays unbuilt there (`?` shapes, `0 (unbuilt)` counts, a total of 0).
 */
function keras3Unbuilt(model: ModelNode): string | null {
  if (model.path.startsWith('tf_keras.') || model.keras2) return null;
  const sub = model.subclass;
  if (sub) {
    if (sub.builtBy !== 'build' || sub.ownBuild || sub.ownWeights) return null;
    // keras-team/keras#19229: Keras 3's Model.build() does not run `call`, so no layer is built.
    return `Keras 3 prints this model unbuilt (0 (unbuilt) per layer, Total params: 0): model.build() does not build the layers of a subclassed model with no build() of its own; the figures above are the model once called on ${formatShapes(model.inputs.map((t) => t.shape))} data.`;
  }
  const first = model.inputLayer;
  if (model.kind !== 'sequential' || model.inputSource !== 'hint' || first?.type !== 'Embedding')
    return null;
  if (model.path.startsWith('tf_keras.') || model.keras2) return null;
  const hints = first.inputHintArgs;
  if (hints.length === 0 || hints.some((a) => a.param !== 'input_length')) return null;
  const length = asNumber(hints[0]!.value);
  const shape = model.inputs[0]?.shape ?? null;
  return `Keras 3 prints this model unbuilt (Output Shape ?, Total params: 0): it ignores Embedding(input_length=${length ?? '?'}); the figures above are the model built on ${formatShape(shape)}.`;
}

/** `lstm[0][0], dense[1][0]`: the tensors a layer's calls in this model take (Keras's get_connections). */
function connections(model: ModelNode, layer: LayerNode): string {
  const inModel = new Set(model.calls);
  const parts: string[] = [];
  for (const call of layer.calls) {
    if (!inModel.has(call)) continue;
    for (const t of [...call.inputs, ...call.initialState]) {
      const from = t.producer;
      if (!from) continue;
      parts.push(
        `${from.layer.name}[${from.layer.calls.indexOf(from)}][${from.outputs.indexOf(t)}]`,
      );
    }
  }
  return parts.length > 0 ? parts.join(', ') : '-';
}

/** Summarises one model as Keras's `model.summary()` would. */
export function summarize(model: ModelNode): ModelSummary {
  const rows: SummaryRow[] = model.layers.map((layer) => {
    const call = layer.calls[0];
    if (unbuiltSublayer(model, layer)) {
      const none = { params: 0, trainable: 0, nonTrainable: 0 };
      const row = { name: layer.name, type: layer.type, outputShape: '?', ...none };
      return { ...row, unknown: null, reason: null, unbuilt: true };
    }
    const p = layerParams(layer);
    const unknown = intrinsicUnknown(layer);
    // Frozen through a layer list the analyzer cannot resolve (python/trainable.ts): split unknown.
    const split = splitUnknown(layer) === null;
    return {
      name: layer.name,
      type: layer.type,
      outputShape: outputShapeOf(layer),
      params: p ? p.trainable + p.nonTrainable : null,
      trainable: p && split ? p.trainable : null,
      nonTrainable: p && split ? p.nonTrainable : null,
      unknown,
      reason: p
        ? null
        : (unknown ??
          (!call
            ? 'the layer is never called on a tensor'
            : !layer.model && argumentUnknown(layer, call)
              ? `an argument of ${rowLabel(layer)} is unknown`
              : INPUT_SIZE_UNKNOWN)),
    };
  });
  if (model.kind === 'functional' && model.connected)
    model.layers.forEach((layer, i) => (rows[i]!.connectedTo = connections(model, layer)));
  // Part of an opaque model is not in the rows: their sum would be a partial total.
  const sum = (key: 'params' | 'trainable' | 'nonTrainable') =>
    model.opaque
      ? null
      : rows.reduce<number | null>(
          (acc, r) => (acc === null || r[key] === null ? null : acc + r[key]),
          0,
        );
  const totalParams = sum('params');
  // A frozen model (`model.trainable = False`) has no trainable weights, whatever its layers say.
  const frozen = model.frozen === true && totalParams !== null;
  return {
    name: model.name,
    kind: model.kind,
    rows,
    totalParams,
    trainableParams: frozen ? 0 : sum('trainable'),
    nonTrainableParams: frozen ? totalParams : sum('nonTrainable'),
    unknownReason: totalParams === null ? unknownReason(model) : null,
    splitReason:
      totalParams === null
        ? null
        : (model.layers.map(splitUnknown).find((why) => why !== null) ?? null),
    unbuilt: keras3Unbuilt(model),
  };
}

/** Why a layer's trainable/non-trainable split is unknown (its `trainable` is), or null. */
function splitUnknown(layer: LayerNode): string | null {
  const t = layer.config['trainable'];
  if (t?.kind !== 'unknown') return null;
  return t.origin?.reason ?? `${layer.name}'s trainable is unknown`;
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
  const connected = s.rows.some((r) => r.connectedTo !== undefined);
  const cells = s.rows.map((r) => [
    `${r.name} (${r.type})`,
    r.outputShape,
    paramText(r),
    ...(connected ? [r.connectedTo ?? '-'] : []),
  ]);
  const head = ['Layer (type)', 'Output Shape', 'Param #', ...(connected ? ['Connected to'] : [])];
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
  for (const t of totalLines(s)) out.push(` ${t.label}: ${t.figure}${t.rest}`);
  if (s.unbuilt) out.push(` ${s.unbuilt}`);
  return out.join('\n');
}

/** A row's Param # cell, as the text and HTML tables show it. */
export function paramText(r: SummaryRow): string {
  // A layer the analyzer cannot see into is marked, as Keras marks unbuilt ones `0 (unbuilt)`.
  if (r.unbuilt) return '0 (unbuilt)';
  return r.params === null ? (r.unknown ? '? (not modelled)' : '?') : thousands(r.params);
}

/** The three totals lines: label, figure, and what follows (the size, or why it is unknown). */
export function totalLines(
  s: ModelSummary,
): Array<{ label: string; figure: string; rest: string }> {
  const line = (label: string, n: number | null, reason = '') =>
    n === null
      ? { label, figure: '?', rest: reason }
      : { label, figure: thousands(n), rest: ` (${weightBytes(n)})` };
  // The reason goes on the first line only: the split cannot be known when the total is not.
  return [
    line('Total params', s.totalParams, ` (${s.unknownReason ?? INPUT_SIZE_UNKNOWN})`),
    line('Trainable params', s.trainableParams, s.splitReason ? ` (${s.splitReason})` : ''),
    line('Non-trainable params', s.nonTrainableParams),
  ];
}
