/** SH2xx: shape problems Keras reports only when the model is built (fact 8). */
import type { Arg, LayerCall, LayerNode, ModelNode } from '../analyzer/graph';
import { asItems, asNumber } from '../analyzer/python/values';
import { argFor, calleeFor, placement, removeArgs, setArg, textOf } from './edits';
import { DROPOUT_LAYERS, inputShape, isSequence, recurrentCore, SHAPE_PRESERVING } from './model';
import { formatShape } from '../analyzer/format';
import type { Draft, Fix, RuleContext } from './types';

/** Layers that need rank-3 input (SpatialDropout1D has its own rule, DR108). */
const NEEDS_SEQUENCE = new Set([
  'SimpleRNN',
  'LSTM',
  'GRU',
  'Bidirectional',
  'Conv1D',
  'MaxPooling1D',
  'AveragePooling1D',
  'GlobalAveragePooling1D',
  'GlobalMaxPooling1D',
  'TimeDistributed',
]);

/** The layer upstream that turned the sequence into rank 2 (through shape-preserving layers). */
function timeDropper(call: LayerCall): LayerNode | null {
  let t = call.inputs[0];
  for (let hops = 0; t?.producer && hops < 1000; hops++) {
    const p = t.producer;
    if (p.inputs[0]?.shape?.length === 3 && t.shape?.length === 2) return p.layer;
    if (!SHAPE_PRESERVING.has(p.layer.type) && !DROPOUT_LAYERS.has(p.layer.type)) return null;
    t = p.inputs[0];
  }
  return null;
}

function sh201(call: LayerCall): Draft | null {
  const issue = call.issue;
  if (!issue || issue.kind !== 'ndim' || issue.expectedRank !== 3 || issue.foundRank !== 2)
    return null;
  if (!NEEDS_SEQUENCE.has(call.layer.type)) return null;
  const layer = call.layer;
  const shape = inputShape(call);
  const dropper = timeDropper(call);
  const dropperCore = dropper ? recurrentCore(dropper) : null;
  const fixes: Fix[] = dropperCore
    ? [
        {
          title: `Add return_sequences=True to ${dropper!.name}`,
          isPreferred: true,
          edits: [setArg(dropperCore.site, 'return_sequences', 'True')],
        },
      ]
    : [];
  const because = !dropper
    ? ''
    : dropperCore
      ? ` ${dropper.name} (${dropper.type}) returns only its last output; set return_sequences=True there.`
      : ` ${dropper.name} (${dropper.type}) removes the time axis before it.`;
  return {
    code: 'SH201',
    message: `${layer.type} expects a sequence (batch, timesteps, features) but receives ${formatShape(shape)}: expected ndim=3, found ndim=2.${because}`,
    span: layer.site.span,
    anchor: layer.site.callee.from,
    related: dropper
      ? [{ span: dropper.site.span, message: `${dropper.name} drops the time axis` }]
      : [],
    fixes,
  };
}

/** True when the model's declared input has None (variable length) on the time axis. */
function declaredVariableLength(model: ModelNode): boolean {
  const layer = model.inputLayer;
  if (!layer) return false;
  const c = layer.config;
  const timeOf = (key: string, index: number) => {
    const items = asItems(c[key]);
    return items ? items[index]?.kind === 'none' : null;
  };
  if (layer.type === 'InputLayer') {
    return (
      (timeOf('batch_shape', 1) ??
        timeOf('batch_input_shape', 1) ??
        timeOf('shape', 0) ??
        timeOf('input_shape', 0)) === true
    );
  }
  const fromHint = timeOf('batch_input_shape', 1) ?? timeOf('input_shape', 0);
  if (fromHint !== null) return fromHint;
  // `input_dim=` alone on a recurrent layer leaves the length unspecified.
  return c['input_dim'] !== undefined && c['input_length'] === undefined;
}

function sh202(ctx: RuleContext, call: LayerCall): Draft | null {
  const core = recurrentCore(call.layer);
  if (
    !core ||
    core.config['unroll']?.kind !== 'bool' ||
    !(core.config['unroll'] as { value: boolean }).value
  )
    return null;
  const shape = inputShape(call);
  if (!isSequence(shape) || shape[1] !== null || !declaredVariableLength(ctx.model)) return null;
  const arg = argFor(core.site, 'unroll');
  return {
    code: 'SH202',
    message: `${core.type}(unroll=True) needs a fixed number of timesteps, but its input ${formatShape(shape)} has a variable length: Keras cannot unroll it.`,
    span: arg ? arg.span : core.site.span,
    anchor: call.layer.site.callee.from,
    related: [],
    fixes: arg
      ? [{ title: 'Remove unroll=True', isPreferred: true, edits: removeArgs(core.site, [arg]) }]
      : [],
  };
}

function sh203(ctx: RuleContext): Draft | null {
  const model = ctx.model;
  if (model.kind !== 'sequential' || model.opaque) return null;
  const anchorAt = model.site.callee.from;
  const first = model.layers[0];
  if (model.inputSource === null && first) {
    const site = model.site;
    const callee = ctx.text.slice(site.callee.from, site.callee.to);
    const fixes: Fix[] = [];
    const list = site.args.find((a) => a.keyword === 'layers' || a.keyword === null);
    const items = list ? asItems(list.value) : null;
    if (
      /\.Sequential$/.test(callee) &&
      /(^|\.)(keras)\.Sequential$/.test(model.path) &&
      items &&
      items.length > 0
    ) {
      // Token ids for an Embedding, (timesteps, features) otherwise; the user sets the real sizes.
      const shape = first.type === 'Embedding' ? '(None,)' : '(None, 1)';
      const input = `${callee.replace(/Sequential$/, 'Input')}(shape=${shape})`;
      fixes.push({
        title: `Add ${input} (then set the real timesteps and features)`,
        isPreferred: true,
        edits: [
          { span: { from: first.site.span.from, to: first.site.span.from }, newText: `${input}, ` },
        ],
      });
    }
    return {
      code: 'SH203',
      message: `No input shape for ${model.name}: no Input and no input_shape, so Keras builds it only when it sees data and shape-based rules are off for it.`,
      span: model.site.span,
      anchor: anchorAt,
      related: [],
      fixes,
    };
  }
  if (
    ctx.target === 'keras3' &&
    model.inputSource === 'hint' &&
    model.inputLayer?.type === 'Embedding'
  ) {
    const hints = model.inputLayer.inputHintArgs;
    if (hints.length === 1 && hints[0]!.param === 'input_length') {
      const len = asNumber(hints[0]!.value);
      const embedding = model.inputLayer;
      const { callee, edits } = calleeFor(ctx.text, embedding, 'Input');
      const input = `${callee}(shape=(${len ?? 'None'},))`;
      const where = placement(ctx.text, embedding);
      const fixes: Fix[] = [];
      if (where.kind === 'list' || where.kind === 'add') {
        const at = where.kind === 'list' ? embedding.site.span.from : where.span.from;
        const addPrefix = ctx.text.slice(where.span.from, embedding.site.span.from);
        const insert = where.kind === 'list' ? `${input}, ` : `${addPrefix}${input})\n`;
        fixes.push({
          title: `Add ${input} before the Embedding`,
          isPreferred: true,
          edits: [
            { span: { from: at, to: at }, newText: insert },
            ...removeArgs(embedding.site, [hints[0]!]),
            ...edits,
          ],
        });
      }
      return {
        code: 'SH203',
        message: `Keras 3 ignores Embedding(input_length=${len ?? '?'}): ${model.name} stays unbuilt until it sees data. Shapes here use input_length as a hint; declare the input to make it real.`,
        span: hints[0]!.span,
        anchor: embedding.site.callee.from,
        related: [],
        fixes,
      };
    }
  }
  return null;
}

/**
 * The shape arguments Keras 3's `Layer.__init__` does not accept (it takes `input_shape` and
 * `input_dim` only, and raises "Unrecognized keyword arguments" for the rest; keras#20106).
 * Embedding still takes `input_length` (and ignores it: SH203); InputLayer takes them all.
 */
function rejectedByKeras3(layer: LayerNode): Arg[] {
  if (layer.type === 'InputLayer' || layer.opaque || layer.site.splat) return [];
  return layer.site.args.filter(
    (a) =>
      a.keyword === 'batch_input_shape' ||
      a.keyword === 'batch_size' ||
      (a.keyword === 'input_length' && layer.type !== 'Embedding'),
  );
}

/** The `Input(...)` arguments that declare what a layer's shape arguments declared. */
function inputArguments(ctx: Omit<RuleContext, 'model'>, layer: LayerNode): string | null {
  const written = (k: string) => {
    const a = layer.site.args.find((x) => x.keyword === k);
    return a ? textOf(ctx.text, a.valueSpan) : null;
  };
  const batchShape = written('batch_input_shape');
  if (batchShape) return `batch_shape=${batchShape}`;
  const batch = written('batch_size');
  const length = written('input_length');
  const dim = layer.type === 'Embedding' ? null : written('input_dim');
  let shape = written('input_shape');
  if (!shape && layer.type === 'Embedding') shape = length ? `(${length},)` : '(None,)';
  if (!shape && dim !== null) {
    const recurrent = recurrentCore(layer) !== null || NEEDS_SEQUENCE.has(layer.type);
    shape = recurrent ? `(${length ?? 'None'}, ${dim})` : `(${dim},)`;
  }
  if (!shape) return null;
  return `shape=${shape}${batch ? `, batch_size=${batch}` : ''}`;
}

/** SH204: under Keras 3 a layer constructed with batch_input_shape= or batch_size= raises. */
function sh204(layer: LayerNode, ctx: Omit<RuleContext, 'model'>): Draft | null {
  if (ctx.target !== 'keras3') return null;
  const rejected = rejectedByKeras3(layer);
  if (rejected.length === 0) return null;
  const names = rejected.map((a) => `${a.keyword}=`).join(', ');
  const declares = ctx.analysis.models.find(
    (m) => m.kind === 'sequential' && m.inputSource === 'hint' && m.inputLayer === layer,
  );
  const fixes: Fix[] = [];
  const args = declares ? inputArguments(ctx, layer) : null;
  const where = declares ? placement(ctx.text, layer) : null;
  let remedy = `remove ${rejected.length === 1 ? 'it' : 'them'} (a layer that does not start a Sequential model never used ${rejected.length === 1 ? 'it' : 'them'})`;
  if (declares && args && where && (where.kind === 'list' || where.kind === 'add')) {
    // The layer declares the Sequential model's input: an Input takes that over, batch size kept.
    const { callee, edits } = calleeFor(ctx.text, layer, 'Input');
    const input = `${callee}(${args})`;
    const at = where.kind === 'list' ? layer.site.span.from : where.span.from;
    const insert =
      where.kind === 'list'
        ? `${input}, `
        : `${ctx.text.slice(where.span.from, layer.site.span.from)}${input})\n`;
    fixes.push({
      title: `Declare the input with ${input} before ${layer.name}`,
      isPreferred: true,
      edits: [
        { span: { from: at, to: at }, newText: insert },
        ...removeArgs(layer.site, layer.inputHintArgs),
        ...edits,
      ],
    });
    remedy = `declare the input with ${input} instead`;
  } else if (declares) {
    remedy = 'declare the input with keras.Input(batch_shape=...) instead';
  } else {
    fixes.push({
      title: `Remove ${names}`,
      isPreferred: true,
      edits: removeArgs(layer.site, rejected),
    });
  }
  return {
    code: 'SH204',
    message: `Keras 3 rejects ${names} on ${layer.type} ("Unrecognized keyword arguments passed to ${layer.type}"): ${remedy}.`,
    span: rejected[0]!.span,
    anchor: layer.site.callee.from,
    related: [],
    fixes,
  };
}

/** Shape rules on a layer alone (its constructor's arguments). */
export function shapeLayerRules(layer: LayerNode, ctx: Omit<RuleContext, 'model'>): Draft[] {
  const d = sh204(layer, ctx);
  return d ? [d] : [];
}

export function shapeModelRules(ctx: RuleContext): Draft[] {
  const out: Draft[] = [];
  for (const call of ctx.model.calls) {
    const a = sh201(call);
    if (a) out.push(a);
    const b = sh202(ctx, call);
    if (b) out.push(b);
  }
  const c = sh203(ctx);
  if (c) out.push(c);
  return out;
}
