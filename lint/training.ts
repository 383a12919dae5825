/** TR4xx: compile settings that do not fit the model. */
import { activationName, outputLayer, type LayerNode } from '../analyzer/graph';
import { OPTIMIZER_DEFAULT_LR } from '../analyzer/python/keras';
import { repr } from '../analyzer/format';
import { asNumber, type Value } from '../analyzer/python/values';
import { argFor, removeArg, setArg, textOf } from './edits';
import type { Draft, Fix, RuleContext } from './types';

interface OutputInfo {
  /** The layer whose `activation=` decides the output (a Dense, or an Activation layer). */
  layer: LayerNode;
  activation: string;
  units: number | null;
}

/** The output's activation and width, looking through TimeDistributed(Dense). */
function outputInfo(layer: LayerNode): OutputInfo | null {
  const dense = layer.type === 'TimeDistributed' ? layer.inner : layer;
  if (!dense) return null;
  if (dense.type === 'Dense') {
    const activation = activationName(dense.config['activation']);
    return activation ? { layer: dense, activation, units: asNumber(dense.config['units']) } : null;
  }
  if (dense.type === 'Activation') {
    const activation = activationName(dense.config['activation']);
    const shape = layer.calls[0]?.inputs[0]?.shape;
    return activation
      ? { layer: dense, activation, units: shape ? (shape[shape.length - 1] ?? null) : null }
      : null;
  }
  return null;
}

/** The loss's canonical name and whether it takes logits (null when unknown). */
function lossInfo(v: Value): { name: string; fromLogits: boolean | null } | null {
  const aliases: Record<string, string> = {
    categorical_crossentropy: 'categorical_crossentropy',
    sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
    binary_crossentropy: 'binary_crossentropy',
    bce: 'binary_crossentropy',
  };
  if (v.kind === 'str')
    return aliases[v.value] ? { name: aliases[v.value]!, fromLogits: false } : null;
  if (v.kind === 'ref') {
    const name = v.path.split('.').pop() ?? '';
    return aliases[name] ? { name: aliases[name]!, fromLogits: false } : null;
  }
  if (v.kind === 'loss') {
    const fl = v.fromLogits.kind === 'bool' ? v.fromLogits.value : null;
    return aliases[v.name] ? { name: aliases[v.name]!, fromLogits: fl } : null;
  }
  return null;
}

function activationFix(info: OutputInfo, activation: string): Fix | null {
  if (info.layer.type !== 'Dense' || info.layer.site.splat) return null;
  return {
    title: `Use activation='${activation}' on ${info.layer.name}`,
    isPreferred: true,
    edits: [setArg(info.layer.site, 'activation', `'${activation}'`)],
  };
}

function tr401(ctx: RuleContext): Draft[] {
  const last = outputLayer(ctx.model);
  if (!last) return [];
  const info = outputInfo(last);
  if (!info) return [];
  const anchor = info.layer.site.callee.from;
  const related = [{ span: info.layer.site.span, message: 'the output layer' }];
  const compile = ctx.model.compile;
  if (info.activation === 'softmax' && info.units === 1) {
    const fix = activationFix(info, 'sigmoid');
    return [
      {
        code: 'TR401',
        message: `Dense(1, activation='softmax') always outputs 1.0: a softmax over one unit has nothing to compare. Use sigmoid for a single probability.`,
        span: info.layer.site.span,
        anchor,
        related: [],
        fixes: fix ? [fix] : [],
      },
    ];
  }
  if (!compile || !compile.lossSpan) return [];
  const loss = lossInfo(compile.loss);
  if (!loss || loss.fromLogits === null) return [];
  const lossText = textOf(ctx.text, compile.lossSpan);
  const base = { code: 'TR401', span: compile.lossSpan, anchor: compile.span.from, related };
  if (loss.fromLogits && (info.activation === 'sigmoid' || info.activation === 'softmax')) {
    // The loss applies the activation to logits itself: the layer's own makes it twice.
    const arg = argFor(info.layer.site, 'activation');
    const fix: Fix | null =
      arg?.keyword && !info.layer.site.splat
        ? {
            title: `Remove activation='${info.activation}' from ${info.layer.name}: the loss applies it`,
            isPreferred: true,
            edits: [removeArg(info.layer.site, arg)],
          }
        : activationFix(info, 'linear');
    return [
      {
        ...base,
        message: `loss=${lossText} takes logits and applies ${info.activation} itself, but ${info.layer.name} already has activation='${info.activation}': it is applied twice, squeezing the outputs and the gradients. Remove the activation, or from_logits=True.`,
        fixes: fix ? [fix] : [],
      },
    ];
  }
  if (loss.name !== 'binary_crossentropy') {
    if (info.activation === 'softmax' || loss.fromLogits) return [];
    const fix = activationFix(info, 'softmax');
    const what =
      info.activation === 'linear' ? 'no activation (logits)' : `activation='${info.activation}'`;
    return [
      {
        ...base,
        message: `loss=${lossText} expects probabilities that sum to 1, but ${info.layer.name} has ${what}: use softmax, or a loss with from_logits=True.`,
        fixes: fix ? [fix] : [],
      },
    ];
  }
  if (info.activation === 'softmax') {
    const fixes: Fix[] = [];
    if (info.units !== null && info.units > 1 && compile.loss.kind === 'str') {
      fixes.push({
        title: "Use loss='categorical_crossentropy'",
        isPreferred: true,
        edits: [{ span: compile.lossSpan, newText: "'categorical_crossentropy'" }],
      });
    }
    const fix = activationFix(info, 'sigmoid');
    if (fix) fixes.push({ ...fix, isPreferred: fixes.length === 0 });
    return [
      {
        ...base,
        message: `loss=${lossText} treats each output as an independent probability, but ${info.layer.name} uses softmax (outputs compete and sum to 1): use sigmoid, or categorical crossentropy for one class per sample.`,
        fixes,
      },
    ];
  }
  if (info.units !== null && info.units > 1 && info.activation !== 'sigmoid' && !loss.fromLogits) {
    const fix = activationFix(info, 'sigmoid');
    return [
      {
        ...base,
        message: `loss=${lossText} on ${info.units} outputs needs each in [0, 1], but ${info.layer.name} has activation='${info.activation}': use sigmoid (or from_logits=True).`,
        fixes: fix ? [fix] : [],
      },
    ];
  }
  return [];
}

function tr402(ctx: RuleContext): Draft[] {
  const info = ctx.model.compile?.optimizerInfo;
  if (!info || !info.learningRateSpan) return [];
  const lr = asNumber(info.learningRate);
  if (lr === null) return [];
  const adaptive = info.name === 'Adam' || info.name === 'RMSprop';
  const tooHighAdaptive = adaptive && lr > 0.01;
  const outside = lr < 1e-7 || lr > 1;
  if (!tooHighAdaptive && !outside) return [];
  const bound =
    tooHighAdaptive && !outside
      ? `above 0.01, where ${info.name} (default ${OPTIMIZER_DEFAULT_LR[info.name]}) usually diverges`
      : 'outside 1e-7..1';
  return [
    {
      code: 'TR402',
      message: `${info.name}(learning_rate=${repr(info.learningRate)}) is ${bound}.`,
      span: info.learningRateSpan,
      anchor: info.span.from,
      related: [],
      fixes: [],
    },
  ];
}

export function trainingModelRules(ctx: RuleContext): Draft[] {
  return [...tr401(ctx), ...tr402(ctx)];
}
