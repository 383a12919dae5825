/**
 * The model graph: the one representation every surface reads (summary, lint, kernel).
 * Built by the Python front end; never executed.
 */
import type { OptimizerValue, Span, Unknowable, Value } from './python/values';

/** A dimension: a known size or None (unknown / variable). */
export type Dim = number | null;
/** A tensor shape including the batch axis; `null` where even the rank is unknown. */
export type Shape = Dim[];

/** One argument as written at a call site. */
export interface Arg {
  /** Keyword name, or null for a positional argument. */
  keyword: string | null;
  /** The parameter this argument binds by the layer's signature (positional args resolved). */
  param: string | null;
  value: Value;
  /** The whole argument (`rate=0.5` or `0.5`). */
  span: Span;
  /** Just the value expression. */
  valueSpan: Span;
  /** A `*args` or `**kwargs` argument: what it binds is unknown. */
  splat?: true;
  /**
   * One of the items of a known `*args` or `**kwargs` (a literal dict or tuple): its value is
   * known, but its span is the whole splat, so no edit may target it.
   */
  fromSplat?: true;
}

/** Where a layer or model was constructed. */
export interface CallSite {
  /** The whole constructor call `layers.LSTM(64, ...)`. */
  span: Span;
  /** The callee expression (`layers.LSTM`): multi-line calls anchor here. */
  callee: Span;
  /** The argument list including its parentheses. */
  argList: Span;
  args: Arg[];
  /**
   * True when the call has `*args` or `**kwargs` (known ones are expanded into `args`, marked
   * `fromSplat`; unknown ones leave an arg marked `splat`): edits of its arguments are refused.
   */
  splat: boolean;
}

/** A constructed Keras layer object. */
export interface LayerNode {
  id: number;
  /** Keras class name, e.g. `LSTM`; `InputLayer` for `Input(...)`. */
  type: string;
  /** Keras's name for it (`lstm`, `lstm_1`, or the `name=` given). */
  name: string;
  /** The qualified name the constructor was reached by (`keras.layers.LSTM`). */
  path: string;
  site: CallSite;
  /** Normalised config: snake_case keys, Keras defaults filled in, unknowns as `unknown`. */
  config: Record<string, Value>;
  /** The layer a wrapper (Bidirectional, TimeDistributed) wraps. */
  inner: LayerNode | null;
  /** Bidirectional's explicit `backward_layer`. */
  backward: LayerNode | null;
  /** True when a wrapper owns this layer (it is not a layer of the model itself). */
  wrapped: boolean;
  /** Input shape hint from `input_shape`, `batch_input_shape`, `input_dim` or `input_length`. */
  inputHint: Shape | null;
  /** Where the hint was written (the argument), for fixes that move it. */
  inputHintArgs: Arg[];
  /** Every application of this layer to tensors. */
  calls: LayerCall[];
  /**
   * Why the analyzer cannot see into this layer (a custom layer class, a `keras.applications`
   * model, a loaded model, code it does not follow); null for the layers it models.
   */
  opaque: string | null;
  /**
   * The model this layer stands for, where a model is used as a layer (a Sequential or
   * functional model nested in another, or an instance of a `keras.Model` subclass): its rows
   * and weights are that model's.
   */
  model?: ModelNode;
}

/** A problem found while inferring shapes, reported later by the linter. */
export interface ShapeIssue {
  kind: 'ndim' | 'unroll' | 'incompatible';
  message: string;
  expectedRank?: number;
  foundRank?: number;
}

/** One application of a layer to input tensors. */
export interface LayerCall {
  id: number;
  layer: LayerNode;
  inputs: Tensor[];
  outputs: Tensor[];
  /** The call expression (`lstm(x)`), or the constructor for Sequential layers. */
  span: Span;
  issue: ShapeIssue | null;
  /** `initial_state=` tensors, when given. */
  initialState: Tensor[];
}

/** A symbolic tensor (a Keras tensor of the functional API, or a link of a Sequential chain). */
export interface Tensor {
  id: number;
  shape: Shape | null;
  /** The call that produced it; null for tensors of unknown origin. */
  producer: LayerCall | null;
  /** For a tensor of unknown origin: what it was reached by and why it cannot be followed. */
  origin?: Unknowable;
  /**
   * The size of the last axis where the rank is unknown (`Dense(32)` on an input of unknown
   * rank gives (..., 32)): enough for the next layer's count. Only set when `shape` is null.
   */
  lastDim?: number;
}

export interface CompileConfig {
  span: Span;
  optimizer: Value;
  optimizerSpan: Span | null;
  /** The optimizer resolved to a name and learning rate, where it can be. */
  optimizerInfo: OptimizerValue | null;
  loss: Value;
  lossSpan: Span | null;
  metrics: Value;
  args: Arg[];
}

export interface ModelNode {
  id: number;
  /** Set when the file's imports show Keras 2 (Analysis.keras2Import): Keras 3's quirks do not apply. */
  keras2?: true;
  /** The qualified name of the constructor (`keras.Sequential`, `tensorflow.keras.Model`). */
  path: string;
  /** `subclassed`: an instance of a class of the text deriving from `keras.Model`. */
  kind: 'sequential' | 'functional' | 'subclassed';
  name: string;
  site: CallSite;
  /**
   * Layers in Keras's order (model.layers); Sequential models omit the input layer; a subclassed
   * model has the layers its attributes hold, in the order they were first assigned.
   */
  layers: LayerNode[];
  /** Layer applications in execution order. */
  calls: LayerCall[];
  inputs: Tensor[];
  outputs: Tensor[];
  compile: CompileConfig | null;
  /**
   * Where the input shape came from: an Input/InputLayer, a layer's `input_shape`-style hint,
   * `model.build(...)`, or nowhere (Keras leaves such a model unbuilt until it sees data).
   */
  inputSource: 'Input' | 'hint' | 'build' | null;
  /** The layer that declared the input (InputLayer, or the first layer with a hint). */
  inputLayer: LayerNode | null;
  /**
   * Something the evaluator could not follow is part of it (code it skipped, a tensor of unknown
   * origin, or a layer it cannot see into): its totals are unknown.
   */
  opaque: boolean;
  /** Why it is opaque, in one line (null when it is not). */
  opaqueReason: string | null;
  /**
   * A functional model Keras 3 prints with a "Connected to" column: one that is not a plain chain
   * (several nodes at a depth, a node of several tensors, or a shared layer).
   */
  connected?: boolean;
  /** For a subclassed model: how its `call` was followed. */
  subclass?: SubclassInfo;
  /**
   * `model.trainable = False`: all its weights are non-trainable, in its own summary and where it
   * is used as a layer (Keras's `trainable_weights` is then empty, whatever its layers say).
   */
  frozen?: boolean;
}

/** How the analyzer followed a subclassed model's `call` (analyzer/python/classes.ts). */
export interface SubclassInfo {
  /** The class's name, as the summary's type column shows the model used as a layer. */
  className: string;
  /**
   * What built it: `model.build(shape)` only, a call on symbolic tensors (`model(Input(...))`),
   * or data the analyzer cannot see (`fit`, an eager call), followed on an input of unknown shape.
   */
  builtBy: 'build' | 'tensors' | 'data';
  /** True when the class defines `build(self, input_shape)` itself. */
  ownBuild: boolean;
  /** Why part of `call` could not be followed (layers called there may be missing), or null. */
  incomplete: string | null;
  /** How it makes weights of its own (`self.add_weight(...)`, a `tf.Variable`), which no row counts. */
  ownWeights?: string;
}

/** A one-line message about text the analyzer skipped or could not read. */
export interface Note {
  span: Span;
  message: string;
}

/** Everything the analyzer found in one text. */
export interface Analysis {
  models: ModelNode[];
  /** Every layer constructed, in order (including ones that belong to no model). */
  layers: LayerNode[];
  notes: Note[];
  /** Top-level import roots seen (`keras`, `tf_keras`, `tensorflow`), for target inference. */
  importRoots: string[];
  /**
   * The first import that exists only in Keras 2 (`keras.layers.recurrent`,
   * `keras.preprocessing.text`...), or null: such a file is Keras 2 code whatever `keras` it says.
   */
  keras2Import?: string | null;
  /**
   * The first import (or layer path) that exists only in multi-backend Keras 2.3 and older
   * (`keras.layers.CuDNNGRU`, `keras.backend.tensorflow_backend`), or null (analyzer/versions.ts).
   */
  multiBackendImport?: string | null;
}

/** The name of an activation value: `'relu'`, `keras.activations.relu` and `tf.nn.relu` give `relu`. */
export function activationName(v: Value | undefined): string | null {
  if (!v) return null;
  if (v.kind === 'none') return 'linear';
  if (v.kind === 'str') return v.value;
  if (v.kind === 'ref') return v.path.split('.').pop() ?? null;
  return null;
}

/** The layer whose output is the model's (single) prediction, if there is one. */
export function outputLayer(model: ModelNode): LayerNode | null {
  if (model.outputs.length !== 1) return null;
  return model.outputs[0]!.producer?.layer ?? null;
}
