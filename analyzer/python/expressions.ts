/**
 * Expressions: literals, containers, operators, conditionals, attributes, subscripts and slices.
 * Each evaluates to a Value; what it cannot know is unknown, and the policy judges the rest
 * (comprehensions, lambdas, f-strings...).
 */
import type { SyntaxNode } from '@lezer/common';
import { evaluateCall, labelled, labelOf } from './calls';
import { memberOf, superMember } from './classes';
import { ELLIPSIS } from '../layers/operations';
import { Scope, type Context } from './context';
import { MAX_UNROLL } from './limits';
import { tensorValue } from './graph-builder';
import { parseNumber, parseString } from './literals';
import { lookupName } from './names';
import { exprChildren } from './nodes';
import { binary, compare, unary } from './operators';
import {
  asInt,
  asItems,
  bool,
  int,
  iterate,
  NONE,
  originOf,
  str,
  truthy,
  UNKNOWN,
  unknownFrom,
  type Value,
} from './values';

/** Why a layer reached through `model.layers` stays unknown. */
const FROM_MODEL_LAYERS = 'a layer taken from model.layers, which the analyzer does not follow';

/** The operators `compare` evaluates (the rest are arithmetic). */
const COMPARISONS = new Set(['<', '>', '<=', '>=', '==', '!=', 'in', 'not in', 'is', 'is not']);

/** The value of one expression node (unbounded: the context's `expr` adds the bounds). */
export function expression(cx: Context, node: SyntaxNode, scope: Scope): Value {
  switch (node.name) {
    case 'Number':
      return parseNumber(cx.src(node));
    case 'String':
      return parseString(cx.src(node));
    case 'ContinuedString': {
      let out = '';
      for (const s of node.getChildren('String')) {
        const v = parseString(cx.src(s));
        if (v.kind !== 'str') return UNKNOWN;
        out += v.value;
      }
      return str(out);
    }
    case 'Boolean':
      return bool(cx.src(node) === 'True');
    case 'None':
      return NONE;
    case 'VariableName':
      return lookupName(cx, cx.src(node), scope, node);
    case 'ParenthesizedExpression': {
      const inner = exprChildren(node);
      return inner.length === 1 ? cx.expr(inner[0]!, scope) : UNKNOWN;
    }
    case 'TupleExpression':
      return { kind: 'tuple', items: items(cx, node, scope) };
    case 'ArrayExpression':
      return { kind: 'list', items: items(cx, node, scope) };
    case 'DictionaryExpression':
      return dict(cx, node, scope);
    case 'MemberExpression':
      return member(cx, node, scope);
    case 'CallExpression':
      return evaluateCall(cx, node, scope);
    case 'BinaryExpression':
      return binaryExpression(cx, node, scope);
    case 'UnaryExpression': {
      const op = node.firstChild;
      const operand = node.lastChild;
      if (!op || !operand || op.from === operand.from) return UNKNOWN;
      return unary(cx.src(op), cx.expr(operand, scope));
    }
    case 'ArrayComprehensionExpression':
      return comprehension(cx, node, scope);
    case 'FormatString':
      return formatString(cx, node, scope);
    case 'ConditionalExpression': {
      // A if C else B
      const parts = exprChildren(node).filter((c) => c.name !== 'if' && c.name !== 'else');
      if (parts.length !== 3) return UNKNOWN;
      const cond = truthy(cx.expr(parts[1]!, scope));
      if (cond === null) {
        cx.expr(parts[0]!, scope);
        cx.expr(parts[2]!, scope);
        return UNKNOWN;
      }
      return cx.expr(cond ? parts[0]! : parts[2]!, scope);
    }
    default:
      // Comprehensions, lambdas, f-strings, sets, awaits...: unknown, never an error.
      cx.policy.unsupported(
        `\`${node.name.replace(/Expression$/, '').toLowerCase() || node.name}\``,
        node,
        cx.text,
      );
      return UNKNOWN;
  }
}

function items(cx: Context, node: SyntaxNode, scope: Scope): Value[] {
  const out: Value[] = [];
  for (const c of exprChildren(node)) {
    if (c.name === 'ComprehensionExpression') return [UNKNOWN];
    const value = labelled(cx.expr(c, scope), cx.src(c), cx.span(c));
    if (c.prevSibling?.name === '*') {
      // `[*stack, Dense(1)]`: the items of a known sequence, else one unknown item.
      const spread = iterate(value);
      if (spread) out.push(...spread);
      else out.push(value);
      continue;
    }
    // An unknown item keeps its text: in a Sequential list it is a layer of its own.
    out.push(value);
  }
  return out;
}

/** A clause of a comprehension: `for TARGETS in ITER` or `if COND`. */
type Clause =
  { kind: 'for'; targets: SyntaxNode[]; iter: SyntaxNode } | { kind: 'if'; cond: SyntaxNode };

/**
 * `[ELEMENT for T in ITER if COND ...]`, unrolled as a loop over known items (in a scope of its
 * own, as Python 3 keeps the targets inside); unknown when an iterable or a condition is.
 */
function comprehension(cx: Context, node: SyntaxNode, scope: Scope): Value {
  const parts = exprChildren(node);
  const element = parts[0];
  if (!element) return UNKNOWN;
  const clauses: Clause[] = [];
  for (let i = 1; i < parts.length; i++) {
    const c = parts[i]!;
    if (c.name === 'for') {
      const targets: SyntaxNode[] = [];
      for (i++; i < parts.length && parts[i]!.name !== 'in'; i++) targets.push(parts[i]!);
      const iter = parts[i + 1];
      if (!iter || targets.length === 0) return UNKNOWN;
      clauses.push({ kind: 'for', targets, iter });
      i++;
    } else if (c.name === 'if') {
      const cond = parts[i + 1];
      if (!cond) return UNKNOWN;
      clauses.push({ kind: 'if', cond });
      i++;
    } else return UNKNOWN;
  }
  const label = labelOf(cx.src(node));
  const out: Value[] = [];
  let why = null as string | null;
  const inner = new Scope(scope);
  const run = (k: number): void => {
    if (why) return;
    const clause = clauses[k];
    if (!clause) {
      out.push(cx.expr(element, inner));
      if (out.length > MAX_UNROLL) why = `it makes more than ${MAX_UNROLL} items`;
      return;
    }
    if (clause.kind === 'if') {
      const t = truthy(cx.expr(clause.cond, inner));
      if (t === null) why = 'it has a condition the analyzer cannot decide';
      else if (t) run(k + 1);
      return;
    }
    const list = iterate(cx.expr(clause.iter, inner));
    if (!list) {
      why = 'it loops over values the analyzer cannot follow';
      return;
    }
    for (const item of list) {
      if (why || cx.stepsLeft <= 0) return;
      cx.bindFor(clause.targets, item, inner);
      run(k + 1);
    }
  };
  run(0);
  if (!why) return { kind: 'list', items: out };
  // The playground refuses what it cannot run; the editor keeps it unknown.
  cx.policy.unsupported(`a comprehension that ${why.replace(/^it /, '')}`, node, cx.text);
  return unknownFrom(label, `a comprehension: ${why}`);
}

/** `f"lstm_{i}"`: known when every replacement field is (format specs of ints and strs only). */
function formatString(cx: Context, node: SyntaxNode, scope: Scope): Value {
  const text = cx.src(node);
  const prefix = /^[a-zA-Z]*/.exec(text)![0];
  const quote = /^('''|"""|'|")/.exec(text.slice(prefix.length))?.[0];
  if (!quote || /b/i.test(prefix)) return UNKNOWN;
  const bodyFrom = node.from + prefix.length + quote.length;
  const bodyTo = node.to - quote.length;
  let out = '';
  let at = bodyFrom;
  for (const field of node.getChildren('FormatReplacement')) {
    out += cx.text.slice(at, field.from);
    const expr = exprChildren(field).find((c) => c.name !== 'FormatSpec');
    const spec = field.getChild('FormatSpec');
    if (!expr || field.getChild('FormatConversion')) return UNKNOWN;
    const v = cx.expr(expr, scope);
    const formatted = formatField(v, spec ? cx.src(spec).slice(1) : '');
    if (formatted === null) return UNKNOWN;
    out += formatted;
    at = field.to;
  }
  out += cx.text.slice(at, bodyTo);
  if (/[{}\\]/.test(out.replace(/\{\{|\}\}/g, ''))) return UNKNOWN;
  return str(out.replace(/\{\{/g, '{').replace(/\}\}/g, '}'));
}

/** A value in an f-string field: str and int (with a zero-padded width such as `02d`), else null. */
function formatField(v: Value, spec: string): string | null {
  if (v.kind === 'str' && spec === '') return v.value;
  if (v.kind === 'int' || v.kind === 'bool') {
    const n = v.kind === 'bool' ? Number(v.value) : v.value;
    if (spec === '' || spec === 'd') return String(n);
    const m = /^(0?)(\d+)d?$/.exec(spec);
    if (m) return String(n).padStart(Number(m[2]), m[1] ? '0' : ' ');
  }
  return null;
}

function dict(cx: Context, node: SyntaxNode, scope: Scope): Value {
  const parts = exprChildren(node);
  const entries: Array<[Value, Value]> = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    entries.push([cx.expr(parts[i]!, scope), cx.expr(parts[i + 1]!, scope)]);
  }
  return parts.length % 2 === 0 ? { kind: 'dict', entries } : UNKNOWN;
}

function binaryExpression(cx: Context, node: SyntaxNode, scope: Scope): Value {
  const left = node.firstChild;
  const right = node.lastChild;
  if (!left || !right || left.from === right.from) return UNKNOWN;
  // The operator is everything between the operands (`not in`, `is not` are two tokens).
  const tokens: string[] = [];
  for (let c = left.nextSibling; c && c.from < right.from; c = c.nextSibling) {
    if (c.name !== 'Comment') tokens.push(cx.src(c));
  }
  const op = tokens.join(' ');
  const a = cx.expr(left, scope);
  if (op === 'and' || op === 'or') {
    const t = truthy(a);
    if (t === null) {
      cx.expr(right, scope);
      return UNKNOWN;
    }
    if (op === 'and') return t ? cx.expr(right, scope) : a;
    return t ? a : cx.expr(right, scope);
  }
  const b = cx.expr(right, scope);
  if (COMPARISONS.has(op)) return compare(op, a, b);
  const out = binary(op, a, b);
  // `[Input(...)] + stack` with an unknown `stack`: unknown for the reason `stack` is.
  if (out.kind === 'unknown' && !out.origin) {
    const origin = originOf(b) ?? originOf(a);
    if (origin) return { kind: 'unknown', origin };
  }
  return out;
}

/** `obj.name` and `obj[index]` (attributes of runtime values come from the policy). */
function member(cx: Context, node: SyntaxNode, scope: Scope): Value {
  const obj = node.firstChild;
  if (!obj) return UNKNOWN;
  // `1.` is a float in Python; lezer reads a member access without a name.
  if (trailingDotNumber(cx.src(node))) return parseNumber(cx.src(node));
  const second = obj.nextSibling;
  if (second?.name === '[') {
    const index = second.nextSibling;
    const target = cx.expr(obj, scope);
    if (target.kind === 'host')
      cx.policy.unavailable(`indexing ${target.tag} values is not supported`, cx.span(node));
    if (!index || index.name === ']') return UNKNOWN;
    if (target.kind === 'tensor')
      return cx.graph.getItem(target.tensor, subscriptKey(cx, node, scope), cx.span(node));
    if (index.nextSibling?.name === ':' || index.name === ':')
      return slice(cx, node, target, scope);
    const item = subscript(target, cx.expr(index, scope));
    if (item.kind !== 'unknown' || item.origin) return item;
    // What an unknown item was taken from says why it is unknown.
    const label = labelOf(cx.src(node));
    if (target.kind === 'method' && target.name === 'layers') {
      const owner = target.self;
      return unknownFrom(
        label,
        owner.kind === 'layer' && owner.layer.opaque
          ? `a layer of ${owner.layer.name}, ${owner.layer.opaque}`
          : FROM_MODEL_LAYERS,
      );
    }
    const origin = originOf(target);
    return origin ? { kind: 'unknown', origin: { ...origin, label } } : item;
  }
  const prop = node.lastChild;
  if (!prop || prop.name !== 'PropertyName') return UNKNOWN;
  const name = cx.src(prop);
  // `super().__init__(...)` in a method of a class of the text.
  if (obj.name === 'CallExpression' && cx.src(obj.firstChild!) === 'super')
    return superMember(scope, name);
  const target = cx.expr(obj, scope);
  const own = memberOf(cx, target, name, labelOf(cx.src(node)));
  if (own !== undefined) return own;
  switch (target.kind) {
    case 'ref':
      return { kind: 'ref', path: `${target.path}.${name}` };
    case 'tensor':
      if (name === 'shape' && target.tensor.shape) {
        return {
          kind: 'tuple',
          items: target.tensor.shape.map((d) => (d === null ? UNKNOWN : int(d))),
        };
      }
      return UNKNOWN;
    case 'model':
      if (name === 'input' && target.model.inputs.length === 1)
        return tensorValue(target.model.inputs[0]!);
      if (name === 'output' && target.model.outputs.length === 1)
        return tensorValue(target.model.outputs[0]!);
      // `Model(inputs=base.inputs, ...)`: the list of its input (output) tensors.
      if ((name === 'inputs' && target.model.inputs.length > 0) || name === 'outputs') {
        const tensors = name === 'inputs' ? target.model.inputs : target.model.outputs;
        if (tensors.length > 0) return { kind: 'list', items: tensors.map(tensorValue) };
      }
      return { kind: 'method', self: target, name };
    case 'layer':
      if (name === 'input' || name === 'output') return cx.graph.layerTensor(target.layer, name);
      if (name === 'inputs' || name === 'outputs') {
        const one = cx.graph.layerTensor(target.layer, name === 'inputs' ? 'input' : 'output');
        return one.kind === 'tensor' ? { kind: 'list', items: [one] } : one;
      }
      return { kind: 'method', self: target, name };
    case 'host': {
      const v = cx.policy.member(target, name);
      if (v !== undefined) return v;
      return { kind: 'method', self: target, name };
    }
    case 'list':
    case 'dict':
      // `pools.append(...)` and the like: the call decides (containerMethod in calls.ts).
      return { kind: 'method', self: target, name };
    default: {
      cx.policy.unavailable(`\`.${name}\` is not available on this value`, cx.span(node));
      // `encoder.output`, `base.layers`: unknown for the same reason as what they belong to.
      const origin = originOf(target);
      return origin
        ? { kind: 'unknown', origin: { ...origin, label: labelOf(cx.src(node)) } }
        : UNKNOWN;
    }
  }
}

/**
 * The key of `x[...]` as Python passes it to `__getitem__`: one item, or a tuple of them where
 * commas separate several; `a:b:c` items are slices, `...` is Ellipsis.
 */
function subscriptKey(cx: Context, node: SyntaxNode, scope: Scope): Value {
  const parts: Array<Array<SyntaxNode | ':'>> = [[]];
  let c = node.firstChild?.nextSibling?.nextSibling ?? null;
  for (; c && c.name !== ']'; c = c.nextSibling) {
    if (c.name === ',') parts.push([]);
    else if (c.name !== 'Comment') parts[parts.length - 1]!.push(c.name === ':' ? ':' : c);
  }
  const tuple = parts.length > 1;
  if (tuple && parts[parts.length - 1]!.length === 0) parts.pop(); // `x[0,]`
  const items = parts.map((part): Value => {
    if (!part.includes(':')) {
      const only = part[0];
      if (!only || only === ':' || part.length !== 1) return UNKNOWN;
      return only.name === 'Ellipsis' ? ELLIPSIS : cx.expr(only, scope);
    }
    const bounds: Value[] = [NONE, NONE, NONE];
    let k = 0;
    for (const x of part) {
      if (x === ':') k++;
      else if (k < 3) bounds[k] = cx.expr(x, scope);
    }
    if (k > 2) return UNKNOWN;
    return { kind: 'slice', start: bounds[0]!, stop: bounds[1]!, step: bounds[2]! };
  });
  return tuple ? { kind: 'tuple', items } : items[0]!;
}

function slice(cx: Context, node: SyntaxNode, target: Value, scope: Scope): Value {
  // x[a:b] (a step is not followed)
  const inside: Array<SyntaxNode | ':'> = [];
  let c = node.firstChild?.nextSibling?.nextSibling ?? null;
  for (; c && c.name !== ']'; c = c.nextSibling) inside.push(c.name === ':' ? ':' : c);
  const colons = inside.filter((x) => x === ':').length;
  if (colons !== 1) return UNKNOWN;
  const colon = inside.indexOf(':');
  const startNode = inside[colon - 1];
  const endNode = inside[colon + 1];
  const start = startNode && startNode !== ':' ? asInt(cx.expr(startNode, scope)) : 0;
  const end = endNode && endNode !== ':' ? asInt(cx.expr(endNode, scope)) : undefined;
  if (start === null || end === null) return UNKNOWN;
  if (target.kind === 'str') return str(target.value.slice(start, end));
  const items = asItems(target);
  if (!items || (target.kind !== 'tuple' && target.kind !== 'list')) return UNKNOWN;
  return { kind: target.kind, items: items.slice(start, end) };
}

/** `target[index]` on known containers and strings (negative indices count from the end). */
export function subscript(target: Value, index: Value): Value {
  if (target.kind === 'dict') {
    for (const [k, v] of target.entries) {
      if (
        k.kind === index.kind &&
        (k as { value?: unknown }).value === (index as { value?: unknown }).value
      )
        return v;
    }
    return UNKNOWN;
  }
  const i = asInt(index);
  if (i === null) return UNKNOWN;
  if (target.kind === 'str') {
    const ch = target.value.at(i);
    return ch === undefined ? UNKNOWN : str(ch);
  }
  const items = asItems(target);
  if (!items) return UNKNOWN;
  return items.at(i) ?? UNKNOWN;
}

/** `1.` or `2_0.`: an int literal then a dot, which Python reads as a float. */
export function trailingDotNumber(text: string): boolean {
  return /^\d[\d_]*\.$/.test(text);
}
