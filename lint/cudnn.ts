/** CU3xx: settings that keep LSTM/GRU off the cuDNN kernel (fact 5). */
import type { Arg, LayerNode } from '../analyzer/graph';
import { asNumber } from '../analyzer/python/values';
import { argFor, removeArgs, setArg, textOf } from './edits';
import { cudnnFailures } from './model';
import type { Draft, Edit, Fix, RuleContext } from './types';

/** Keras's defaults for the settings CU302 checks, as Python source. */
const CUDNN_DEFAULTS: Record<string, string> = {
  activation: "'tanh'",
  recurrent_activation: "'sigmoid'",
  use_bias: 'True',
  unroll: 'False',
  reset_after: 'True',
};

/** Keyword arguments are removed; positional ones are rewritten (removing them would shift the rest). */
function restoreDefaults(layer: LayerNode, args: Arg[]): Edit[] {
  const positional = args.filter((a) => a.keyword === null);
  return [
    ...removeArgs(
      layer.site,
      args.filter((a) => a.keyword !== null),
    ),
    ...positional.map((a) => ({ span: a.valueSpan, newText: CUDNN_DEFAULTS[a.param ?? ''] ?? '' })),
  ];
}

export function cudnnLayerRules(layer: LayerNode, ctx: Omit<RuleContext, 'model'>): Draft[] {
  // TensorFlow.js has no cuDNN kernel; multi-backend Keras runs LSTM/GRU in its generic loop
  // whatever their settings (only CuDNNLSTM/CuDNNGRU use cuDNN: analyzer/versions.ts).
  if (ctx.target === 'tfjs' || ctx.target === 'keras2-multibackend') return [];
  const failures = cudnnFailures(layer);
  if (!failures) return [];
  const out: Draft[] = [];
  const anchor = layer.site.callee.from;
  const rd = asNumber(layer.config['recurrent_dropout']);
  const rdArg = argFor(layer.site, 'recurrent_dropout');
  if (rd !== null && rd > 0 && rdArg) {
    const written = textOf(ctx.text, rdArg.valueSpan);
    const d = asNumber(layer.config['dropout']);
    const edits = removeArgs(layer.site, [rdArg]);
    let title = 'Remove recurrent_dropout (keeps the cuDNN kernel)';
    // An out-of-range rate (DR106) is not worth moving: then the fix only removes it.
    if (d === 0 && rd < 1 && !layer.site.splat) {
      const dArg = argFor(layer.site, 'dropout');
      edits.push(
        dArg ? { span: dArg.valueSpan, newText: written } : setArg(layer.site, 'dropout', written),
      );
      title = `Use dropout=${written} instead of recurrent_dropout (keeps the cuDNN kernel)`;
    }
    out.push({
      code: 'CU301',
      severity: ctx.playground ? 'info' : undefined,
      message: `${layer.type}(recurrent_dropout=${written}) cannot run on the cuDNN kernel: on a GPU it falls back to the generic loop, often 10x slower or worse. Keras's warning does not say which setting caused it.`,
      span: rdArg.span,
      anchor,
      related: [],
      fixes: [{ title, isPreferred: true, edits }],
    });
  }
  const others = failures.filter((f) => f.param !== 'recurrent_dropout');
  if (others.length > 0) {
    const args = others.map((f) => argFor(layer.site, f.param)).filter((a) => a !== undefined);
    const fixes: Fix[] =
      args.length === others.length
        ? [
            {
              title: `Restore the default${others.length > 1 ? 's' : ''} (${others.map((f) => f.param).join(', ')})`,
              isPreferred: true,
              edits: restoreDefaults(layer, args),
            },
          ]
        : [];
    out.push({
      code: 'CU302',
      message: `${layer.type} cannot use the cuDNN kernel: ${others.map((f) => f.message).join('; ')}.`,
      span: args[0]?.span ?? layer.site.span,
      anchor,
      related: [],
      fixes,
    });
  }
  return out;
}
