/** CU3xx: settings that keep LSTM/GRU off the cuDNN kernel (fact 5). */
import type { LayerNode } from '../graph';
import { asNumber } from '../python/values';
import { argFor, removeArgs, setArg, textOf } from './edits';
import { cudnnFailures } from './model';
import type { Draft, Fix, RuleContext } from './types';

export function cudnnLayerRules(layer: LayerNode, ctx: Omit<RuleContext, 'model'>): Draft[] {
  if (ctx.target === 'tfjs') return [];
  const failures = cudnnFailures(layer);
  if (!failures) return [];
  const out: Draft[] = [];
  const anchor = layer.site.callee.from;
  const rd = asNumber(layer.config['recurrent_dropout']);
  const rdArg = argFor(layer.site, 'recurrent_dropout');
  if (rd !== null && rd > 0 && rd < 1 && rdArg) {
    const written = textOf(ctx.text, rdArg.valueSpan);
    const d = asNumber(layer.config['dropout']);
    const edits = removeArgs(layer.site, [rdArg]);
    let title = 'Remove recurrent_dropout (keeps the cuDNN kernel)';
    if (d === 0 && !layer.site.splat) {
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
              edits: removeArgs(layer.site, args),
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
