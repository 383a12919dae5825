/**
 * Call expressions: the arguments, evaluated in order into a CallSite, then the call itself, by
 * what the callee is: a qualified name (the runtime, a builtin, or the Keras API), a layer, a
 * method, a user function, or a model.
 */
import type { SyntaxNode } from '@lezer/common';
import type { Arg, CallSite } from '../graph';
import { callBuiltin } from './builtins';
import { callBound, instanceMethod, instantiate, memberOf } from './classes';
import type { Context, Scope } from './context';
import { resolveKeras } from './keras';
import { isRnnlabPath, modelsIn } from './rnnlab';
import { equal, NONE, originOf, str, UNKNOWN, unknownFrom, type Span, type Value } from './values';

/** Longest source text an unknown value is labelled with (`encoder`, `tf.concat`...). */
const MAX_LABEL = 40;

/** Source text as a one-line label (a call's arguments as `...`), cut when long. */
export function labelOf(text: string): string {
  let one = text.replace(/\s+/g, ' ').trim();
  const call = /^([\w.]+)\((.*)\)$/.exec(one);
  if (call) one = `${call[1]}(${call[2] ? '...' : ''})`;
  return one.length > MAX_LABEL ? `${one.slice(0, MAX_LABEL - 3)}...` : one;
}

/** An unknown value labelled with the text it was written as (other values are unchanged). */
export function labelled(v: Value, text: string, span: Span): Value {
  if (v.kind !== 'unknown') return v;
  const reason = v.origin?.reason ?? 'a value the analyzer cannot follow';
  return { kind: 'unknown', origin: { label: labelOf(text), reason, span } };
}

interface RawArg {
  keyword: string | null;
  star: '' | '*' | '**';
  node: SyntaxNode;
  span: Span;
}

/** The arguments a known `*sequence` or `**{str: value}` stands for, or null. */
function spreadArgs(star: '*' | '**', value: Value, span: Span, valueSpan: Span): Arg[] | null {
  const common = { span, valueSpan, fromSplat: true as const };
  if (star === '*') {
    const items = value.kind === 'tuple' || value.kind === 'list' ? value.items : null;
    return items ? items.map((v) => ({ ...common, keyword: null, param: null, value: v })) : null;
  }
  if (value.kind !== 'dict' || !value.entries.every(([k]) => k.kind === 'str')) return null;
  return value.entries.map(([k, v]) => {
    const keyword = (k as { value: string }).value;
    return { ...common, keyword, param: keyword, value: v };
  });
}

/** The value of a CallExpression node. */
export function evaluateCall(cx: Context, node: SyntaxNode, scope: Scope): Value {
  const calleeNode = node.firstChild;
  const argList = node.getChild('ArgList');
  if (!calleeNode) return UNKNOWN;
  const callee = cx.expr(calleeNode, scope);
  const raw = rawArgs(cx, argList);
  // Arguments are evaluated first and in order, as Python does (inner layers get names first).
  const values = raw.map((a) => cx.expr(a.node, scope));
  const args: Arg[] = raw.flatMap((a, i) => {
    const value = values[i]!;
    const valueSpan = cx.span(a.node);
    if (a.star) {
      // A known `**{...}` / `*(...)` binds its items; anything else leaves its arguments unknown.
      const spread = spreadArgs(a.star, value, a.span, valueSpan);
      return (
        spread ?? [
          { keyword: null, param: null, value: UNKNOWN, span: a.span, valueSpan, splat: true },
        ]
      );
    }
    return [
      {
        keyword: a.keyword,
        param: a.keyword,
        value: labelled(value, cx.src(a.node), valueSpan),
        span: a.span,
        valueSpan,
      },
    ];
  });
  const splat = raw.some((a) => a.star !== '');
  const site: CallSite = {
    span: cx.span(node),
    callee: cx.span(calleeNode),
    argList: argList ? cx.span(argList) : { from: node.to, to: node.to },
    args,
    splat,
  };
  const label = labelOf(cx.src(calleeNode));
  switch (callee.kind) {
    case 'ref':
      return callPath(cx, callee.path, site, label);
    case 'layer':
      return cx.graph.applyLayer(callee.layer, site);
    case 'method':
      return callMethod(cx, callee.self, callee.name, site, label);
    case 'class': {
      // A plain class given tensors stands in the model as a layer it cannot see into.
      if (callee.cls.base || !cx.graph.takesTensors(site)) return instantiate(cx, callee.cls, site);
      const reason = `${callee.cls.name} is a class the analyzer does not follow`;
      return cx.graph.applyOpaque(label, { label, reason }, site);
    }
    case 'func': {
      if (callee.fn.bound) return callBound(cx, callee.fn, site);
      const bound = new Map<string, Value>();
      const p = cx.pending.get(callee.fn);
      args.forEach((a, i) => {
        if (a.keyword) bound.set(a.keyword, a.value);
        else if (!splat && p?.params[i] && !p.params[i]!.star)
          bound.set(p.params[i]!.name, a.value);
      });
      return cx.callFunction(callee.fn, bound);
    }
    case 'model':
      // A model used as a layer: one row with the model's weights and output shapes.
      cx.policy.unavailable('calling a model as a layer is not supported', site.span);
      // On data (an eager call), the model is built on shapes the analyzer does not see.
      if (!cx.graph.takesTensors(site)) return unknownFrom(label, `the output of ${label} on data`);
      return cx.graph.applyModel(callee.model, site);
    case 'object': {
      const call = memberOf(cx, callee, '__call__', label);
      if (call?.kind === 'func' && call.fn.bound) return callBound(cx, call.fn, site);
      if (cx.graph.takesTensors(site))
        return cx.graph.applyOpaque(
          label,
          { label, reason: `${callee.obj.cls.name} is a class the analyzer does not follow` },
          site,
        );
      return unknownFrom(label, `${label}(...) is not followed`);
    }
    default: {
      cx.policy.unavailable(`\`${cx.src(calleeNode)}(...)\` cannot be called here`, site.span);
      const origin = originOf(callee);
      // Something unknown called on tensors is a layer the analyzer cannot see into.
      if (cx.graph.takesTensors(site)) return cx.graph.applyOpaque(label, origin, site);
      return origin ? { kind: 'unknown', origin: { ...origin, label } } : UNKNOWN;
    }
  }
}

function rawArgs(cx: Context, argList: SyntaxNode | null): RawArg[] {
  const out: RawArg[] = [];
  if (!argList) return out;
  let keyword: SyntaxNode | null = null;
  let star: RawArg['star'] = '';
  let start = -1;
  for (let c = argList.firstChild; c; c = c.nextSibling) {
    const n = c.name;
    if (n === '(' || n === ')' || n === ',' || n === 'Comment') continue;
    if (n === '*' || n === '**') {
      star = n;
      start = c.from;
      continue;
    }
    if (n === 'VariableName' && c.nextSibling?.name === 'AssignOp') {
      keyword = c;
      continue;
    }
    if (n === 'AssignOp') continue;
    const from = keyword ? keyword.from : start >= 0 ? start : c.from;
    out.push({
      keyword: keyword ? cx.src(keyword) : null,
      star,
      node: c,
      span: { from, to: c.to },
    });
    keyword = null;
    star = '';
    start = -1;
  }
  return out;
}

/** `dict(key=value, ...)` and `dict(other_dict, key=value)`, when every argument is known. */
function dictCall(site: CallSite): Value {
  const entries: Array<[Value, Value]> = [];
  const put = (k: Value, v: Value) => {
    const i = entries.findIndex(
      ([e]) => e.kind === 'str' && k.kind === 'str' && e.value === k.value,
    );
    if (i >= 0) entries[i] = [k, v];
    else entries.push([k, v]);
  };
  for (const a of site.args) {
    if (a.splat) return UNKNOWN;
    if (a.keyword !== null) put(str(a.keyword), a.value);
    else if (a.value.kind === 'dict') for (const [k, v] of a.value.entries) put(k, v);
    else return UNKNOWN;
  }
  return { kind: 'dict', entries };
}

/** A call of a qualified name: the runtime's first, then builtins, then the Keras API. */
function callPath(cx: Context, path: string, site: CallSite, label: string): Value {
  if (isRnnlabPath(path)) for (const m of modelsIn(site)) cx.graph.finish(m);
  const hosted = cx.policy.call(path, site);
  if (hosted !== undefined) return hosted;
  if (path === 'builtins.dict') return dictCall(site);
  if (path.startsWith('builtins.'))
    return callBuiltin(
      path.slice(9),
      site.args.map((x) => x.value),
    );
  const sym = resolveKeras(path);
  if (sym) return cx.graph.construct(sym, site, path);
  cx.policy.unavailable(`\`${path.replace(/^builtins\./, '')}(...)\` is not available`, site.span);
  const reason = 'not a Keras layer the analyzer models';
  if (cx.graph.takesTensors(site)) return cx.graph.applyOpaque(label, { label, reason }, site);
  return unknownFrom(label, `${label}(...) is not followed`);
}

/** Python identity for the graph's objects, equality for plain values. */
function same(a: Value, b: Value): boolean | null {
  if (a.kind === 'layer' || a.kind === 'tensor' || a.kind === 'model') {
    if (a.kind !== b.kind) return false;
    const key = (v: Value) =>
      v.kind === 'layer'
        ? v.layer
        : v.kind === 'tensor'
          ? v.tensor
          : v.kind === 'model'
            ? v.model
            : v;
    return key(a) === key(b);
  }
  return equal(a, b);
}

/**
 * The methods of lists and dicts that a model's code uses to collect layers and tensors
 * (`branches.append(x)`): lists are changed in place, as Python does, so every name holding the
 * list sees the change. A change the evaluator cannot make leaves the contents unknown.
 */
function containerMethod(self: Value, method: string, site: CallSite, label: string): Value {
  const values = site.args.map((a) => a.value);
  const [first, second] = values;
  const lost = (what: string) =>
    unknownFrom(
      label,
      `${self.kind === 'dict' ? 'a dict' : 'a list'} changed by ${what}, which the analyzer does not follow`,
    );
  if (self.kind === 'dict') {
    if (method === 'get' && first) {
      const hit = self.entries.find(([k]) => equal(k, first) === true);
      return hit ? hit[1] : (second ?? NONE);
    }
    if (method === 'keys') return { kind: 'list', items: self.entries.map(([k]) => k) };
    if (method === 'values') return { kind: 'list', items: self.entries.map(([, v]) => v) };
    if (method === 'items')
      return {
        kind: 'list',
        items: self.entries.map(([k, v]) => ({ kind: 'tuple', items: [k, v] })),
      };
    if (method === 'update' || method === 'pop' || method === 'setdefault' || method === 'clear') {
      self.entries.splice(0, self.entries.length, [lost(`.${method}(...)`), UNKNOWN]);
    }
    return UNKNOWN;
  }
  if (self.kind !== 'list') return UNKNOWN;
  const items = self.items;
  switch (method) {
    case 'append':
      if (site.splat || values.length !== 1) break;
      items.push(first!);
      return NONE;
    case 'extend': {
      const more = first && (first.kind === 'list' || first.kind === 'tuple') ? first.items : null;
      if (!more || site.splat) break;
      items.push(...more);
      return NONE;
    }
    case 'insert': {
      const at = first?.kind === 'int' ? first.value : null;
      if (at === null || !second || site.splat) break;
      const i = at < 0 ? Math.max(0, items.length + at) : Math.min(at, items.length);
      items.splice(i, 0, second);
      return NONE;
    }
    case 'pop': {
      const at = first === undefined ? -1 : first.kind === 'int' ? first.value : null;
      if (at === null || items.length === 0) break;
      const i = at < 0 ? items.length + at : at;
      if (i < 0 || i >= items.length) break;
      return items.splice(i, 1)[0]!;
    }
    case 'remove': {
      const i = first ? items.findIndex((x) => same(x, first) === true) : -1;
      if (i < 0 || items.slice(0, i).some((x) => same(x, first!) === null)) break;
      items.splice(i, 1);
      return NONE;
    }
    case 'clear':
      items.length = 0;
      return NONE;
    case 'reverse':
      items.reverse();
      return NONE;
    case 'copy':
      return { kind: 'list', items: [...items] };
    case 'index':
    case 'count':
      return UNKNOWN;
    default:
      break;
  }
  // What the list holds now is unknown: one item that says why (a Sequential shows it as a row).
  items.splice(0, items.length, lost(`.${method}(...)`));
  return UNKNOWN;
}

/** `obj.method(...)`: the graph's own model methods, else the policy's. */
function callMethod(
  cx: Context,
  self: Value,
  method: string,
  site: CallSite,
  label: string,
): Value {
  if (self.kind === 'list' || self.kind === 'dict') {
    cx.policy.unavailable(`\`.${method}(...)\` is not available on this value`, site.span);
    return containerMethod(self, method, site, label);
  }
  const own = instanceMethod(cx, self, method, site);
  if (own !== undefined) return own;
  if (self.kind !== 'model') {
    cx.policy.unavailable(`\`.${method}(...)\` is not available on this value`, site.span);
    const reason =
      self.kind === 'layer' && self.layer.opaque
        ? `part of ${self.layer.name}, ${self.layer.opaque}`
        : `.${method}(...) is not followed`;
    if (cx.graph.takesTensors(site)) return cx.graph.applyOpaque(label, { label, reason }, site);
    return unknownFrom(label, reason);
  }
  const model = self.model;
  return (
    cx.graph.method(model, method, site) ??
    cx.policy.modelMethod(model, method, site, () => cx.graph.finish(model))
  );
}
