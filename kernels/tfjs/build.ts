/**
 * Model graph → TensorFlow.js LayersModel, with Keras's behaviour set explicitly where tfjs
 * differs (initialisers, GRU reset_after, recurrent activations, seeded dropout).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  activationName,
  type LayerCall,
  type LayerNode,
  type ModelNode,
  type Tensor,
} from '../../analyzer/graph';
import {
  asBool,
  asInt,
  asItems,
  asNumber,
  asString,
  type Span,
  type Value,
} from '../../analyzer/python/values';
import { formatShape, repr } from '../../analyzer/format';
import { LAYERS } from '../../analyzer/layers/index';
import {
  Bidirectional,
  Dropout,
  GaussianNoise,
  GRU,
  LSTM,
  RecurrentLayer,
  SimpleRNN,
  SpatialDropout1D,
  TimeDistributed,
  type MergeMode,
} from './layers/index';
import { derive } from '../random';

/** A graph that cannot become a model: the message names the layer and what to change. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly span: Span | null,
  ) {
    super(message);
  }
}

type SymbolicTensor = tfl.SymbolicTensor;

/** Keras activation names tfjs knows under another name. */
const ACTIVATIONS: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  hard_sigmoid: 'hardSigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  elu: 'elu',
  selu: 'selu',
  swish: 'swish',
  silu: 'swish',
  gelu: 'gelu',
  mish: 'mish',
};

class Reader {
  constructor(private readonly layer: LayerNode) {}
  private fail(key: string, want: string): never {
    const arg = this.layer.site.args.find((a) => a.param === key);
    const v = this.layer.config[key];
    throw new BuildError(
      `${this.layer.type} (${this.layer.name}): ${key} must be ${want}, got ${v ? repr(v) : 'nothing'}`,
      arg?.span ?? this.layer.site.span,
    );
  }
  int(key: string, fallback?: number): number {
    const v = this.layer.config[key];
    if (v === undefined && fallback !== undefined) return fallback;
    const n = asInt(v);
    return n === null ? this.fail(key, 'a known whole number') : n;
  }
  /** An int or a 1-tuple (`kernel_size=3` or `(3,)`). */
  int1(key: string, fallback?: number): number {
    const items = asItems(this.layer.config[key]);
    if (items && items.length === 1) {
      const n = asInt(items[0]);
      return n === null ? this.fail(key, 'a known whole number') : n;
    }
    return this.int(key, fallback);
  }
  num(key: string, fallback: number): number {
    const v = this.layer.config[key];
    if (v === undefined) return fallback;
    const n = asNumber(v);
    return n === null ? this.fail(key, 'a known number') : n;
  }
  bool(key: string, fallback: boolean): boolean {
    const v = this.layer.config[key];
    if (v === undefined) return fallback;
    const b = v.kind === 'bool' ? asBool(v) : null;
    return b === null ? this.fail(key, 'True or False') : b;
  }
  str(key: string, fallback: string): string {
    const v = this.layer.config[key];
    if (v === undefined || v.kind === 'none') return fallback;
    const s = asString(v);
    return s === null ? this.fail(key, 'a known string') : s;
  }
  /** A Keras activation: a name, a keras.activations reference, or None (linear). */
  activation(key: string, fallback: string): string {
    const v: Value | undefined = this.layer.config[key];
    const name = v === undefined ? fallback : activationName(v);
    if (name === null) return this.fail(key, 'an activation name');
    if (!(name in ACTIVATIONS)) this.fail(key, `one of ${Object.keys(ACTIVATIONS).join(', ')}`);
    return name;
  }
  dims(key: string): Array<number | null> {
    const items = asItems(this.layer.config[key]);
    if (!items) return this.fail(key, 'a tuple of sizes');
    return items.map((x) =>
      x.kind === 'none' ? null : (asInt(x) ?? this.fail(key, 'a tuple of known sizes or None')),
    );
  }
}

/** The output shape every call of a layer has, when there is one and it is known. */
function agreedOutputShape(layer: LayerNode): Array<number | null> | null {
  const shapes = layer.calls.map((c) => (c.outputs.length === 1 ? c.outputs[0]!.shape : null));
  const first = shapes[0];
  if (
    !first ||
    shapes.some((s) => !s || s.length !== first.length || s.some((d, i) => d !== first[i]))
  )
    return null;
  return first;
}

function unsupported(layer: LayerNode, why: string): never {
  throw new BuildError(`${layer.type} (${layer.name}): ${why}`, layer.site.span);
}

/** One tfjs layer for a graph layer (wrappers build their inner layer too). */
function makeLayer(layer: LayerNode, seed: number): tfl.layers.Layer {
  // The registry's flag is the one list of what builds here; the property test holds the cases
  // below to it.
  if (!LAYERS.get(layer.type)?.playground)
    unsupported(layer, 'this layer is not available in the playground');
  const r = new Reader(layer);
  const name = layer.name;
  const s = derive(seed, layer.id);
  const glorot = () => tfl.initializers.glorotUniform({ seed: derive(s, 1) });
  switch (layer.type) {
    case 'Dense':
      return tfl.layers.dense({
        name,
        units: r.int('units'),
        activation: ACTIVATIONS[r.activation('activation', 'linear')] as never,
        useBias: r.bool('use_bias', true),
        kernelInitializer: glorot(),
        biasInitializer: 'zeros',
      });
    case 'Embedding':
      return tfl.layers.embedding({
        name,
        inputDim: r.int('input_dim'),
        outputDim: r.int('output_dim'),
        maskZero: r.bool('mask_zero', false) || undefined,
        embeddingsInitializer: tfl.initializers.randomUniform({
          minval: -0.05,
          maxval: 0.05,
          seed: derive(s, 1),
        }),
      });
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const common = {
        name,
        units: r.int('units'),
        activation: r.activation('activation', 'tanh'),
        use_bias: r.bool('use_bias', true),
        dropout: r.num('dropout', 0),
        recurrent_dropout: r.num('recurrent_dropout', 0),
        return_sequences: r.bool('return_sequences', false),
        return_state: r.bool('return_state', false),
        go_backwards: r.bool('go_backwards', false),
        seed: s,
      };
      if (r.bool('stateful', false))
        unsupported(layer, 'stateful=True is not available in the playground');
      if (layer.type === 'SimpleRNN') return new SimpleRNN(common);
      const recurrent_activation = r.activation('recurrent_activation', 'sigmoid');
      if (layer.type === 'LSTM') {
        return new LSTM({
          ...common,
          recurrent_activation,
          unit_forget_bias: r.bool('unit_forget_bias', true),
        });
      }
      return new GRU({ ...common, recurrent_activation, reset_after: r.bool('reset_after', true) });
    }
    case 'Bidirectional': {
      if (!layer.inner) unsupported(layer, 'its wrapped layer is not known');
      const mode =
        layer.config['merge_mode']?.kind === 'none' ? null : r.str('merge_mode', 'concat');
      if (!['concat', 'sum', 'mul', 'ave', null].includes(mode))
        unsupported(
          layer,
          `merge_mode=${repr(layer.config['merge_mode']!)} is not one of 'concat', 'sum', 'mul', 'ave' or None`,
        );
      const wrapped = (inner: LayerNode) => {
        const made = makeLayer(inner, seed);
        if (!(made instanceof RecurrentLayer))
          unsupported(layer, 'it wraps SimpleRNN, LSTM or GRU in the playground');
        return made;
      };
      return new Bidirectional({
        name,
        layer: wrapped(layer.inner),
        merge_mode: mode as MergeMode,
        backward_layer: layer.backward ? wrapped(layer.backward) : null,
      });
    }
    case 'TimeDistributed':
      if (!layer.inner) unsupported(layer, 'its wrapped layer is not known');
      return new TimeDistributed({ name, layer: makeLayer(layer.inner, seed) });
    case 'Dropout': {
      const noise = layer.config['noise_shape'];
      return new Dropout({
        name,
        rate: r.num('rate', 0),
        noise_shape: noise && noise.kind !== 'none' ? r.dims('noise_shape') : null,
        seed: s,
      });
    }
    case 'SpatialDropout1D':
      return new SpatialDropout1D({ name, rate: r.num('rate', 0), seed: s });
    case 'GaussianNoise':
      return new GaussianNoise({ name, stddev: r.num('stddev', 0), seed: s });
    case 'Conv1D': {
      const padding = r.str('padding', 'valid');
      if (padding === 'causal')
        unsupported(
          layer,
          "padding='causal' is not available in the playground (TensorFlow.js lacks it); use 'same' or 'valid'",
        );
      if (r.int('groups', 1) !== 1)
        unsupported(layer, 'groups > 1 is not available in the playground');
      if (
        layer.config['data_format']?.kind === 'str' &&
        r.str('data_format', 'channels_last') !== 'channels_last'
      ) {
        unsupported(layer, "only data_format='channels_last' is available in the playground");
      }
      return tfl.layers.conv1d({
        name,
        filters: r.int('filters'),
        kernelSize: r.int1('kernel_size'),
        strides: r.int1('strides', 1),
        padding: padding as 'valid' | 'same',
        dilationRate: r.int1('dilation_rate', 1),
        activation: ACTIVATIONS[r.activation('activation', 'linear')] as never,
        useBias: r.bool('use_bias', true),
        kernelInitializer: glorot(),
      });
    }
    case 'MaxPooling1D':
    case 'AveragePooling1D': {
      const pool = r.int1('pool_size', 2);
      const stridesValue = layer.config['strides'];
      const cfg = {
        name,
        poolSize: pool,
        strides:
          stridesValue === undefined || stridesValue.kind === 'none' ? pool : r.int1('strides'),
        padding: r.str('padding', 'valid') as 'valid' | 'same',
      };
      return layer.type === 'MaxPooling1D'
        ? tfl.layers.maxPooling1d(cfg)
        : tfl.layers.averagePooling1d(cfg);
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D':
      if (r.bool('keepdims', false))
        unsupported(layer, 'keepdims=True is not available in the playground');
      return layer.type === 'GlobalAveragePooling1D'
        ? tfl.layers.globalAveragePooling1d({ name })
        : tfl.layers.globalMaxPooling1d({ name });
    case 'Flatten':
      return tfl.layers.flatten({ name });
    case 'RepeatVector':
      return tfl.layers.repeatVector({ name, n: r.int('n') });
    case 'Reshape': {
      // tfjs leaves a -1 axis unknown even when the input fixes it (Keras solves it), and the next
      // layer then cannot size its weights: give it the size the analyzer solved.
      const solved = agreedOutputShape(layer)?.slice(1);
      const targetShape = r
        .dims('target_shape')
        .map((d, i) => (d === null || d === -1 ? (solved?.[i] ?? -1) : d));
      return tfl.layers.reshape({ name, targetShape });
    }
    case 'Permute':
      return tfl.layers.permute({ name, dims: r.dims('dims').map((d) => d ?? 0) });
    case 'Activation':
      return tfl.layers.activation({
        name,
        activation: ACTIVATIONS[r.activation('activation', 'linear')] as never,
      });
    case 'BatchNormalization':
      return tfl.layers.batchNormalization({
        name,
        axis: r.int('axis', -1),
        momentum: r.num('momentum', 0.99),
        epsilon: r.num('epsilon', 0.001),
        center: r.bool('center', true),
        scale: r.bool('scale', true),
      });
    case 'LayerNormalization':
      return tfl.layers.layerNormalization({
        name,
        axis: r.int('axis', -1),
        epsilon: r.num('epsilon', 0.001),
        center: r.bool('center', true),
        scale: r.bool('scale', true),
      });
    case 'Concatenate':
      return tfl.layers.concatenate({ name, axis: r.int('axis', -1) });
    case 'Add':
      return tfl.layers.add({ name });
    case 'Multiply':
      return tfl.layers.multiply({ name });
    case 'Average':
      return tfl.layers.average({ name });
    case 'Masking':
      return tfl.layers.masking({ name, maskValue: r.num('mask_value', 0) });
    default:
      return unsupported(layer, 'this layer is not available in the playground');
  }
}

/** Builds a TensorFlow.js model from a finished model graph; every random draw from `seed`. */
export function buildModel(model: ModelNode, seed: number): tfl.LayersModel {
  if (model.opaque) {
    throw new BuildError(
      `${model.name}: part of this model could not be followed (see the analyzer's notes)`,
      model.site.span,
    );
  }
  const symbols = new Map<Tensor, SymbolicTensor>();
  const layers = new Map<LayerNode, tfl.layers.Layer>();
  const inputs: SymbolicTensor[] = [];
  const inputFor = (t: Tensor, span: Span): SymbolicTensor => {
    const known = symbols.get(t);
    if (known) return known;
    // The time axis may be None; the feature axis must be known to size the weights.
    if (!t.shape || t.shape.length < 2 || t.shape[t.shape.length - 1] === null) {
      throw new BuildError(
        `${model.name}: the input shape is not known (${t.shape ? formatShape(t.shape) : 'no Input and no input_shape'}); add keras.Input(shape=(timesteps, features))`,
        span,
      );
    }
    const sym =
      t.shape[0] !== null
        ? tfl.input({ batchShape: t.shape })
        : tfl.input({ shape: t.shape.slice(1) });
    symbols.set(t, sym);
    inputs.push(sym);
    return sym;
  };
  for (const t of model.inputs) inputFor(t, model.site.span);
  for (const call of model.calls) {
    if (call.layer.type === 'InputLayer') {
      for (const out of call.outputs)
        if (!symbols.has(out)) symbols.set(out, inputFor(out, call.span));
      continue;
    }
    if (call.issue)
      throw new BuildError(`${call.layer.name}: ${call.issue.message}`, call.layer.site.span);
    let tfLayer = layers.get(call.layer);
    if (!tfLayer) {
      tfLayer = makeLayer(call.layer, seed);
      layers.set(call.layer, tfLayer);
    }
    const ins = call.inputs.map((t) => symbolFor(t, call, symbols));
    const kwargs = call.initialState.length
      ? { initialState: call.initialState.map((t) => symbolFor(t, call, symbols)) }
      : undefined;
    const result = tfLayer.apply(ins.length === 1 ? ins[0]! : ins, kwargs) as
      SymbolicTensor | SymbolicTensor[];
    const outs = Array.isArray(result) ? result : [result];
    call.outputs.forEach((t, i) => {
      const o = outs[i];
      if (o) symbols.set(t, o);
    });
  }
  const outputs = model.outputs.map((t) => {
    const s = symbols.get(t);
    if (!s) throw new BuildError(`${model.name}: its output could not be built`, model.site.span);
    return s;
  });
  return tfl.model({ inputs, outputs, name: model.name });
}

function symbolFor(
  t: Tensor,
  call: LayerCall,
  symbols: Map<Tensor, SymbolicTensor>,
): SymbolicTensor {
  const s = symbols.get(t);
  if (!s) {
    throw new BuildError(
      `${call.layer.name} (${call.layer.type}): its input comes from something the playground cannot follow; build the model from keras.Input and layers`,
      call.layer.site.span,
    );
  }
  return s;
}
