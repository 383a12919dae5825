/**
 * The Keras graph builder: layers built from their call sites, each application of a layer with
 * its inferred output shapes, Sequential and functional models, and `compile`. It sees call sites
 * and values only, never syntax, and knows nothing of the playground: the policy decides what a
 * model method it does not model means.
 */
import type {
  Arg,
  CallSite,
  CompileConfig,
  LayerCall,
  LayerNode,
  ModelNode,
  Shape,
  Tensor,
} from '../graph';
import {
  applicationConfig,
  applicationDefaultName,
  applicationInput,
  unnamedLayers,
} from '../layers/applications';
import { LAYERS } from '../layers/index';
import { Config, defaultValue, toDims } from '../layers/types';
import { lastAxisOf, outputOf } from '../shapes';
import { applicationName, OPTIMIZER_DEFAULT_LR, snakeCase, type KerasSymbol } from './keras';
import { MAX_WRAP_DEPTH } from './limits';
import {
  asInt,
  asItems,
  asString,
  bool,
  float,
  int,
  NONE,
  originOf,
  str,
  UNKNOWN,
  unknownFrom,
  type ClassValue,
  type Span,
  type Unknowable,
  type Value,
} from './values';

/** Naming convention for automatic names (`input_layer` in Keras 3, `input_1` in tf.keras 2). */
export type Naming = 'keras3' | 'tf-keras2' | 'keras2-multibackend';

interface SequentialState {
  entries: Array<
    | { kind: 'layer'; layer: LayerNode }
    | { kind: 'input'; tensor: Tensor }
    | { kind: 'opaque'; reason: string }
  >;
  buildShape: Shape | null | undefined;
}

/** A counted `keras.applications` model: the name of its own input, its input_tensor, its graph. */
interface ApplicationGraph {
  inputName: string | null;
  tensor: Tensor | null;
  call: LayerCall | null;
}

/** The one line a tensor of unknown origin gives for the model it reaches. */
function untraced(origin: Unknowable | undefined): string {
  return origin
    ? `${origin.label}: ${origin.reason}`
    : 'an input tensor comes from code the analyzer cannot follow';
}

/** A call site standing for a span of text (an item of a list, an argument). */
function siteAt(span: Span): CallSite {
  return { span, callee: span, argList: { from: span.to, to: span.to }, args: [], splat: false };
}

/** A tensor as a value. */
export function tensorValue(t: Tensor): Value {
  return { kind: 'tensor', tensor: t };
}

/** How many wrappers deep a layer sits inside its own wrapped layers (bounded). */
function wrapDepth(layer: LayerNode): number {
  let depth = 0;
  for (let l: LayerNode | null = layer; l?.inner && depth <= MAX_WRAP_DEPTH; l = l.inner) depth++;
  return depth;
}

/**
 * A functional model's layers in Keras 3's order (`map_graph` in keras/src/ops/function.py):
 * deepest first, where a call's depth is the longest way from it to an output, and a layer's the
 * deepest of its calls; within one depth, in the order a depth-first walk from the outputs first
 * meets them. An input that reaches no output counts as depth 0, first among the outputs.
 */
function kerasLayerOrder(
  inputs: Tensor[],
  outputs: Tensor[],
): { layers: LayerNode[]; sequentialLike: boolean } {
  const declared = new Set(inputs);
  const finished = new Set<LayerCall>();
  const inProgress = new Set<LayerCall>();
  const ordered: LayerCall[] = [];
  const index = new Map<LayerNode, number>();
  const parents = (c: LayerCall) => [...c.inputs, ...c.initialState];
  // Keras's recursive walk, with an explicit stack: a call is done once its parents are.
  const enter = (t: Tensor): LayerCall | null => {
    const call = t.producer;
    if (!call || finished.has(call) || inProgress.has(call)) return null;
    const isInput = call.layer.type === 'InputLayer';
    if (!isInput && declared.has(t)) {
      finished.add(call);
      return null;
    }
    if (!index.has(call.layer)) index.set(call.layer, index.size);
    inProgress.add(call);
    return call;
  };
  for (const t of outputs) {
    const first = enter(t);
    const stack: Array<{ call: LayerCall; next: number }> = first ? [{ call: first, next: 0 }] : [];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const ins = top.call.layer.type === 'InputLayer' ? [] : parents(top.call);
      if (top.next < ins.length) {
        const child = enter(ins[top.next++]!);
        if (child) stack.push({ call: child, next: 0 });
        continue;
      }
      stack.pop();
      inProgress.delete(top.call);
      finished.add(top.call);
      ordered.push(top.call);
    }
  }
  const inGraph = new Set(ordered);
  const callDepth = new Map<LayerCall, number>();
  const layerDepth = new Map<LayerNode, number>();
  for (const call of [...ordered].reverse()) {
    const depth = Math.max(callDepth.get(call) ?? 0, layerDepth.get(call.layer) ?? 0);
    layerDepth.set(call.layer, depth);
    callDepth.set(call, depth);
    for (const p of parents(call)) {
      const parent = p.producer;
      if (parent && inGraph.has(parent))
        callDepth.set(parent, Math.max(depth + 1, callDepth.get(parent) ?? 0));
    }
  }
  for (const t of inputs) {
    const layer = t.producer?.layer;
    if (layer && layer.type === 'InputLayer' && !layerDepth.has(layer)) {
      layerDepth.set(layer, 0);
      index.set(layer, -1);
    }
  }
  const layers = [...layerDepth.keys()].sort(
    (a, b) => layerDepth.get(b)! - layerDepth.get(a)! || index.get(a)! - index.get(b)!,
  );
  // Keras 3's summary (summary_utils.print_summary) prints a functional model as a plain list
  // only when each depth has one node, no node takes several tensors and no layer is shared.
  const perDepth = new Map<number, number>();
  for (const d of callDepth.values()) perDepth.set(d, (perDepth.get(d) ?? 0) + 1);
  const calls = [...callDepth.keys()];
  const sequentialLike =
    [...perDepth.values()].every((n) => n === 1) &&
    calls.every((c) => parents(c).length <= 1) &&
    new Set(calls.map((c) => c.layer)).size === calls.length;
  return { layers, sequentialLike };
}

/** Builds the graph of one evaluation (a file, or a playground session across its cells). */
export class GraphBuilder {
  /** Every layer constructed, in order. */
  readonly layers: LayerNode[] = [];
  /** Every model constructed, in order. */
  readonly models: ModelNode[] = [];
  private ids = 0;
  private readonly names = new Map<string, number>();
  /** The `keras.applications` models the analyzer counts, with their own graph once built. */
  private readonly applications = new Map<LayerNode, ApplicationGraph>();
  private readonly sequential = new Map<ModelNode, SequentialState>();
  /**
   * Tensors downstream of a layer that cannot build (a shape error): their shapes are unknown,
   * rank included, so that one error gives one finding and no cascade.
   */
  private readonly broken = new Set<Tensor>();
  /** The layer standing for each model used as a layer (one per model: its weights are shared). */
  private readonly modelLayers = new Map<ModelNode, LayerNode>();
  /** The `call`s being followed (innermost last): the layer calls each one makes. */
  private readonly traces: Array<{ calls: LayerCall[]; incomplete: string | null }> = [];
  /**
   * Follows a subclassed model's `call` on tensors of these shapes and returns its outputs (the
   * evaluator's, set by it: the builder never runs code); null where it cannot.
   */
  runSubclass:
    ((model: ModelNode, inputs: Tensor[], args: readonly Arg[] | null) => Tensor[] | null) | null =
    null;
  /** The arguments of the model call being recorded (`dec(tgt, state)`), for its `call`. */
  private nestedArgs: readonly Arg[] | null = null;

  /** Settable: a multi-backend import seen before the layers gives them Keras 2.3's names. */
  constructor(public naming: Naming | undefined) {}

  /** tf.keras 2 and multi-backend Keras name inputs `input_1` and functional models `model`. */
  private get keras2Names(): boolean {
    return this.naming === 'tf-keras2' || this.naming === 'keras2-multibackend';
  }

  /** The value a call of a Keras symbol makes (a layer, an input tensor, a model, a loss...). */
  construct(sym: KerasSymbol, site: CallSite, path: string): Value {
    switch (sym.kind) {
      case 'layer':
        return { kind: 'layer', layer: this.constructLayer(sym.type, site, path) };
      case 'input': {
        const layer = this.constructLayer('InputLayer', site, path);
        const call = this.record(layer, [], site.span);
        return tensorValue(call.outputs[0]!);
      }
      case 'merge':
        return this.constructMerge(sym.type, site, path);
      case 'application':
        return { kind: 'layer', layer: this.constructApplication(sym.name, site, path) };
      case 'loadModel':
        return unknownFrom(
          'load_model(...)',
          'a model loaded by load_model(...), whose layers are not in this file',
        );
      case 'sequential':
        return this.constructSequential(site, path);
      case 'model':
        return this.constructFunctional(site, path);
      case 'loss': {
        // Keras's crossentropy losses take from_logits as their first parameter.
        const logits =
          site.args.find((a) => a.keyword === 'from_logits') ??
          (site.args[0]?.keyword === null ? site.args[0] : undefined);
        return { kind: 'loss', name: sym.name, fromLogits: logits ? logits.value : bool(false) };
      }
      case 'optimizer': {
        const lrArg =
          site.args.find((a) => a.keyword === 'learning_rate' || a.keyword === 'lr') ??
          (site.args[0] && !site.args[0].keyword ? site.args[0] : undefined);
        return {
          kind: 'optimizer',
          optimizer: {
            name: sym.name,
            learningRate: lrArg ? lrArg.value : float(OPTIMIZER_DEFAULT_LR[sym.name] ?? 0.001),
            learningRateSpan: lrArg ? lrArg.valueSpan : null,
            span: site.span,
          },
        };
      }
    }
  }

  /** `layer(x)`: a functional-API call. */
  applyLayer(layer: LayerNode, site: CallSite): Value {
    const spec = LAYERS.get(layer.type);
    let inputs: Tensor[];
    if (spec?.callInputs) {
      // `mha(query, value, key=None)`: tensors as separate arguments, positional or by name.
      const positional = site.args.filter((a) => a.keyword === null);
      inputs = spec.callInputs.flatMap((param, i) => {
        const arg = site.args.find((a) => a.keyword === param) ?? positional[i];
        return arg ? this.tensorsOf(arg.value) : [];
      });
    } else {
      const first = site.args.find((a) => a.keyword === null || a.keyword === 'inputs');
      inputs = this.tensorsOf(first?.value ?? UNKNOWN);
    }
    for (const option of spec?.callOptions ?? []) {
      const arg = site.args.find((a) => a.keyword === option);
      if (arg) layer.config[option] = arg.value;
    }
    const stateArg = site.args.find((a) => a.keyword === 'initial_state');
    const initialState = stateArg ? this.tensorsOf(stateArg.value) : [];
    const call = this.record(layer, inputs, site.span, initialState);
    if (call.outputs.length === 1) return tensorValue(call.outputs[0]!);
    return { kind: 'list', items: call.outputs.map(tensorValue) };
  }

  /** A tensor nothing is known about (the output of a model used as a layer). */
  unknownTensor(): Value {
    return tensorValue(this.tensor(null, null));
  }

  /** A model for an instance of a `keras.Model` subclass of the text (named after its class). */
  subclassedModel(className: string, site: CallSite): ModelNode {
    return this.newModel('subclassed', site, className, className);
  }

  /** A tensor of this shape with no producer: the input a subclassed model's `call` is followed on. */
  traceInput(shape: Shape | null, lastDim?: number): Tensor {
    const t = this.tensor(shape, null);
    if (shape === null && lastDim !== undefined) t.lastDim = lastDim;
    return t;
  }

  /** Starts recording the layer calls a `call` makes (nested calls record into their own). */
  beginTrace(): void {
    this.traces.push({ calls: [], incomplete: null });
  }

  /** Ends the innermost recording: its calls, and why part of it could not be followed. */
  endTrace(): { calls: LayerCall[]; incomplete: string | null } {
    return this.traces.pop() ?? { calls: [], incomplete: null };
  }

  /** Code inside the `call` being followed was skipped (an unknown branch, a loop): say why. */
  traceSkipped(why: string): void {
    const top = this.traces[this.traces.length - 1];
    if (top) top.incomplete ??= why;
  }

  /** The layer standing for a model used as a layer: a row of its own with the model's weights. */
  modelLayer(model: ModelNode): LayerNode {
    const known = this.modelLayers.get(model);
    if (known) return known;
    const type =
      model.kind === 'sequential'
        ? 'Sequential'
        : model.kind === 'functional'
          ? 'Functional'
          : model.path;
    const layer = this.constructLayer(type, siteAt(model.site.span), '', { name: model.name });
    // constructLayer bound the model's constructor arguments by no signature: they are not its config.
    for (const k of Object.keys(layer.config)) if (k !== 'name') delete layer.config[k];
    layer.site = model.site;
    layer.model = model;
    this.layers.splice(this.layers.indexOf(layer), 1);
    this.modelLayers.set(model, layer);
    return layer;
  }

  /** `encoder(x)`, `model(inputs)`: a model applied to tensors, one row with its weights. */
  applyModel(model: ModelNode, site: CallSite): Value {
    const first = site.args.find((a) => a.keyword === null || a.keyword === 'inputs');
    // Every tensor it is given is an input of the call (`dec(tgt, state)` depends on both).
    const more = site.args
      .filter((a) => a !== first)
      .flatMap((a) => (asItems(a.value) ?? [a.value]).filter((v) => v.kind === 'tensor'))
      .map((v) => (v as Extract<Value, { kind: 'tensor' }>).tensor);
    this.nestedArgs = model.kind === 'subclassed' ? site.args : null;
    const call = this.record(
      this.modelLayer(model),
      [...this.tensorsOf(first?.value ?? UNKNOWN), ...more],
      site.span,
    );
    if (call.outputs.length === 1) return tensorValue(call.outputs[0]!);
    return { kind: 'list', items: call.outputs.map(tensorValue) };
  }

  /**
   * `x[:, -1, :]` on a symbolic tensor: Keras 3's `GetItem` operation (tf.keras 2's
   * `tf.__operators__.getitem` SlicingOpLambda), a row of its own with no weights.
   */
  getItem(t: Tensor, key: Value, span: Span): Value {
    const keras2 = this.keras2Names;
    const type = keras2 ? 'SlicingOpLambda' : 'GetItem';
    const name = keras2 ? this.opName('tf.__operators__.getitem') : this.autoName(type);
    const layer = this.constructLayer(type, siteAt(span), '', { name });
    layer.config['key'] = key;
    return tensorValue(this.record(layer, [t], span).outputs[0]!);
  }

  /** tf.keras 2's names for operations on tensors: `tf.__operators__.getitem`, then `_1`... */
  private opName(base: string): string {
    const n = this.names.get(base) ?? 0;
    this.names.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  /** An instance of a class defined in the text that subclasses a Keras layer or model. */
  constructCustom(cls: ClassValue, site: CallSite, path: string): Value {
    const what = cls.base === 'model' ? 'a custom model class' : 'a custom layer class';
    const layer = this.constructLayer(cls.name, site, path, {
      reason: `${what}, whose output shape and weights are unknown`,
    });
    return { kind: 'layer', layer };
  }

  /**
   * Something the analyzer does not model, called on tensors (`tf.concat([a, b])`, a loaded
   * model, `Attention()(x)` with `Attention` never imported): one layer of unknown output shape
   * and weights, so that the layers before it stay in the model.
   */
  applyOpaque(label: string, origin: Unknowable | null, site: CallSite, type = '?'): Value {
    const layer = this.constructLayer(type, site, '', {
      reason: origin?.reason ?? 'not a Keras layer the analyzer models',
      name: label,
    });
    const inputs = site.args.flatMap((a) => {
      if (a.value.kind === 'tensor') return [a.value.tensor];
      return (asItems(a.value) ?? []).flatMap((x) => (x.kind === 'tensor' ? [x.tensor] : []));
    });
    const call = this.record(layer, inputs, site.span);
    return tensorValue(call.outputs[0]!);
  }

  /** True when some argument of the call is a tensor (or a list holding one). */
  takesTensors(site: CallSite): boolean {
    return site.args.some(
      (a) =>
        a.value.kind === 'tensor' || (asItems(a.value)?.some((x) => x.kind === 'tensor') ?? false),
    );
  }

  /**
   * `layer.input` / `layer.output`: the tensors of its one application. A `keras.applications`
   * model the analyzer counts has a graph of its own (on its Input or its input_tensor); one it
   * cannot see into that was never applied is a model of its own too: its input is of unknown
   * origin and its output comes out of it.
   */
  layerTensor(layer: LayerNode, which: 'input' | 'output'): Value {
    const application = this.applications.get(layer);
    if (application) {
      const call = this.applicationGraph(layer, application);
      return tensorValue(which === 'input' ? call.inputs[0]! : call.outputs[0]!);
    }
    if (layer.calls.length === 0 && layer.opaque) {
      const input = this.tensor(null, null, {
        label: `${layer.name}.input`,
        reason: `the input of ${layer.name}, which the analyzer does not model`,
      });
      this.record(layer, [input], layer.site.span);
    }
    const call = layer.calls.length === 1 ? layer.calls[0]! : null;
    const t = call ? (which === 'input' ? call.inputs[0] : call.outputs[0]) : undefined;
    if (t) return tensorValue(t);
    // Keras raises here too: a layer never applied, or applied more than once, has no one output.
    return unknownFrom(
      `${layer.name}.${which}`,
      layer.calls.length === 0
        ? 'a layer that was never applied has no output'
        : `a layer applied ${layer.calls.length} times has no single ${which}`,
    );
  }

  /**
   * `a, b = opaque(x)`: the outputs of a layer of unknown outputs, as many as are unpacked.
   * Null for any other tensor (its outputs are known, and it is not a sequence).
   */
  unpackTensor(t: Tensor, n: number): Value[] | null {
    const call = t.producer;
    if (!call || t.shape !== null || call.outputs.length !== 1 || call.outputs[0] !== t)
      return null;
    if (!call.layer.opaque && LAYERS.has(call.layer.type)) return null;
    for (let i = 1; i < n; i++) call.outputs.push(this.tensor(null, call));
    return call.outputs.map(tensorValue);
  }

  // ---- liveness: a model built and rebound before any use is dead ------------------------

  private readonly liveness = new Map<ModelNode, { names: number; used: boolean }>();

  /** A name now holds this model. */
  bound(model: ModelNode): void {
    const l = this.liveness.get(model) ?? { names: 0, used: false };
    l.names++;
    this.liveness.set(model, l);
  }

  /** A name that held this model was rebound to something else. */
  released(model: ModelNode): void {
    const l = this.liveness.get(model);
    if (l) l.names--;
  }

  /** The model was read (a method, an argument, a return value...). */
  used(model: ModelNode): void {
    const l = this.liveness.get(model) ?? { names: 0, used: true };
    l.used = true;
    this.liveness.set(model, l);
  }

  /** Models that are not dead (`model = Sequential()` rebound before any use is). */
  liveModels(): ModelNode[] {
    return this.models.filter((m) => {
      const l = this.liveness.get(m);
      return !l || l.used || l.names > 0;
    });
  }

  /** The graph methods of a model (`add`, `build`, `compile`); undefined for any other method. */
  method(model: ModelNode, method: string, site: CallSite): Value | undefined {
    const state = this.sequential.get(model);
    const first = site.args[0];
    switch (method) {
      case 'add':
        if (state && first) this.addToSequential(state, first.value);
        return NONE;
      case 'build':
        if (state && first) {
          const dims = toDims(first.value);
          state.buildShape = dims;
        }
        return NONE;
      case 'compile':
        model.compile = this.compileConfig(site);
        return NONE;
      default:
        return undefined;
    }
  }

  /** A Sequential model may have had layers added where the evaluator could not follow. */
  markOpaque(
    model: ModelNode,
    reason = 'layers are added by code the analyzer cannot follow',
  ): void {
    this.used(model);
    this.sequential.get(model)?.entries.push({ kind: 'opaque', reason });
  }

  /** Completes every model's layers, calls, inputs and outputs from what was recorded. */
  finishAll(): void {
    for (const model of this.models) this.finish(model);
  }

  /** Completes one model (again, when the playground has added to it since). */
  finish(model: ModelNode): void {
    const state = this.sequential.get(model);
    if (state) return this.finishSequential(model, state);
    if (model.kind === 'subclassed') return this.finishSubclassed(model);
    // Functional: the calls reachable from the outputs, in the order they were made.
    const seen = new Set<LayerCall>();
    const stack = [...model.outputs];
    const inputs = new Set(model.inputs);
    model.opaque = false;
    model.opaqueReason = null;
    while (stack.length) {
      const t = stack.pop()!;
      if (inputs.has(t)) {
        if (t.producer) seen.add(t.producer);
        continue;
      }
      if (!t.producer) {
        model.opaque = true;
        model.opaqueReason ??= untraced(t.origin);
        continue;
      }
      if (seen.has(t.producer)) continue;
      seen.add(t.producer);
      stack.push(...t.producer.inputs, ...t.producer.initialState);
    }
    model.calls = [...seen].sort((a, b) => a.id - b.id);
    const declared = model.inputs.find((t) => t.producer?.layer.type === 'InputLayer');
    if (declared) {
      model.inputSource = 'Input';
      model.inputLayer = declared.producer!.layer;
    }
    if (model.outputs.length === 0) {
      // `Model(inputs, outputs)` with outputs the analyzer could not collect: not an empty model.
      model.opaque = true;
      model.opaqueReason ??= 'its outputs come from code the analyzer cannot follow';
    }
    const order = kerasLayerOrder(model.inputs, model.outputs);
    model.layers = order.layers;
    model.connected = !order.sequentialLike;
    for (const c of model.calls) if (!model.layers.includes(c.layer)) model.layers.push(c.layer);
    this.opaqueLayers(model);
  }

  /**
   * A subclassed model keeps the layers its attributes hold and the calls its `call` made. Where
   * part of `call` was skipped and a layer was never called, that layer may have been called
   * there: its weights, and so the totals, are unknown.
   */
  private finishSubclassed(model: ModelNode): void {
    model.opaque = false;
    model.opaqueReason = null;
    const info = model.subclass;
    if (!info) {
      model.opaque = true;
      model.opaqueReason = 'its call method could not be followed';
    } else if (info.ownWeights) {
      model.opaque = true;
      model.opaqueReason = `it makes weights of its own (${info.ownWeights}), which the analyzer does not count`;
    } else if (info.incomplete && model.layers.some((l) => l.calls.length === 0)) {
      model.opaque = true;
      model.opaqueReason = `its call method has ${info.incomplete.replace(/^layers are (added|called) /, 'code ')}, where some of its layers may be called`;
    }
    this.opaqueLayers(model);
  }

  /** A model holding a layer the analyzer cannot see into is opaque, for that reason. */
  private opaqueLayers(model: ModelNode): void {
    const unknown = model.layers.find((l) => l.opaque);
    if (!unknown) return;
    model.opaque = true;
    model.opaqueReason ??= `${unknown.name}: ${unknown.opaque}`;
  }

  // ---- layers ------------------------------------------------------------------------------

  private autoName(type: string): string {
    const base = type === 'InputLayer' && this.keras2Names ? 'input' : snakeCase(type);
    const n = this.names.get(base) ?? 0;
    this.names.set(base, n + 1);
    // Multi-backend Keras counts every class from 1 (`lstm_1`), tf.keras 2 only its inputs.
    if (this.naming === 'keras2-multibackend') return `${base}_${n + 1}`;
    if (this.naming === 'tf-keras2' && type === 'InputLayer') return `${base}_${n + 1}`;
    return n === 0 ? base : `${base}_${n}`;
  }

  /**
   * A layer from its call site. `opaque` marks one the analyzer cannot see into: why, and the
   * name Keras gives it when that is not the automatic one of its class.
   */
  private constructLayer(
    type: string,
    site: CallSite,
    path: string,
    opaque?: { reason?: string; name?: string },
  ): LayerNode {
    const spec = LAYERS.get(type);
    const config: Record<string, Value> = {};
    // An unknown `**kwargs` may set any argument; known ones were expanded into the arguments.
    const unknownSplat = site.args.some((a) => a.splat);
    if (spec) {
      for (const [k, d] of Object.entries(spec.defaults))
        config[k] = unknownSplat ? UNKNOWN : defaultValue(d);
    }
    // After a `*args` the positions of later arguments are unknown.
    let shifted = false;
    site.args.forEach((arg, i) => {
      if (arg.splat) {
        shifted = true;
        return;
      }
      if (arg.keyword === null) arg.param = shifted ? null : (spec?.signature[i] ?? null);
      if (arg.param) config[arg.param] = arg.value;
    });
    const nameValue = asString(config['name']);
    const layer: LayerNode = {
      id: this.ids++,
      type,
      name: opaque?.name ?? nameValue ?? this.autoName(type),
      path,
      site,
      config,
      inner: null,
      backward: null,
      wrapped: false,
      inputHint: null,
      inputHintArgs: [],
      calls: [],
      opaque: opaque?.reason ?? null,
    };
    if (spec?.wrapper) {
      const inner = config['layer'] ?? config['cell'];
      if (inner?.kind === 'layer' && wrapDepth(inner.layer) < MAX_WRAP_DEPTH) {
        layer.inner = inner.layer;
        inner.layer.wrapped = true;
      }
      const backward = config['backward_layer'];
      if (backward?.kind === 'layer') {
        layer.backward = backward.layer;
        backward.layer.wrapped = true;
      }
    }
    this.inputHint(layer);
    this.layers.push(layer);
    return layer;
  }

  /**
   * `VGG16(include_top=False, input_shape=(224, 224, 3))`: one `Functional` layer, counted where
   * the analyzer knows the model (layers/applications.ts), opaque otherwise. Keras builds the
   * model's input and its unnamed layers at once: their automatic names are taken now.
   */
  private constructApplication(cls: string, site: CallSite, path: string): LayerNode {
    const given = asString(site.args.find((a) => a.keyword === 'name')?.value);
    const config = applicationConfig(cls, site.args);
    if (!config) {
      return this.constructLayer('Functional', site, path, {
        reason: `keras.applications.${cls}, which the analyzer does not model`,
        name: given ?? applicationName(cls) ?? '?',
      });
    }
    const cfg = new Config(config);
    const tensor = config['input_tensor']?.kind === 'tensor' ? config['input_tensor'].tensor : null;
    const inputName = tensor ? null : this.autoName('InputLayer');
    for (const type of unnamedLayers(cfg)) this.autoName(type);
    const name = given ?? applicationDefaultName(cfg) ?? applicationName(cls) ?? '?';
    const layer = this.constructLayer('Functional', site, path, { name });
    // Bound again: constructLayer bound the positional arguments by Functional's empty signature.
    Object.assign(layer.config, applicationConfig(cls, site.args));
    layer.inputHint = applicationInput(cfg);
    this.applications.set(layer, { inputName, tensor, call: null });
    return layer;
  }

  /** An application's own graph (`base.input`, `base.output`): on its input_tensor or its Input. */
  private applicationGraph(layer: LayerNode, app: ApplicationGraph): LayerCall {
    if (app.call) return app.call;
    let input = app.tensor;
    if (!input) {
      const at = siteAt({ from: layer.site.span.to, to: layer.site.span.to });
      const node = this.constructLayer('InputLayer', at, layer.path, { name: app.inputName! });
      node.config['shape'] = {
        kind: 'tuple',
        items: (layer.inputHint ?? [null, null, null, null])
          .slice(1)
          .map((d) => (d === null ? NONE : int(d))),
      };
      // The application owns its input layer: no shape hint of its own at the constructor.
      node.wrapped = true;
      input = this.record(node, [], at.span).outputs[0]!;
    }
    app.call = this.record(layer, [input], layer.site.span);
    return app.call;
  }

  /** The input shape a layer declares for itself (`input_shape=`, `input_dim=`, ...). */
  private inputHint(layer: LayerNode): void {
    const cfg = layer.config;
    const argFor = (k: string) => layer.site.args.find((a) => a.param === k);
    const hintArgs = ['input_shape', 'batch_input_shape', 'input_dim', 'input_length', 'batch_size']
      .map(argFor)
      .filter(
        (a): a is Arg =>
          a !== undefined && !(layer.type === 'Embedding' && a.param === 'input_dim'),
      );
    layer.inputHintArgs = hintArgs;
    if (layer.type === 'InputLayer') return;
    const batch = asInt(cfg['batch_size']);
    if (cfg['batch_input_shape']) {
      layer.inputHint = toDims(cfg['batch_input_shape']);
      return;
    }
    if (cfg['input_shape']) {
      const dims = toDims(cfg['input_shape']);
      layer.inputHint = dims ? [batch, ...dims] : null;
      return;
    }
    const length = cfg['input_length'] ? asInt(cfg['input_length']) : undefined;
    if (layer.type === 'Embedding') {
      if (length !== undefined) layer.inputHint = [batch, length];
      return;
    }
    if (cfg['input_dim']) {
      const dim = asInt(cfg['input_dim']);
      const recurrent = layer.type === 'LSTM' || layer.type === 'GRU' || layer.type === 'SimpleRNN';
      layer.inputHint = recurrent ? [batch, length ?? null, dim] : [batch, dim];
    }
  }

  private tensor(shape: Shape | null, producer: LayerCall | null, origin?: Unknowable): Tensor {
    return { id: this.ids++, shape, producer, ...(origin ? { origin } : {}) };
  }

  /**
   * Records one application of a layer and infers its output shapes. An unbuilt call (a
   * Sequential model with no input shape) has unknown shapes, as Keras prints them.
   */
  private record(
    layer: LayerNode,
    inputs: Tensor[],
    span: Span,
    initialState: Tensor[] = [],
    unbuilt = false,
  ): LayerCall {
    const call: LayerCall = {
      id: this.ids++,
      layer,
      inputs,
      outputs: [],
      span,
      issue: null,
      initialState,
    };
    if (inputs.some((t) => this.broken.has(t))) {
      call.outputs = [this.tensor(null, call)];
      this.broken.add(call.outputs[0]!);
      layer.calls.push(call);
      return call;
    }
    if (layer.model) {
      this.recordNested(call, layer.model, unbuilt);
      layer.calls.push(call);
      this.traces[this.traces.length - 1]?.calls.push(call);
      return call;
    }
    const outcome = outputOf(
      layer,
      inputs.map((t) => t.shape),
    );
    if ('issue' in outcome) {
      call.issue = outcome.issue;
      call.outputs = [this.tensor(null, call)];
      this.broken.add(call.outputs[0]!);
    } else {
      call.outputs = outcome.shapes.map((s) => this.tensor(unbuilt ? null : s, call));
      const only = call.outputs.length === 1 ? call.outputs[0]! : null;
      if (only && only.shape === null && !unbuilt) {
        const last = lastAxisOf(layer, inputs[0]);
        if (last !== null) only.lastDim = last;
      }
    }
    layer.calls.push(call);
    this.traces[this.traces.length - 1]?.calls.push(call);
    return call;
  }

  /**
   * The outputs of a model applied as a layer: a subclassed model's `call` followed on the
   * inputs; a Sequential model with no input shape of its own built on them (as Keras builds it);
   * otherwise the model's own outputs.
   */
  private recordNested(call: LayerCall, model: ModelNode, unbuilt: boolean): void {
    const args = this.nestedArgs;
    this.nestedArgs = null;
    let outs: Tensor[] | null;
    if (model.kind === 'subclassed')
      outs = unbuilt ? null : (this.runSubclass?.(model, call.inputs, args) ?? null);
    else {
      const state = this.sequential.get(model);
      const shape = call.inputs[0]?.shape;
      if (
        state &&
        state.buildShape === undefined &&
        model.inputSource === null &&
        shape &&
        !unbuilt
      ) {
        this.finish(model);
        if (model.inputSource === null) {
          state.buildShape = shape;
          this.finish(model);
        }
      }
      outs = model.outputs;
    }
    call.outputs = (outs ?? [null]).map((t) => {
      const out = this.tensor(unbuilt ? null : (t?.shape ?? null), call);
      if (out.shape === null && t?.lastDim !== undefined && !unbuilt) out.lastDim = t.lastDim;
      return out;
    });
  }

  /**
   * The tensors a value holds (one, or a list of them); other values become tensors of unknown
   * origin, which remember what they were reached by where the evaluator knows.
   */
  private tensorsOf(v: Value): Tensor[] {
    const one = (x: Value) =>
      x.kind === 'tensor' ? x.tensor : this.tensor(null, null, originOf(x) ?? undefined);
    const items = asItems(v);
    if (items) return items.map(one);
    return [one(v)];
  }

  /**
   * `concatenate([a, b], axis=1)` and the other functional merges: the merge layer built from the
   * arguments after the inputs (Keras's `Concatenate(axis=axis, **kwargs)(inputs)`), applied.
   */
  private constructMerge(type: string, site: CallSite, path: string): Value {
    const inputsArg =
      site.args.find((a) => a.keyword === 'inputs') ?? site.args.find((a) => a.keyword === null);
    const rest = site.args.filter((a) => a !== inputsArg);
    const layer = this.constructLayer(type, { ...site, args: rest }, path);
    // The functional `dot` defaults to axes=-1 where the Dot class requires axes.
    if (type === 'Dot' && !layer.config['axes']) layer.config['axes'] = { kind: 'int', value: -1 };
    const call = this.record(layer, this.tensorsOf(inputsArg?.value ?? UNKNOWN), site.span);
    return tensorValue(call.outputs[0]!);
  }

  // ---- models ------------------------------------------------------------------------------

  private newModel(
    kind: ModelNode['kind'],
    site: CallSite,
    path: string,
    className?: string,
  ): ModelNode {
    const given = site.args.find((a) => a.keyword === 'name');
    const base =
      className ??
      (kind === 'sequential' ? 'sequential' : this.keras2Names ? 'model' : 'functional');
    const model: ModelNode = {
      id: this.ids++,
      path,
      kind,
      name: asString(given?.value) ?? this.autoName(base === 'model' ? 'Model' : base),
      site,
      layers: [],
      calls: [],
      inputs: [],
      outputs: [],
      compile: null,
      inputSource: null,
      inputLayer: null,
      opaque: false,
      opaqueReason: null,
    };
    this.models.push(model);
    return model;
  }

  private constructSequential(site: CallSite, path: string): Value {
    const model = this.newModel('sequential', site, path);
    const state: SequentialState = { entries: [], buildShape: undefined };
    this.sequential.set(model, state);
    const list = site.args.find((a) => a.keyword === 'layers' || a.keyword === null);
    if (list) {
      const items = asItems(list.value);
      if (items) for (const item of items) this.addToSequential(state, item);
      else if (list.value.kind !== 'none')
        state.entries.push({
          kind: 'opaque',
          reason: untraced(originOf(list.value) ?? undefined).replace(
            'an input tensor comes from',
            'its layers come from',
          ),
        });
    }
    return { kind: 'model', model };
  }

  /** One layer (or what stands where a layer goes) added to a Sequential model. */
  private addToSequential(state: SequentialState, item: Value): void {
    if (item.kind === 'layer') {
      // Keras 3 turns a first layer's input_shape into an InputLayer, which takes an auto name.
      const declares =
        item.layer.inputHintArgs.some(
          (a) => a.param !== 'input_length' && a.param !== 'batch_size',
        ) || this.applications.has(item.layer);
      if (state.entries.length === 0 && declares && !this.keras2Names) this.autoName('InputLayer');
      state.entries.push({ kind: 'layer', layer: item.layer });
    } else if (item.kind === 'tensor' && item.tensor.producer?.layer.type === 'InputLayer') {
      state.entries.push({ kind: 'input', tensor: item.tensor });
    } else if (item.kind === 'model') {
      // A model as a layer: a row of its own with the model's weights. One with an input shape
      // of its own declares the outer model's, which takes an InputLayer (and its name) for it.
      const inner = item.model;
      const layer = this.modelLayer(inner);
      if (inner.kind !== 'subclassed') this.finish(inner);
      layer.inputHint =
        inner.kind !== 'subclassed' && inner.inputSource !== null && inner.inputs.length === 1
          ? (inner.inputs[0]!.shape ?? null)
          : null;
      if (state.entries.length === 0 && layer.inputHint && !this.keras2Names)
        this.autoName('InputLayer');
      state.entries.push({ kind: 'layer', layer });
    } else {
      const origin = originOf(item);
      if (origin?.span) {
        // Something the analyzer cannot see into, written where a layer goes: a row of its own.
        const layer = this.constructLayer('?', siteAt(origin.span), '', {
          reason: origin.reason,
          name: origin.label,
        });
        state.entries.push({ kind: 'layer', layer });
      } else
        state.entries.push({
          kind: 'opaque',
          reason: origin
            ? `${origin.label}: ${origin.reason}`
            : 'a layer comes from code the analyzer cannot follow',
        });
    }
  }

  private constructFunctional(site: CallSite, path: string): Value {
    const model = this.newModel('functional', site, path);
    const inputsArg =
      site.args.find((a) => a.keyword === 'inputs') ??
      site.args.find((a, i) => i === 0 && a.keyword === null);
    const outputsArg =
      site.args.find((a) => a.keyword === 'outputs') ??
      site.args.find((a, i) => i === 1 && a.keyword === null);
    model.inputs = inputsArg ? this.tensorsOf(inputsArg.value) : [];
    const outputsValue = outputsArg?.value ?? UNKNOWN;
    model.outputs =
      outputsValue.kind === 'dict'
        ? outputsValue.entries.flatMap(([, v]) => this.tensorsOf(v))
        : this.tensorsOf(outputsValue);
    return { kind: 'model', model };
  }

  private compileConfig(site: CallSite): CompileConfig {
    const byName = (k: string) => site.args.find((a) => a.keyword === k);
    const positional = site.args.filter((a) => a.keyword === null);
    const optimizer = byName('optimizer') ?? positional[0];
    const loss = byName('loss') ?? positional[1];
    // Keras 3's third positional parameter is loss_weights, tf.keras 2's is metrics: tell them apart
    // by value (metrics are names or objects, loss weights are numbers).
    const third = positional[2];
    const thirdIsMetrics =
      third !== undefined &&
      (third.value.kind === 'str' ||
        (asItems(third.value)?.every((v) => v.kind === 'str' || v.kind === 'unknown') ?? false));
    const metrics = byName('metrics') ?? (thirdIsMetrics ? third : undefined);
    if (optimizer) optimizer.param = 'optimizer';
    if (loss) loss.param = 'loss';
    if (metrics) metrics.param = 'metrics';
    return {
      span: site.span,
      optimizer: optimizer?.value ?? str('rmsprop'),
      optimizerSpan: optimizer?.valueSpan ?? null,
      optimizerInfo: optimizer?.value.kind === 'optimizer' ? optimizer.value.optimizer : null,
      loss: loss?.value ?? NONE,
      lossSpan: loss?.valueSpan ?? null,
      metrics: metrics?.value ?? NONE,
      args: site.args,
    };
  }

  private finishSequential(model: ModelNode, state: SequentialState): void {
    // Finishing again (the playground does after each cell) replaces the previous chain.
    for (const c of model.calls) {
      const i = c.layer.calls.indexOf(c);
      if (i >= 0) c.layer.calls.splice(i, 1);
    }
    model.calls = [];
    model.layers = [];
    model.opaque = false;
    model.opaqueReason = null;
    model.inputSource = null;
    model.inputLayer = null;
    let shape: Shape | null | undefined = undefined;
    let current: Tensor | null = null;
    let sawLayer = false;
    // No input shape at all: Keras leaves the model unbuilt, and every shape is unknown.
    let unbuilt = false;
    for (const entry of state.entries) {
      if (entry.kind === 'opaque') {
        model.opaque = true;
        model.opaqueReason ??= entry.reason;
        current = this.tensor(null, null);
        shape = null;
        continue;
      }
      if (entry.kind === 'input') {
        if (!sawLayer) {
          current = entry.tensor;
          model.inputs = [current];
          shape = current.shape;
          model.inputSource = 'Input';
          model.inputLayer = entry.tensor.producer?.layer ?? null;
        }
        continue;
      }
      const layer = entry.layer;
      if (layer.type === 'InputLayer') {
        if (!sawLayer) {
          const outcome = outputOf(layer, []);
          current = this.tensor('shapes' in outcome ? (outcome.shapes[0] ?? null) : null, null);
          model.inputs = [current];
          shape = current.shape;
          model.inputSource = 'Input';
          model.inputLayer = layer;
        }
        continue;
      }
      if (!sawLayer && shape === undefined) {
        // An application first: Keras 3 builds the Sequential model on its input shape.
        if (
          layer.inputHintArgs.length > 0 ||
          this.applications.has(layer) ||
          (layer.model && layer.inputHint)
        ) {
          model.inputSource = 'hint';
          model.inputLayer = layer;
        } else if (state.buildShape !== undefined) model.inputSource = 'build';
        shape = layer.inputHint ?? (state.buildShape === undefined ? null : state.buildShape);
        current = this.tensor(shape, null);
        model.inputs = [current];
        unbuilt = model.inputSource === null;
      }
      sawLayer = true;
      const call = this.record(
        layer,
        [current ?? this.tensor(null, null)],
        layer.site.span,
        [],
        unbuilt,
      );
      model.calls.push(call);
      if (!model.layers.includes(layer)) model.layers.push(layer);
      current = call.outputs[0] ?? null;
    }
    model.outputs = current ? [current] : [];
    this.opaqueLayers(model);
  }
}
