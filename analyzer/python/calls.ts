/**
 * Call expressions: the arguments, evaluated in order into a CallSite, then the call itself, by
 * what the callee is: a qualified name (the runtime, a builtin, or the Keras API), a layer, a
 * method, a user function, or a model.
 */
import type { SyntaxNode } from '@lezer/common';
import type { Arg, CallSite } from '../graph';
import { callBuiltin } from './builtins';
import type { Context, Scope } from './context';
import { resolveKeras } from './keras';
import { UNKNOWN, type Span, type Value } from './values';

interface RawArg {
  keyword: string | null;
  star: '' | '*' | '**';
  node: SyntaxNode;
  span: Span;
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
  const args: Arg[] = raw.map((a, i) => ({
    keyword: a.star ? null : a.keyword,
    param: a.star ? null : a.keyword,
    value: a.star ? UNKNOWN : values[i]!,
    span: a.span,
    valueSpan: cx.span(a.node),
    ...(a.star ? { splat: true } : {}),
  }));
  const splat = raw.some((a) => a.star !== '');
  const site: CallSite = {
    span: cx.span(node),
    callee: cx.span(calleeNode),
    argList: argList ? cx.span(argList) : { from: node.to, to: node.to },
    args,
    splat,
  };
  switch (callee.kind) {
    case 'ref':
      return callPath(cx, callee.path, site);
    case 'layer':
      return cx.graph.applyLayer(callee.layer, site);
    case 'method':
      return callMethod(cx, callee.self, callee.name, site);
    case 'func': {
      const bound = new Map<string, Value>();
      const p = cx.pending.get(callee.fn);
      args.forEach((a, i) => {
        if (a.keyword) bound.set(a.keyword, a.value);
        else if (!splat && p?.params[i]) bound.set(p.params[i]!.name, a.value);
      });
      return cx.callFunction(callee.fn, bound);
    }
    case 'model':
      // A model used as a layer: its output is a tensor of unknown shape.
      cx.policy.unavailable('calling a model as a layer is not supported', site.span);
      return cx.graph.unknownTensor();
    default:
      cx.policy.unavailable(`\`${cx.src(calleeNode)}(...)\` cannot be called here`, site.span);
      return UNKNOWN;
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

/** A call of a qualified name: the runtime's first, then builtins, then the Keras API. */
function callPath(cx: Context, path: string, site: CallSite): Value {
  const hosted = cx.policy.call(path, site);
  if (hosted !== undefined) return hosted;
  if (path.startsWith('builtins.'))
    return callBuiltin(
      path.slice(9),
      site.args.map((x) => x.value),
    );
  const sym = resolveKeras(path);
  if (sym) return cx.graph.construct(sym, site, path);
  cx.policy.unavailable(`\`${path.replace(/^builtins\./, '')}(...)\` is not available`, site.span);
  return UNKNOWN;
}

/** `obj.method(...)`: the graph's own model methods, else the policy's. */
function callMethod(cx: Context, self: Value, method: string, site: CallSite): Value {
  if (self.kind !== 'model') {
    cx.policy.unavailable(`\`.${method}(...)\` is not available on this value`, site.span);
    return UNKNOWN;
  }
  const model = self.model;
  return (
    cx.graph.method(model, method, site) ??
    cx.policy.modelMethod(model, method, site, () => cx.graph.finish(model))
  );
}
