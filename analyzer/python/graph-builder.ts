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
import { LAYERS } from '../layers/index';
import { defaultValue, toDims } from '../layers/types';
import { outputOf } from '../shapes';
import { OPTIMIZER_DEFAULT_LR, snakeCase, type KerasSymbol } from './keras';
import { MAX_WRAP_DEPTH } from './limits';
import {
  asInt,
  asItems,
  asString,
  bool,
  float,
  NONE,
  str,
  UNKNOWN,
  type Span,
  type Value,
} from './values';

/** Naming convention for automatic names (`input_layer` in Keras 3, `input_1` in tf.keras 2). */
export type Naming = 'keras3' | 'tf-keras2';

interface SequentialState {
  entries: Array<
    { kind: 'layer'; layer: LayerNode } | { kind: 'input'; tensor: Tensor } | { kind: 'opaque' }
  >;
  buildShape: Shape | null | undefined;
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

/** Builds the graph of one evaluation (a file, or a playground session across its cells). */
export class GraphBuilder {
  /** Every layer constructed, in order. */
  readonly layers: LayerNode[] = [];
  /** Every model constructed, in order. */
  readonly models: ModelNode[] = [];
  private ids = 0;
  private readonly names = new Map<string, number>();
  private readonly sequential = new Map<ModelNode, SequentialState>();

  constructor(private readonly naming: Naming | undefined) {}

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
    const first = site.args.find((a) => a.keyword === null || a.keyword === 'inputs');
    const inputs = this.tensorsOf(first?.value ?? UNKNOWN);
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
  markOpaque(model: ModelNode): void {
    this.sequential.get(model)?.entries.push({ kind: 'opaque' });
  }

  /** Completes every model's layers, calls, inputs and outputs from what was recorded. */
  finishAll(): void {
    for (const model of this.models) this.finish(model);
  }

  /** Completes one model (again, when the playground has added to it since). */
  finish(model: ModelNode): void {
    const state = this.sequential.get(model);
    if (state) return this.finishSequential(model, state);
    // Functional: the calls reachable from the outputs, in the order they were made.
    const seen = new Set<LayerCall>();
    const stack = [...model.outputs];
    const inputs = new Set(model.inputs);
    while (stack.length) {
      const t = stack.pop()!;
      if (inputs.has(t)) {
        if (t.producer) seen.add(t.producer);
        continue;
      }
      if (!t.producer) {
        model.opaque = true;
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
    const layers: LayerNode[] = [];
    for (const c of model.calls) if (!layers.includes(c.layer)) layers.push(c.layer);
    model.layers = layers;
  }

  // ---- layers ------------------------------------------------------------------------------

  private autoName(type: string): string {
    const base = type === 'InputLayer' && this.naming === 'tf-keras2' ? 'input' : snakeCase(type);
    const n = this.names.get(base) ?? 0;
    this.names.set(base, n + 1);
    if (this.naming === 'tf-keras2' && type === 'InputLayer') return `${base}_${n + 1}`;
    return n === 0 ? base : `${base}_${n}`;
  }

  private constructLayer(type: string, site: CallSite, path: string): LayerNode {
    const spec = LAYERS.get(type);
    const config: Record<string, Value> = {};
    if (spec) {
      for (const [k, d] of Object.entries(spec.defaults))
        config[k] = site.splat ? UNKNOWN : defaultValue(d);
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
      name: nameValue ?? this.autoName(type),
      path,
      site,
      config,
      inner: null,
      backward: null,
      wrapped: false,
      inputHint: null,
      inputHintArgs: [],
      calls: [],
    };
    if (spec?.wrapper) {
      const inner = config['layer'];
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

  private tensor(shape: Shape | null, producer: LayerCall | null): Tensor {
    return { id: this.ids++, shape, producer };
  }

  /** Records one application of a layer and infers its output shapes. */
  private record(
    layer: LayerNode,
    inputs: Tensor[],
    span: Span,
    initialState: Tensor[] = [],
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
    const outcome = outputOf(
      layer,
      inputs.map((t) => t.shape),
    );
    if ('issue' in outcome) {
      call.issue = outcome.issue;
      call.outputs = [this.tensor(null, call)];
    } else {
      call.outputs = outcome.shapes.map((s) => this.tensor(s, call));
    }
    layer.calls.push(call);
    return call;
  }

  /** The tensors a value holds (one, or a list of them); unknown values become opaque tensors. */
  private tensorsOf(v: Value): Tensor[] {
    if (v.kind === 'tensor') return [v.tensor];
    const items = asItems(v);
    if (items) return items.map((x) => (x.kind === 'tensor' ? x.tensor : this.tensor(null, null)));
    return [this.tensor(null, null)];
  }

  // ---- models ------------------------------------------------------------------------------

  private newModel(kind: ModelNode['kind'], site: CallSite, path: string): ModelNode {
    const given = site.args.find((a) => a.keyword === 'name');
    const base =
      kind === 'sequential' ? 'sequential' : this.naming === 'tf-keras2' ? 'model' : 'functional';
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
      else if (list.value.kind !== 'none') state.entries.push({ kind: 'opaque' });
    }
    return { kind: 'model', model };
  }

  private addToSequential(state: SequentialState, item: Value): void {
    if (item.kind === 'layer') {
      // Keras 3 turns a first layer's input_shape into an InputLayer, which takes an auto name.
      const declares = item.layer.inputHintArgs.some(
        (a) => a.param !== 'input_length' && a.param !== 'batch_size',
      );
      if (state.entries.length === 0 && declares && this.naming !== 'tf-keras2')
        this.autoName('InputLayer');
      state.entries.push({ kind: 'layer', layer: item.layer });
    } else if (item.kind === 'tensor' && item.tensor.producer?.layer.type === 'InputLayer') {
      state.entries.push({ kind: 'input', tensor: item.tensor });
    } else state.entries.push({ kind: 'opaque' });
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
    let shape: Shape | null | undefined = undefined;
    let current: Tensor | null = null;
    let sawLayer = false;
    for (const entry of state.entries) {
      if (entry.kind === 'opaque') {
        model.opaque = true;
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
        if (layer.inputHintArgs.length > 0) {
          model.inputSource = 'hint';
          model.inputLayer = layer;
        } else if (state.buildShape !== undefined) model.inputSource = 'build';
        shape = layer.inputHint ?? (state.buildShape === undefined ? null : state.buildShape);
        current = this.tensor(shape, null);
        model.inputs = [current];
      }
      sawLayer = true;
      const call = this.record(layer, [current ?? this.tensor(null, null)], layer.site.span);
      model.calls.push(call);
      if (!model.layers.includes(layer)) model.layers.push(layer);
      current = call.outputs[0] ?? null;
    }
    model.outputs = current ? [current] : [];
  }
}
