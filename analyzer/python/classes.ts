/**
 * Classes of the text: a class body's methods and attributes, instances with their attributes,
 * methods run with `self` bound (and `super()`), and Keras subclasses. An instance of a
 * `keras.Model` subclass is a model whose layers are those its attributes hold (in the order they
 * were first assigned, as Keras tracks them) and whose graph is its `call` followed on a symbolic
 * input: the shape given to `model.build(...)`, the tensors it is called on, or (when it only
 * ever sees data) an input of unknown shape. A `keras.layers.Layer` subclass stays a layer the
 * analyzer cannot see into, but its `__init__` runs (its sublayers take their Keras names).
 */
import type { SyntaxNode } from '@lezer/common';
import type { Arg, CallSite, ModelNode, Shape, Tensor } from '../graph';
import { toDims } from '../layers/types';
import { Scope, type Context } from './context';
import { callFunction, Returned } from './functions';
import { tensorValue } from './graph-builder';
import { kerasTail, resolveKeras } from './keras';
import { exprChildren } from './nodes';
import {
  asItems,
  asString,
  NONE,
  UNKNOWN,
  unknownFrom,
  type ClassValue,
  type FunctionValue,
  type ObjectValue,
  type Value,
} from './values';

/** How deep inherited members and nested attribute containers are searched. */
const MAX_CLASS_DEPTH = 8;

/** One instance of a class of the text. */
interface Instance {
  cls: ClassValue;
  self: Value;
  attrs: Map<string, Value>;
  /** The model of a `keras.Model` subclass instance. */
  model: ModelNode | null;
  /** Methods run for it so far (those never run are analysed once at the end). */
  ran: Set<string>;
  /** How it makes weights of its own (`add_weight`), which none of its layers holds. */
  ownWeights?: string;
}

/** What one evaluation knows of its classes: instances by what stands for them, in order. */
interface ClassState {
  byKey: Map<object, Instance>;
  instances: Instance[];
  classes: ClassValue[];
  instantiated: Set<ClassValue>;
}

const STATES = new WeakMap<object, ClassState>();

function state(cx: Context): ClassState {
  let s = STATES.get(cx.graph);
  if (!s) {
    s = { byKey: new Map(), instances: [], classes: [], instantiated: new Set() };
    STATES.set(cx.graph, s);
  }
  return s;
}

/** The object identifying a value's instance: the model, the layer, or the plain object. */
function keyOf(v: Value): object | null {
  if (v.kind === 'model') return v.model;
  if (v.kind === 'layer') return v.layer;
  if (v.kind === 'object') return v.obj;
  return null;
}

function instanceOf(cx: Context, v: Value): Instance | null {
  const key = keyOf(v);
  return key ? (state(cx).byKey.get(key) ?? null) : null;
}

/** Whether a qualified name is a Keras layer (`keras.layers.Layer`, `LSTM`...) or model class. */
function kerasBase(path: string): ClassValue['base'] {
  const tail = kerasTail(path);
  if (tail === null) return null;
  if (/^(models\.)?(Model|Sequential|Functional)$|(^|\.)training\.Model$/.test(tail))
    return 'model';
  if (/(^|\.)(Layer|Wrapper)$/.test(tail)) return 'layer';
  return resolveKeras(path)?.kind === 'layer' ? 'layer' : null;
}

/**
 * `class Name(Bases): ...`: the body runs in a scope of its own (its `def`s become the methods,
 * its assignments class attributes); what the bases say is kept, so that an instance of a Keras
 * layer or model subclass stands in a model as a layer or a model of its own.
 */
export function classDefinition(cx: Context, node: SyntaxNode, scope: Scope): void {
  const name = node.getChild('VariableName');
  if (!name) return;
  const bases = node.getChild('ArgList');
  let base: ClassValue['base'] = null;
  const parents: ClassValue[] = [];
  for (const b of bases ? exprChildren(bases) : []) {
    if (b.name === 'VariableName' && b.nextSibling?.name === 'AssignOp') break; // metaclass=...
    const v = cx.expr(b, scope);
    if (v.kind === 'class') parents.push(v.cls);
    const kind = v.kind === 'class' ? v.cls.base : v.kind === 'ref' ? kerasBase(v.path) : null;
    if (kind === 'model' || (kind === 'layer' && base === null)) base = kind;
  }
  const classScope = new Scope(scope);
  const cls: ClassValue = { name: cx.src(name), base, members: classScope.vars, parents };
  scope.vars.set(cls.name, { kind: 'class', cls });
  state(cx).classes.push(cls);
  const body = node.getChild('Body');
  if (!body) return;
  try {
    cx.block(body, classScope);
  } catch (e) {
    // `return` in a class body is a syntax error Python reports; the class keeps what it has.
    if (!(e instanceof Returned)) throw e;
  }
}

/** A member of a class or of the classes it derives from (depth-first, as single inheritance). */
function findMember(
  cls: ClassValue,
  name: string,
  depth = 0,
): { value: Value; owner: ClassValue } | null {
  const own = cls.members?.get(name);
  if (own !== undefined) return { value: own, owner: cls };
  if (depth >= MAX_CLASS_DEPTH) return null;
  for (const p of cls.parents ?? []) {
    const hit = findMember(p, name, depth + 1);
    if (hit) return hit;
  }
  return null;
}

/** A method bound to an instance, as `self.name` gives it. */
function boundMethod(fn: FunctionValue, self: Value, owner: ClassValue): Value {
  return { kind: 'func', fn: { name: fn.name, returns: UNKNOWN, bound: { fn, self, owner } } };
}

/** Runs a function of a class with `self` bound and the call's arguments bound by its parameters. */
function runMethod(
  cx: Context,
  fn: FunctionValue,
  self: Value | null,
  owner: ClassValue,
  site: Pick<CallSite, 'args' | 'splat'>,
): Value {
  const p = cx.pending.get(fn);
  if (!p) return fn.returns;
  const bound = new Map<string, Value>();
  const params = p.params.filter((x) => !x.star);
  let next = 0;
  if (self && params[0]) bound.set(params[next++]!.name, self);
  let shifted = false;
  for (const a of site.args) {
    if (a.splat) {
      shifted = true;
      continue;
    }
    if (a.keyword) bound.set(a.keyword, a.value);
    else if (!shifted && params[next]) bound.set(params[next++]!.name, a.value);
  }
  const hidden = new Map<string, Value>([['__class__', { kind: 'class', cls: owner }]]);
  if (self) hidden.set('__self__', self);
  const inst = self ? instanceOf(cx, self) : null;
  inst?.ran.add(fn.name);
  return callFunction(cx, fn, bound, hidden);
}

/** `Cls(...)`: an instance, its `__init__` run (a Keras model subclass becomes a model). */
export function instantiate(cx: Context, cls: ClassValue, site: CallSite): Value {
  const s = state(cx);
  s.instantiated.add(cls);
  let self: Value;
  let model: ModelNode | null = null;
  if (cls.base === 'model') {
    model = cx.graph.subclassedModel(cls.name, site);
    self = { kind: 'model', model };
  } else if (cls.base === 'layer') {
    self = cx.graph.constructCustom(cls, site, cls.name);
  } else {
    const obj: ObjectValue = { cls, attrs: new Map() };
    self = { kind: 'object', obj };
  }
  const inst: Instance = { cls, self, attrs: new Map(), model, ran: new Set() };
  if (self.kind === 'object') inst.attrs = self.obj.attrs;
  s.byKey.set(keyOf(self)!, inst);
  s.instances.push(inst);
  const init = findMember(cls, '__init__');
  if (init?.value.kind === 'func') runMethod(cx, init.value.fn, self, init.owner, site);
  return self;
}

/** `obj.name` on an instance of a class of the text, or on a class; undefined where not one. */
export function memberOf(
  cx: Context,
  target: Value,
  name: string,
  label: string,
): Value | undefined {
  if (target.kind === 'class') {
    const hit = findMember(target.cls, name);
    return hit
      ? hit.value
      : unknownFrom(label, `${target.cls.name} has no ${name} the analyzer follows`);
  }
  const inst = instanceOf(cx, target);
  if (!inst) return undefined;
  const attr = inst.attrs.get(name);
  if (attr !== undefined) return attr;
  // A model's `build` also follows its `call` (instanceMethod), whether or not the class has one.
  if (inst.model && name === 'build') return { kind: 'method', self: target, name };
  const hit = findMember(inst.cls, name);
  if (hit)
    return hit.value.kind === 'func' ? boundMethod(hit.value.fn, target, hit.owner) : hit.value;
  if (target.kind === 'object')
    return unknownFrom(label, `an attribute of ${inst.cls.name} that is never assigned`);
  return undefined;
}

/** `super().name` inside a method: the next class's member, or Keras's own method. */
export function superMember(scope: Scope, name: string): Value {
  const self = scope.lookup('__self__');
  const owner = scope.lookup('__class__');
  if (!self || owner?.kind !== 'class') return UNKNOWN;
  for (const p of owner.cls.parents ?? []) {
    const hit = findMember(p, name);
    if (hit?.value.kind === 'func') return boundMethod(hit.value.fn, self, hit.owner);
  }
  // Keras's own Layer/Model method (`super().__init__(**kwargs)`, `super().build(shape)`).
  return { kind: 'method', self, name: `super.${name}` };
}

/** `self.name = value` on an instance: kept in its attributes (Keras tracks the layers). */
export function setAttribute(cx: Context, owner: Value, name: string, value: Value): boolean {
  const inst = instanceOf(cx, owner);
  if (!inst) return false;
  inst.attrs.set(name, value);
  const label = value.kind === 'unknown' ? (value.origin?.label ?? '') : '';
  if (/^(tf|tensorflow|keras)\.Variable(\(|$)/.test(label)) ownWeight(inst, `${label}(...)`);
  return true;
}

/** The instance makes a weight of its own: a model's rows do not hold it, so its total is unknown. */
function ownWeight(inst: Instance, how: string): void {
  inst.ownWeights ??= how;
  if (inst.model?.subclass) inst.model.subclass.ownWeights ??= how;
}

/**
 * A method of an instance of a class of the text (`model.build(...)`, `super().__init__(...)`,
 * a method its class defines); undefined for the methods the caller handles.
 */
export function instanceMethod(
  cx: Context,
  self: Value,
  method: string,
  site: CallSite,
): Value | undefined {
  const inst = instanceOf(cx, self);
  if (!inst) return undefined;
  if (method === 'super.__init__') {
    // `super().__init__(name="encoder")` names the model or layer.
    const name = asString(site.args.find((a) => a.keyword === 'name')?.value);
    if (name && inst.model) inst.model.name = name;
    if (name && self.kind === 'layer') self.layer.name = name;
    return NONE;
  }
  if (method.startsWith('super.')) return method === 'super.build' ? NONE : UNKNOWN;
  if (method === 'add_weight' || method === 'add_variable') {
    ownWeight(inst, `self.${method}(...)`);
    return UNKNOWN;
  }
  if (inst.model && method === 'build') {
    // Keras runs the class's own build(), if any; the graph comes from following `call`.
    const own = findMember(inst.cls, 'build');
    if (own?.value.kind === 'func') runMethod(cx, own.value.fn, self, own.owner, site);
    const shape = site.args.find((a) => a.keyword === null || a.keyword === 'input_shape');
    if (shape && !inst.model.subclass) {
      const inputs = shapesOf(shape.value).map((s) => cx.graph.traceInput(s));
      trace(cx, inst, inputs, 'build');
    }
    return NONE;
  }
  const hit = findMember(inst.cls, method);
  if (hit?.value.kind === 'func') return runMethod(cx, hit.value.fn, self, hit.owner, site);
  return undefined;
}

/** A bound method called (`self.encode(x)`). */
export function callBound(cx: Context, fn: FunctionValue, site: CallSite): Value {
  const b = fn.bound!;
  return runMethod(cx, b.fn, b.self, b.owner, site);
}

/** The input shapes `build(...)` is given: one shape, or a list of them. */
function shapesOf(v: Value): Array<Shape | null> {
  const items = asItems(v);
  if (items && items.length > 0 && items.every((x) => asItems(x) !== null))
    return items.map((x) => toDims(x));
  return [toDims(v)];
}

/**
 * Follows `call` on these input tensors, recording the layer calls it makes. The first time
 * (the one Keras builds on), they become the model's graph. Returns the outputs.
 */
function trace(
  cx: Context,
  inst: Instance,
  inputs: Tensor[],
  builtBy: NonNullable<ModelNode['subclass']>['builtBy'],
  given?: readonly Arg[],
): Tensor[] | null {
  const model = inst.model!;
  const call = findMember(inst.cls, 'call');
  if (call?.value.kind !== 'func') return null;
  const arg: Value =
    inputs.length === 1
      ? tensorValue(inputs[0]!)
      : { kind: 'list', items: inputs.map(tensorValue) };
  const span = model.site.span;
  const args = given ?? [{ keyword: null, param: null, value: arg, span, valueSpan: span }];
  cx.graph.beginTrace();
  let result: Value = UNKNOWN;
  try {
    result = runMethod(cx, call.value.fn, inst.self, call.owner, { args: [...args], splat: false });
  } finally {
    const recorded = cx.graph.endTrace();
    if (!model.subclass) {
      model.inputs = inputs;
      model.outputs = tensorsIn(result);
      model.calls = recorded.calls;
      model.inputSource = builtBy === 'build' ? 'build' : builtBy === 'tensors' ? 'Input' : null;
      const ownBuild = findMember(inst.cls, 'build')?.value.kind === 'func';
      model.subclass = {
        className: inst.cls.name,
        builtBy,
        ownBuild,
        incomplete: recorded.incomplete,
        ...(inst.ownWeights ? { ownWeights: inst.ownWeights } : {}),
      };
    }
  }
  return tensorsIn(result);
}

/** The tensors a `call` returned (one, a tuple or list of them, or a dict's values). */
function tensorsIn(v: Value, depth = 0): Tensor[] {
  if (v.kind === 'tensor') return [v.tensor];
  if (depth >= MAX_CLASS_DEPTH) return [];
  const items = asItems(v) ?? (v.kind === 'dict' ? v.entries.map(([, x]) => x) : null);
  return items ? items.flatMap((x) => tensorsIn(x, depth + 1)) : [];
}

/** The graph builder's hook: a subclassed model applied to tensors, its `call` followed on copies. */
export function runSubclass(
  cx: Context,
  model: ModelNode,
  inputs: Tensor[],
  args: readonly Arg[] | null,
): Tensor[] | null {
  const inst = state(cx).byKey.get(model);
  if (!inst) return null;
  const copies = new Map(inputs.map((t) => [t, cx.graph.traceInput(t.shape, t.lastDim)]));
  // The call's own arguments, their tensors replaced by the copies `call` is followed on.
  const copy = (v: Value): Value => {
    if (v.kind === 'tensor') return tensorValue(copies.get(v.tensor) ?? v.tensor);
    const items = asItems(v);
    return items && (v.kind === 'list' || v.kind === 'tuple')
      ? { kind: v.kind, items: items.map(copy) }
      : v;
  };
  const given = args?.filter((a) => !a.splat).map((a) => ({ ...a, value: copy(a.value) }));
  return trace(cx, inst, [...copies.values()], 'tensors', given);
}

/** The layers an instance's attributes hold, in the order the attributes were first assigned. */
function trackedLayers(cx: Context, inst: Instance): ModelNode['layers'] {
  const out: ModelNode['layers'] = [];
  const visit = (v: Value, depth: number) => {
    if (depth > MAX_CLASS_DEPTH) return;
    const layer =
      v.kind === 'layer' ? v.layer : v.kind === 'model' ? cx.graph.modelLayer(v.model) : null;
    if (layer) {
      if (!out.includes(layer)) out.push(layer);
      return;
    }
    const items = asItems(v) ?? (v.kind === 'dict' ? v.entries.map(([, x]) => x) : null);
    for (const x of items ?? []) visit(x, depth + 1);
  };
  for (const v of inst.attrs.values()) visit(v, 0);
  return out;
}

/**
 * At the end of a text: classes never instantiated get one instance (their `__init__` with its
 * defaults, latest-defined first, as the outermost class usually comes last), methods never
 * called run once, and each subclassed model that was never built on tensors is followed on an
 * input of unknown shape (Keras builds it on the data it is fitted on). Then each subclassed
 * model gets the layers its attributes hold.
 */
export function finishClasses(cx: Context): void {
  const s = state(cx);
  for (const cls of [...s.classes].reverse()) {
    if (s.instantiated.has(cls) || cls.base === 'layer') continue;
    if (!findMember(cls, '__init__') && !hasMethods(cls)) continue;
    instantiate(cx, cls, {
      span: { from: 0, to: 0 },
      callee: { from: 0, to: 0 },
      argList: { from: 0, to: 0 },
      args: [],
      splat: false,
    });
  }
  for (let i = 0; i < s.instances.length; i++) {
    const inst = s.instances[i]!;
    if (inst.cls.base === null) {
      for (const [name, v] of inst.cls.members ?? []) {
        if (v.kind !== 'func' || name.startsWith('__') || inst.ran.has(name)) continue;
        if (cx.stepsLeft <= 0) break;
        runMethod(cx, v.fn, inst.self, inst.cls, { args: [], splat: false });
      }
    }
    if (inst.model && !inst.model.subclass) trace(cx, inst, [cx.graph.traceInput(null)], 'data');
  }
  for (const inst of s.instances) if (inst.model) inst.model.layers = trackedLayers(cx, inst);
}

function hasMethods(cls: ClassValue): boolean {
  for (const v of cls.members?.values() ?? []) if (v.kind === 'func') return true;
  return false;
}
