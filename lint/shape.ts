/** SH2xx: shape problems Keras reports only when the model is built (fact 8). */
import type { LayerCall, LayerNode, ModelNode } from '../analyzer/graph';
import { asItems, asNumber } from '../analyzer/python/values';
import { argFor, calleeFor, placement, removeArgs, setArg } from './edits';
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
