/**
 * The attention layers (keras/src/layers/attention in Keras 3; tf.keras 2 counts the same).
 * Attention and AdditiveAttention take `[query, value]` or `[query, value, key]` and give the
 * query's shape with the value's last size; MultiHeadAttention takes `(query, value, key=None)`
 * as separate arguments and gives the query's shape (or `output_shape`). With
 * `return_attention_scores=True` the scores come second. None of them is in the playground.
 */
import { formatShape } from '../format';
import type { Dim, Shape } from '../graph';
import { asInt, asItems } from '../python/values';
import {
  incompatible,
  ok,
  product,
  trainable,
  type Config,
  type LayerSpec,
  type Outcome,
} from './types';

/** Query, value and key shapes (the key defaults to the value), or null when one is unknown. */
function qvk(inputs: Array<Shape | null>): [Shape, Shape, Shape] | null {
  if (inputs.length < 2 || inputs.length > 3) return null;
  const [q, v, k] = inputs;
  if (!q || !v || (inputs.length === 3 && !k)) return null;
  return [q, v, k ?? v];
}

/** The output, then the scores when the call asks for them (Keras's `compute_output_spec`). */
function withScores(cfg: Config, out: Shape, scores: Shape | null): Outcome {
  const asked = cfg.bool('return_attention_scores');
  if (asked === null) return ok(null);
  return asked ? ok(out, scores) : ok(out);
}

function dotAttention(type: 'Attention' | 'AdditiveAttention'): LayerSpec {
  return {
    type,
    playground: false,
    signature:
      type === 'Attention' ? ['use_scale', 'score_mode', 'dropout'] : ['use_scale', 'dropout'],
    defaults:
      type === 'Attention'
        ? {
            use_scale: false,
            score_mode: 'dot',
            dropout: { float: 0 },
            return_attention_scores: false,
          }
        : { use_scale: true, dropout: { float: 0 }, return_attention_scores: false },
    merge: true,
    callOptions: ['return_attention_scores'],
    output(cfg, inputs) {
      const shapes = qvk(inputs);
      if (!shapes) return ok(null);
      const [q, v, k] = shapes;
      const out: Shape = [...q.slice(0, -1), v[v.length - 1] ?? null];
      // (batch, Tq, Tv): the query's axes but the last, then the key's steps.
      const scores: Shape = [...q.slice(0, -1), k.length >= 2 ? (k[k.length - 2] ?? null) : null];
      return withScores(cfg, out, scores);
    },
    // Attention: a scalar `scale` (use_scale) and a scalar `concat_score_weight` (score_mode
    // 'concat'). AdditiveAttention: a `scale` vector of the query's last size (use_scale).
    params(cfg, inputs) {
      const useScale = cfg.bool('use_scale');
      if (useScale === null) return null;
      if (type === 'AdditiveAttention') {
        if (!useScale) return trainable(0);
        const q = inputs[0];
        const dim = q ? (q[q.length - 1] ?? null) : null;
        return dim === null ? null : trainable(dim);
      }
      const mode = cfg.str('score_mode');
      if (mode === null) return null;
      return trainable(Number(useScale) + Number(mode === 'concat'));
    },
  };
}

export const Attention = dotAttention('Attention');
export const AdditiveAttention = dotAttention('AdditiveAttention');

/** `output_shape=16` or `(4, 4)`: the sizes after the query's other axes; null when not given. */
function outputSizes(cfg: Config): number[] | null | 'unknown' {
  const v = cfg.get('output_shape');
  if (!v || v.kind === 'none') return null;
  const items = asItems(v) ?? [v];
  const sizes = items.map((x) => asInt(x));
  return sizes.every((x) => x !== null) ? (sizes as number[]) : 'unknown';
}

export const MultiHeadAttention: LayerSpec = {
  type: 'MultiHeadAttention',
  playground: false,
  signature: [
    'num_heads',
    'key_dim',
    'value_dim',
    'dropout',
    'use_bias',
    'output_shape',
    'attention_axes',
  ],
  defaults: {
    value_dim: null,
    dropout: { float: 0 },
    use_bias: true,
    output_shape: null,
    attention_axes: null,
    use_gate: false,
    return_attention_scores: false,
  },
  callInputs: ['query', 'value', 'key'],
  callOptions: ['return_attention_scores'],
  output(cfg, inputs) {
    const shapes = qvk(inputs);
    if (!shapes) return ok(null);
    const [q, v, k] = shapes;
    const sameOffLast =
      v.length === k.length &&
      v.slice(1, -1).every((d, i) => d === null || k[i + 1] === null || d === k[i + 1]);
    if (!sameOffLast) {
      return incompatible(
        `MultiHeadAttention: all dimensions of value and key, except the last one, must be equal; got value ${formatShape(v)} and key ${formatShape(k)}`,
      );
    }
    const sizes = outputSizes(cfg);
    if (sizes === 'unknown') return ok(null);
    const out: Shape = sizes ? [...q.slice(0, -1), ...sizes] : [...q];
    // Keras 3 gives the scores (batch, num_heads, Tq, Tq) whatever the value's length.
    const heads = cfg.int('num_heads');
    const scores: Shape | null =
      q.length === 3 ? [q[0] ?? null, heads, q[1] ?? null, q[1] ?? null] : null;
    return withScores(cfg, out, scores);
  },
  /**
   * Four EinsumDense projections (keras/src/layers/attention/multi_head_attention.py, `build`),
   * with H = num_heads, K = key_dim, V = value_dim (default K), dq/dk/dv the last sizes of query,
   * key and value, O = the product of output_shape (default dq):
   * query dq*H*K + H*K, key dk*H*K + H*K, value dv*H*V + H*V, attention_output H*V*O + O
   * (the biases go with use_bias); Keras 3's use_gate adds a gate dq*H*V + H*V.
   */
  params(cfg, inputs) {
    const shapes = qvk(inputs);
    const heads = cfg.int('num_heads');
    const keyDim = cfg.int('key_dim');
    const valueDim = cfg.isNone('value_dim') ? keyDim : cfg.int('value_dim');
    const bias = cfg.bool('use_bias');
    const gate = cfg.bool('use_gate');
    const sizes = outputSizes(cfg);
    if (!shapes || heads === null || keyDim === null || valueDim === null) return null;
    if (bias === null || gate === null || sizes === 'unknown') return null;
    const [q, v, k] = shapes.map((s) => s[s.length - 1] ?? null) as [Dim, Dim, Dim];
    const out = sizes ? product(sizes) : q;
    if (q === null || v === null || k === null || out === null) return null;
    const b = bias ? 1 : 0;
    const hk = heads * keyDim;
    const hv = heads * valueDim;
    return trainable(
      hk * (q + b) + hk * (k + b) + hv * (v + b) + out * (hv + b) + (gate ? hv * (q + b) : 0),
    );
  },
};
