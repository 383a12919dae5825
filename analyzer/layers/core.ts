/** Core layers: Dense, Activation, Flatten, RepeatVector, Reshape, Permute, Masking, InputLayer. */
import type { Shape } from '../graph';
import {
  incompatible,
  lastDim,
  ndimIssue,
  NO_PARAMS,
  ok,
  product,
  trainable,
  type LayerSpec,
} from './types';

const identity = (_c: unknown, inputs: Array<Shape | null>) => ok(inputs[0] ?? null);
const keepLast = (_c: unknown, inputLast: number | null) => inputLast;
const none = () => NO_PARAMS;

export const Dense: LayerSpec = {
  type: 'Dense',
  playground: true,
  signature: ['units', 'activation', 'use_bias'],
  defaults: { activation: null, use_bias: true },
  minNdim: 2,
  output(cfg, [s]) {
    if (!s) return ok(null);
    return ok([...s.slice(0, -1), cfg.int('units')]);
  },
  lastAxis: (cfg) => cfg.int('units'),
  countsLastAxis: () => true,
  params(cfg, inputs) {
    const units = cfg.int('units');
    const inDim = lastDim(inputs);
    const bias = cfg.bool('use_bias');
    if (units === null || inDim === null || bias === null) return null;
    return trainable(inDim * units + (bias ? units : 0));
  },
};

export const Activation: LayerSpec = {
  type: 'Activation',
  playground: true,
  signature: ['activation'],
  defaults: {},
  output: identity,
  lastAxis: keepLast,
  params: none,
};

export const Masking: LayerSpec = {
  type: 'Masking',
  playground: true,
  signature: ['mask_value'],
  defaults: { mask_value: { float: 0 } },
  output: identity,
  lastAxis: keepLast,
  params: none,
};

export const Flatten: LayerSpec = {
  type: 'Flatten',
  playground: true,
  signature: ['data_format'],
  defaults: { data_format: null },
  output(_cfg, [s]) {
    // Always rank 2, whatever the input.
    if (!s) return ok([null, null]);
    return ok([s[0] ?? null, s.length > 1 ? product(s.slice(1)) : 1]);
  },
  params: none,
};

export const RepeatVector: LayerSpec = {
  type: 'RepeatVector',
  playground: true,
  signature: ['n'],
  defaults: {},
  ndim: 2,
  output(cfg, [s]) {
    if (!s) return ok([null, cfg.int('n'), null]);
    return ok([s[0] ?? null, cfg.int('n'), s[1] ?? null]);
  },
  params: none,
};

export const Reshape: LayerSpec = {
  type: 'Reshape',
  playground: true,
  signature: ['target_shape'],
  defaults: {},
  output(cfg, [s]) {
    const target = cfg.dims('target_shape');
    if (!target) return ok(null);
    const batch = s ? (s[0] ?? null) : null;
    const unknownAt = target.indexOf(-1);
    if (unknownAt < 0) {
      if (s && !target.includes(null)) {
        const have = product(s.slice(1));
        const want = product(target);
        if (have !== null && want !== null && have !== want) {
          return incompatible(
            `Reshape: total size of new array must be unchanged, input_shape = [${s.slice(1).join(', ')}], output_shape = [${target.join(', ')}]`,
          );
        }
      }
      return ok([batch, ...target]);
    }
    const have = s ? product(s.slice(1)) : null;
    const rest = product(target.filter((_, i) => i !== unknownAt));
    let solved: number | null = null;
    if (have !== null && rest !== null && rest !== 0) {
      if (have % rest !== 0) {
        return incompatible(
          `Reshape: cannot reshape ${have} values into ${JSON.stringify(target)}`,
        );
      }
      solved = have / rest;
    }
    return ok([batch, ...target.map((d, i) => (i === unknownAt ? solved : d))]);
  },
  params: none,
};

export const Permute: LayerSpec = {
  type: 'Permute',
  playground: true,
  signature: ['dims'],
  defaults: {},
  output(cfg, [s]) {
    const dims = cfg.dims('dims');
    if (!dims) return ok(null);
    if (!s) return ok([null, ...dims.map(() => null)]);
    if (dims.length !== s.length - 1) return ndimIssue('Permute', dims.length + 1, s.length);
    return ok([s[0] ?? null, ...dims.map((d) => (d === null ? null : (s[d] ?? null)))]);
  },
  params: none,
};

/** `keras.Input(...)` and `InputLayer(...)`: the shape comes from the config, not from inputs. */
export const InputLayer: LayerSpec = {
  type: 'InputLayer',
  playground: true,
  signature: ['shape', 'batch_size', 'dtype', 'sparse', 'batch_shape'],
  defaults: { batch_size: null },
  output(cfg) {
    const batchShape = cfg.dims('batch_shape') ?? cfg.dims('batch_input_shape');
    if (batchShape) return ok(batchShape);
    const shape = cfg.dims('shape') ?? cfg.dims('input_shape');
    if (!shape) return ok(null);
    return ok([cfg.int('batch_size'), ...shape]);
  },
  params: none,
};
