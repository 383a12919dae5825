/**
 * User functions: a `def` binds a function value whose body is analysed at each call, with its
 * parameters bound as Python binds them, and once more with its defaults if never called.
 */
import type { SyntaxNode } from '@lezer/common';
import { Scope, type Context, type PendingFunction } from './context';
import { asItems, NONE, UNKNOWN, type FunctionValue, type Value } from './values';

/** Control-flow signal for `return`. */
export class Returned {
  constructor(readonly value: Value) {}
}

/** `def name(params): ...`: binds the name; the body waits for a call. */
export function functionDefinition(cx: Context, node: SyntaxNode, scope: Scope): void {
  const nameNode = node.getChild('VariableName');
  const paramList = node.getChild('ParamList');
  if (!nameNode) return;
  const params: PendingFunction['params'] = [];
  if (paramList) {
    let current: PendingFunction['params'][number] | null = null;
    let afterEq = false;
    let star = false;
    for (let c = paramList.firstChild; c; c = c.nextSibling) {
      if (c.name === 'Comment') continue;
      if (c.name === 'VariableName' && !afterEq) {
        current = { name: cx.src(c), def: null, ...(star ? { star: true as const } : {}) };
        star = false;
        params.push(current);
      } else if (c.name === 'AssignOp') afterEq = true;
      else if (c.name === ',') {
        afterEq = false;
        current = null;
      } else if (afterEq && current) {
        current.def = cx.expr(c, scope);
        afterEq = false;
      } else if (c.name === '*' || c.name === '**') {
        // *args / **kwargs: the name that follows is bound to unknown (no default).
        star = true;
      }
    }
  }
  const fn: FunctionValue = { name: cx.src(nameNode), returns: UNKNOWN };
  cx.pending.set(fn, { fn, node, params, scope, state: 'pending' });
  scope.vars.set(fn.name, { kind: 'func', fn });
}

/**
 * Analyses a function body in its own scope, as Python runs it at each call: parameters bound
 * to the call's arguments, else to their defaults, else unknown. Recursion is unknown.
 */
export function callFunction(
  cx: Context,
  fn: FunctionValue,
  bound: Map<string, Value> | null,
  hidden?: ReadonlyMap<string, Value>,
): Value {
  const p = cx.pending.get(fn);
  if (!p) return fn.returns;
  if (p.state === 'running') return UNKNOWN;
  p.state = 'running';
  const local = new Scope(p.scope);
  // Names Python gives a method implicitly (`__class__` for super()), not parameters.
  for (const [k, v] of hidden ?? []) local.vars.set(k, v);
  for (const param of p.params) {
    const given = bound?.get(param.name);
    local.vars.set(param.name, given ?? param.def ?? UNKNOWN);
  }
  const body = p.node.getChild('Body');
  let result: Value = NONE;
  try {
    if (body) cx.block(body, local);
  } catch (e) {
    if (!(e instanceof Returned)) throw e;
    result = e.value;
  } finally {
    p.state = 'done';
  }
  // A closure it returns (`return build`) waits for its own call, as the caller will make it.
  for (const v of result.kind === 'func' ? [result] : (asItems(result) ?? [])) {
    const inner = v.kind === 'func' ? cx.pending.get(v.fn) : undefined;
    if (inner?.scope === local && inner.state === 'pending') inner.escaped = true;
  }
  flushFunctions(cx, local);
  fn.returns = result;
  return result;
}

/** Analyses, with their defaults, the functions of a scope that were never called. */
export function flushFunctions(cx: Context, scope: Scope): void {
  for (const p of [...cx.pending.values()]) {
    if (p.scope === scope && p.state === 'pending' && !p.escaped) callFunction(cx, p.fn, null);
  }
}

/** At the end of a text: the closures returned by calls but never called, with their defaults. */
export function flushEscaped(cx: Context): void {
  for (const p of [...cx.pending.values()]) {
    if (p.escaped && p.state === 'pending') callFunction(cx, p.fn, null);
  }
}
