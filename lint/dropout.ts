/** DR1xx: where dropout sits and what its mask really does (RULES.md facts 1-7). */
import type { LayerCall, LayerNode, ModelNode } from '../analyzer/graph';
import { asInt, asItems, asNumber, type Value } from '../analyzer/python/values';
import {
  argFor,
  calleeFor,
  conditionalBlock,
  insertArg,
  layerUnit,
  lineStart,
  removeLayer,
  setArg,
  textOf,
} from './edits';
import {
  consumers,
  cudnnFailures,
  DROPOUT_LAYERS,
  feedsRecurrent,
  inputDropoutOwner,
  inputShape,
  isSequence,
  num,
  recurrentCore,
} from './model';
import { formatShape } from '../analyzer/format';
import { CELL_TYPES } from '../analyzer/layers/cells';
import type { Draft, Fix, RuleContext } from './types';

const anchor = (layer: LayerNode) => layer.site.callee.from;

function timestepsText(t: number | null): string {
  return t === null ? 'at every timestep' : `at each of the ${t} timesteps`;
}

/** The written rate (`0.5`) for messages and moved arguments. */
function rateText(ctx: RuleContext, layer: LayerNode): string {
  const arg = argFor(layer.site, 'rate');
  return arg ? textOf(ctx.text, arg.valueSpan) : num(layer.config['rate']);
}

/** The rate as a message shows it: the model's number where known, else the written text. */
function rateShown(ctx: RuleContext, layer: LayerNode): string {
  const v = layer.config['rate'];
  return v && (v.kind === 'int' || v.kind === 'float') ? num(v) : rateText(ctx, layer);
}

/** Fix: replace a Dropout by SpatialDropout1D (same rate). */
function spatialFix(ctx: RuleContext, layer: LayerNode, preferred: boolean): Fix | null {
  const positional = layer.site.args.filter((a) => a.keyword === null);
  if (positional.length > 1 || layer.site.splat) return null;
  const { callee, edits } = calleeFor(ctx.text, layer, 'SpatialDropout1D');
  const noise = argFor(layer.site, 'noise_shape');
  const out = [{ span: layer.site.callee, newText: callee }, ...edits];
  if (noise) {
    const i = layer.site.args.indexOf(noise);
    const prev = layer.site.args[i - 1];
    const next = layer.site.args[i + 1];
    out.push(
      next
        ? { span: { from: noise.span.from, to: next.span.from }, newText: '' }
        : { span: { from: prev ? prev.span.to : noise.span.from, to: noise.span.to }, newText: '' },
    );
  }
  return {
    title: `Replace with SpatialDropout1D(${rateText(ctx, layer)}): one mask per sequence${everyRun(ctx, layer)}`,
    isPreferred: preferred,
    edits: out,
  };
}

/** How many layers of the analysis a constructor call made (more than 1 in a loop or a helper). */
function runs(ctx: Pick<RuleContext, 'analysis'>, layer: LayerNode): number {
  let counts = RUNS.get(ctx.analysis);
  if (!counts) {
    counts = new Map();
    for (const l of ctx.analysis.layers)
      counts.set(l.site.span.from, (counts.get(l.site.span.from) ?? 0) + 1);
    RUNS.set(ctx.analysis, counts);
  }
  return counts.get(layer.site.span.from) ?? 0;
}

/** Layers made by each constructor call (by its offset), counted once per analysis. */
const RUNS = new WeakMap<RuleContext['analysis'], Map<number, number>>();

/** A fix title's note when the edited line makes several layers (each of them changes). */
function everyRun(ctx: Pick<RuleContext, 'analysis'>, layer: LayerNode): string {
  const n = runs(ctx, layer);
  return n > 1 ? ` (this line makes ${n} layers: all of them change)` : '';
}

/** Fix: `noise_shape=(None, 1, F)`: one feature mask shared by all timesteps. */
function noiseShapeFix(
  ctx: RuleContext,
  layer: LayerNode,
  features: number | null,
  preferred: boolean,
): Fix {
  const tuple = `(None, 1, ${features ?? 'None'})`;
  return {
    title: `Set noise_shape=${tuple}: one mask shared by all timesteps${everyRun(ctx, layer)}`,
    isPreferred: preferred,
    edits: [setArg(layer.site, 'noise_shape', tuple)],
  };
}

/**
 * Fix: move the rate into the recurrent layer's `dropout=` (its mask is per sequence).
 * Not offered when that layer already has a non-zero dropout, or the Dropout cannot be removed.
 */
function moveFix(
  ctx: RuleContext,
  dropoutCall: LayerCall,
  rnnCall: LayerCall,
  preferred: boolean,
): Fix | null {
  const dropout = dropoutCall.layer;
  // Removing a Dropout that feeds several layers would take the regularisation from the others.
  if (!dropoutCall.outputs[0] || consumers(ctx.model, dropoutCall.outputs[0]).length !== 1)
    return null;
  // The layer that takes `dropout=` (for RNN(cell): the first cell), or none (CuDNNLSTM).
  const core = inputDropoutOwner(recurrentCore(rnnCall.layer)!);
  if (!core) return null;
  const existing = asNumber(core.config['dropout']);
  if (existing === null || existing !== 0 || core.site.splat) return null;
  // A Dropout under an `if` would become unconditional; a line that runs several times (a loop,
  // a function called again) would change recurrent layers the finding is not about.
  if (conditionalBlock(ctx.text, dropout.site.span.from, core.site.span.from)) return null;
  if (runs(ctx, dropout) > 1 || runs(ctx, core) > 1) return null;
  const removal = removeLayer(ctx.text, dropout);
  if (!removal) return null;
  const edits = [removal, setArg(core.site, 'dropout', rateText(ctx, dropout))];
  if (dropout.inputHintArgs.length > 0) {
    // The Dropout declared the model's input shape: the recurrent layer must take it over,
    // which is only right when it comes directly after the Dropout.
    const direct = rnnCall.inputs[0]?.producer?.layer === dropout;
    if (!direct) return null;
    const rnnHost = rnnCall.layer;
    for (const arg of dropout.inputHintArgs) {
      if (!argFor(rnnHost.site, arg.param ?? ''))
        edits.push(insertArg(rnnHost.site, textOf(ctx.text, arg.span)));
    }
  }
  return {
    title: `Move the rate into ${core.type}(dropout=${rateText(ctx, dropout)}): one mask per sequence`,
    isPreferred: preferred,
    edits,
  };
}

/** True when tf.keras 2.x would run this recurrent layer on cuDNN (dropout= then per timestep). */
function cudnnEligible(layer: LayerNode): boolean {
  const f = cudnnFailures(layer);
  return f !== null && f.length === 0;
}

function noiseEntries(v: Value | undefined): Array<number | 'None' | null> | null {
  const items = asItems(v);
  if (!items) return null;
  return items.map((x) => (x.kind === 'none' ? 'None' : asInt(x)));
}

function dropoutOnSequence(ctx: RuleContext, model: ModelNode, call: LayerCall): Draft[] {
  const layer = call.layer;
  const shape = inputShape(call);
  const noise = layer.config['noise_shape'];
  const out: Draft[] = [];
  if (!shape) return out;
  const rate = rateShown(ctx, layer);
  const entries = noiseEntries(noise);
  // A noise_shape of None entries (or the input's own sizes) is a per-element mask, like none.
  const perElement =
    noise?.kind === 'none' ||
    (isSequence(shape) &&
      entries !== null &&
      entries.length === 3 &&
      entries[0] === 'None' &&
      entries
        .slice(1)
        .every((e, i) => e === 'None' || (e !== 1 && e !== null && e === shape[i + 1])));
  const noiseArg = argFor(layer.site, 'noise_shape');
  const label =
    noise?.kind === 'none' || !noiseArg
      ? `Dropout(${rate})`
      : `Dropout(${rate}, noise_shape=${textOf(ctx.text, noiseArg.valueSpan)})`;
  if (perElement) {
    if (!isSequence(shape)) return out;
    const [, t, f] = shape as [number | null, number | null, number | null];
    const rnn = feedsRecurrent(model, call);
    const core = rnn ? recurrentCore(rnn.layer) : null;
    const owner = core ? inputDropoutOwner(core) : null;
    const tfKerasFast = ctx.target === 'tf-keras2' && core !== null && cudnnEligible(core);
    if (f === 1) {
      const fixes = [
        noiseShapeFix(ctx, layer, f, true),
        spatialFix(ctx, layer, false),
        rnn ? moveFix(ctx, call, rnn, false) : null,
      ].filter((x): x is Fix => x !== null);
      out.push({
        code: 'DR102',
        message: `${label} on a ${formatShape(shape)} sequence with 1 feature zeroes whole timesteps: each drop removes the only value of that step.`,
        span: layer.site.span,
        anchor: anchor(layer),
        related: rnn
          ? [
              {
                span: rnn.layer.site.span,
                message: `${core!.type} that receives the thinned sequence`,
              },
            ]
          : [],
        fixes,
      });
      return out;
    }
    if (!rnn || !core) return out;
    const own = owner ? asNumber(owner.config['dropout']) : null;
    // `GRU(dropout=0.5)`, or for RNN(cell) the cell: `LSTMCell(dropout=0.5) in the RNN`.
    const ownerText = (arg: string) =>
      owner === core ? `${core.type}(${arg})` : `${owner!.type}(${arg}) in the ${core.type}`;
    const move = moveFix(ctx, call, rnn, !tfKerasFast);
    const fixes = [
      move,
      spatialFix(ctx, layer, move === null || tfKerasFast),
      noiseShapeFix(ctx, layer, f, false),
    ].filter((x): x is Fix => x !== null);
    out.push({
      code: 'DR101',
      message: tfKerasFast
        ? `${label} on a ${formatShape(shape)} sequence draws a new mask ${timestepsText(t)}; in tf.keras 2.x this ${core.type} runs on cuDNN, where dropout= is drawn per timestep too, so SpatialDropout1D(${rate}) keeps one mask per sequence.`
        : !owner
          ? `${label} on a ${formatShape(shape)} sequence draws a new mask ${timestepsText(t)}; ${core.type === 'RNN' ? "the RNN's cell is not one the analyzer models (a dropout= of its own would belong there)" : `${core.type} has no dropout argument`}, so SpatialDropout1D(${rate}) is the way to keep one mask per sequence.`
          : own !== null && own > 0
            ? `${label} on a ${formatShape(shape)} sequence draws a new mask ${timestepsText(t)}, on top of ${owner === core ? `the ${core.type}'s` : `the ${owner.type}'s (in the ${core.type})`} own dropout=${num(owner.config['dropout'])}, which keeps one mask per sequence.`
            : `${label} on a ${formatShape(shape)} sequence draws a new mask ${timestepsText(t)}; ${ownerText(`dropout=${rate}`)} would keep one mask per sequence.`,
      span: layer.site.span,
      anchor: anchor(layer),
      related: [{ span: rnn.layer.site.span, message: `the ${core.type} this Dropout feeds` }],
      fixes,
    });
    return out;
  }
  if (!entries || !noiseArg) return out;
  const span = noiseArg.span;
  // DR104: the tuple must have the input's rank, and each entry be None, 1 or the input's size.
  const badLength = entries.length !== shape.length;
  const badEntry = entries.findIndex(
    (e, i) => typeof e === 'number' && e !== 1 && shape[i] !== null && shape[i] !== e,
  );
  if (badLength || badEntry >= 0) {
    // On a sequence the fix shares one mask across time; elsewhere it keeps a per-element mask.
    const fixed =
      shape.length === 3 ? ['None', '1', String(shape[2] ?? 'None')] : shape.map(() => 'None');
    const why = badLength
      ? `has ${entries.length} entries but the input ${formatShape(shape)} has rank ${shape.length}: it is broadcast from the right and fails at run time or shares one mask across the batch`
      : `entry ${badEntry} is ${entries[badEntry]}, but the input ${formatShape(shape)} has ${shape[badEntry]} there (entries must be None, 1 or the input's size)`;
    out.push({
      code: 'DR104',
      message: `noise_shape=${textOf(ctx.text, noiseArg.valueSpan)} ${why}.`,
      span,
      anchor: anchor(layer),
      related: [],
      fixes: [
        {
          title: `Use noise_shape=(${fixed.join(', ')})`,
          isPreferred: true,
          edits: [{ span: noiseArg.valueSpan, newText: `(${fixed.join(', ')})` }],
        },
      ],
    });
    return out;
  }
  if (entries[0] === 1) {
    const items = asItems(noise)!;
    const rest = items.slice(1).map((_, i) => {
      const e = entries[i + 1];
      return e === 'None' || e === null ? 'None' : String(e);
    });
    out.push({
      code: 'DR105',
      message: `noise_shape=${textOf(ctx.text, noiseArg.valueSpan)} has batch entry 1: every sample of a batch loses the same units.`,
      span,
      anchor: anchor(layer),
      related: [],
      fixes: [
        {
          title: 'Set the batch entry to None',
          isPreferred: true,
          edits: [{ span: noiseArg.valueSpan, newText: `(None, ${rest.join(', ')})` }],
        },
      ],
    });
  }
  if (isSequence(shape) && entries[2] === 1 && entries[1] !== 1) {
    const rnn = feedsRecurrent(model, call);
    const fixes = [
      noiseShapeFix(ctx, layer, shape[2] ?? null, true),
      spatialFix(ctx, layer, false),
      rnn ? moveFix(ctx, call, rnn, false) : null,
    ].filter((x): x is Fix => x !== null);
    out.push({
      code: 'DR102',
      message: `Dropout(${rate}, noise_shape=${textOf(ctx.text, noiseArg.valueSpan)}) on a ${formatShape(shape)} sequence zeroes whole timesteps (all ${shape[2] ?? 'F'} features of a step at once), not features.`,
      span: layer.site.span,
      anchor: anchor(layer),
      related: [],
      fixes,
    });
  }
  return out;
}

/** DR106, DR109, DR110 on one rate argument. */
function rateChecks(
  ctx: RuleContext,
  layer: LayerNode,
  param: string,
  recurrentArg: boolean,
): Draft[] {
  const value = asNumber(layer.config[param]);
  const arg = argFor(layer.site, param);
  if (value === null || !arg) return [];
  const written = textOf(ctx.text, arg.valueSpan);
  const call = recurrentArg ? `${layer.type}(${param}=${written})` : `${layer.type}(${written})`;
  const base = { span: arg.span, anchor: anchor(layer), related: [] };
  if (recurrentArg) {
    if (value < 0 || value >= 1) {
      return [
        {
          ...base,
          code: 'DR106',
          severity: 'warning',
          message: `${call} is outside [0, 1): Keras clamps it silently to ${value < 0 ? '0 (no dropout)' : '1 (every value dropped)'}.`,
          fixes: [],
        },
      ];
    }
    if (value > 0.5) {
      return [
        {
          ...base,
          code: 'DR109',
          message: `${call} drops more than half of the ${param === 'dropout' ? 'inputs' : 'recurrent state'} at every step; rates above 0.5 usually underfit.`,
          fixes: [],
        },
      ];
    }
    return [];
  }
  if (value < 0 || value > 1) {
    return [
      {
        ...base,
        code: 'DR106',
        message: `${call}: the rate must be in [0, 1); Keras rejects it when the layer is constructed.`,
        fixes: [],
      },
    ];
  }
  if (value === 1) {
    return [
      {
        ...base,
        code: 'DR106',
        message: `${call} drops every value: tf.keras fails in training, Keras 3.14+ outputs zeros and TensorFlow.js silently ignores it. Use a rate in [0, 1).`,
        fixes: [],
      },
    ];
  }
  if (value > 0.5) {
    return [
      {
        ...base,
        code: 'DR109',
        message: `${call} keeps only ${Math.round((1 - value) * 100)}% of values (scaled by ${(1 / (1 - value)).toFixed(2).replace(/\.?0+$/, '')}x); rates above 0.5 usually underfit.`,
        fixes: [],
      },
    ];
  }
  if (value === 0) {
    const removal = removeLayer(ctx.text, layer);
    return [
      {
        ...base,
        span: layer.site.span,
        code: 'DR110',
        message: `${call} does nothing: a rate of 0 keeps every value.`,
        fixes: removal
          ? [{ title: `Remove ${layer.type}(${written})`, isPreferred: true, edits: [removal] }]
          : [],
      },
    ];
  }
  return [];
}

/** Rules on a layer alone (rates, TimeDistributed(Dropout), tf.keras fast-path dropout). */
export function dropoutLayerRules(layer: LayerNode, ctx: Omit<RuleContext, 'model'>): Draft[] {
  const out: Draft[] = [];
  const c = { ...ctx, model: null as unknown as ModelNode };
  if (DROPOUT_LAYERS.has(layer.type)) out.push(...rateChecks(c, layer, 'rate', false));
  // The dropout arguments of LSTM/GRU/SimpleRNN and of the cells an RNN(cell) runs.
  const ownsDropout = recurrentCore(layer) === layer && inputDropoutOwner(layer) === layer;
  if (ownsDropout || CELL_TYPES.has(layer.type)) {
    out.push(
      ...rateChecks(c, layer, 'dropout', true),
      ...rateChecks(c, layer, 'recurrent_dropout', true),
    );
    const d = asNumber(layer.config['dropout']);
    if (ctx.target === 'tf-keras2' && d !== null && d > 0 && d < 1 && cudnnEligible(layer)) {
      const arg = argFor(layer.site, 'dropout');
      out.push({
        code: 'DR111',
        message: `In tf.keras 2.x this ${layer.type} qualifies for cuDNN, so its dropout=${num(layer.config['dropout'])} is drawn per timestep (like a Dropout layer in front), not once per sequence.`,
        span: arg ? arg.span : layer.site.span,
        anchor: anchor(layer),
        related: [],
        fixes: [],
      });
    }
  }
  if (layer.type === 'TimeDistributed' && layer.inner?.type === 'Dropout') {
    const inner = layer.inner;
    const rate = rateShown(c, inner);
    const written = rateText(c, inner);
    const shape = layer.calls[0] ? inputShape(layer.calls[0]) : null;
    const f = isSequence(shape) ? (shape[2] ?? null) : null;
    const t = isSequence(shape) ? (shape[1] ?? null) : null;
    const { callee, edits } = calleeFor(ctx.text, inner, 'SpatialDropout1D');
    // The wrapper's own arguments (input_shape=, name=...) stay on the replacement.
    const kept = layer.site.args
      .filter((a) => a.keyword !== null)
      .map((a) => `, ${textOf(ctx.text, a.span)}`)
      .join('');
    out.push({
      code: 'DR103',
      message: `TimeDistributed(Dropout(${rate})) draws a new mask ${timestepsText(t)}, exactly like a plain Dropout(${rate}): TimeDistributed does not share the mask across time.`,
      span: layer.site.span,
      anchor: anchor(layer),
      related: [],
      fixes: [
        {
          title: `Replace with SpatialDropout1D(${written})`,
          isPreferred: true,
          edits: [{ span: layer.site.span, newText: `${callee}(${written}${kept})` }, ...edits],
        },
        {
          title: `Replace with Dropout(${written}, noise_shape=(None, 1, ${f ?? 'None'}))`,
          isPreferred: false,
          edits: [
            {
              span: layer.site.span,
              newText: `${textOf(ctx.text, inner.site.callee)}(${written}, noise_shape=(None, 1, ${f ?? 'None'})${kept})`,
            },
          ],
        },
      ],
    });
  }
  return out;
}

/** Rules that need the model graph: masks on sequences, SpatialDropout1D rank, dropout as output. */
export function dropoutModelRules(ctx: RuleContext): Draft[] {
  const out: Draft[] = [];
  const model = ctx.model;
  for (const call of model.calls) {
    const layer = call.layer;
    if (layer.type === 'Dropout') out.push(...dropoutOnSequence(ctx, model, call));
    if (layer.type === 'SpatialDropout1D') {
      const shape = inputShape(call);
      if (shape && shape.length !== 3) {
        const { callee, edits } = calleeFor(ctx.text, layer, 'Dropout');
        out.push({
          code: 'DR108',
          message: `SpatialDropout1D needs a (batch, timesteps, features) input but receives ${formatShape(shape)} (rank ${shape.length}): Keras expects ndim=3.`,
          span: layer.site.span,
          anchor: anchor(layer),
          related: [],
          fixes: [
            {
              title: 'Use Dropout instead',
              isPreferred: true,
              edits: [{ span: layer.site.callee, newText: callee }, ...edits],
            },
          ],
        });
      }
    }
  }
  // DR107: the prediction itself goes through a dropout layer.
  for (const t of model.outputs) {
    const call = t.producer;
    if (!call || !DROPOUT_LAYERS.has(call.layer.type)) continue;
    const layer = call.layer;
    const prev = call.inputs[0]?.producer?.layer ?? null;
    out.push({
      code: 'DR107',
      message: `${layer.type}(${rateShown(ctx, layer)}) is the model's last layer: in training it zeroes ${Math.round((asNumber(layer.config['rate']) ?? 0) * 100)}% of the predictions themselves.`,
      span: layer.site.span,
      anchor: anchor(layer),
      related: prev
        ? [{ span: prev.site.span, message: 'the output layer it should come before' }]
        : [],
      fixes: model.kind === 'sequential' && prev ? moveBefore(ctx, layer, prev) : [],
    });
  }
  return out;
}

/** Fix for DR107 in Sequential models: move the dropout before the output layer. */
function moveBefore(ctx: RuleContext, layer: LayerNode, prev: LayerNode): Fix[] {
  const removal = removeLayer(ctx.text, layer);
  if (!removal) return [];
  const unit = layerUnit(ctx.text, layer);
  const target = layerUnit(ctx.text, prev);
  if (unit.kind !== target.kind || unit.kind === 'call') return [];
  let insert: string;
  if (unit.kind === 'add') insert = unit.text;
  else if (target.start !== prev.site.span.from) {
    // The output layer has its own line: give the dropout one above it, same indentation.
    const indent = ctx.text.slice(lineStart(ctx.text, prev.site.span.from), prev.site.span.from);
    insert = `${indent}${unit.text},\n`;
  } else insert = `${unit.text}, `;
  return [
    {
      title: `Move ${layer.type} before ${prev.name}`,
      isPreferred: true,
      edits: [removal, { span: { from: target.start, to: target.start }, newText: insert }],
    },
  ];
}
