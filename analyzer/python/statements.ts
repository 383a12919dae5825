/**
 * Statements and control flow: assignments and unpacking, `for` loops unrolled over known
 * items, `if` on known conditions, `with`, `try`, `return`, and blocks that may or may not run
 * (whatever they assign becomes unknown). The policy judges the statements outside the subset.
 */
import type { SyntaxNode } from '@lezer/common';
import type { Context, Scope } from './context';
import { classDefinition, setAttribute } from './classes';
import { functionDefinition, Returned } from './functions';
import { MAX_UNROLL } from './limits';
import { importStatement } from './names';
import { exprChildren, firstExpr } from './nodes';
import { binary } from './operators';
import { asItems, equal, iterate, NONE, truthy, UNKNOWN, type Value } from './values';

/** A `for` loop the evaluator cannot unroll, as the policy is told. */
const OPAQUE_LOOP = `a \`for\` loop that is not over range() or a list of at most ${MAX_UNROLL} known items (or that uses break/continue)`;
/** An `if` whose branch is unknown, as the policy is told. */
const UNKNOWN_CONDITION = 'an `if` whose condition is not a known constant';
/** Why a model is opaque when layers are added in such a loop or `if`. */
const OPAQUE_LOOP_ADD = 'layers are added in a loop the analyzer cannot unroll';
const UNKNOWN_CONDITION_ADD = 'layers are added under an `if` whose condition is unknown';
const TRY_EXCEPT_ADD = 'layers are added in an `except` block, which may or may not run';

/** Runs the statements under a Script or Body node. */
export function block(cx: Context, node: SyntaxNode, scope: Scope): void {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    statement(cx, c, scope);
  }
}

function statement(cx: Context, node: SyntaxNode, scope: Scope): void {
  if (!cx.spend(node)) {
    cx.policy.outOfSteps(cx.span(node));
    return;
  }
  cx.policy.statement(node.name, node, cx.text);
  switch (node.name) {
    case 'ImportStatement':
      return importStatement(cx, node, scope);
    case 'AssignStatement':
      return assign(cx, node, scope);
    case 'UpdateStatement':
      return update(cx, node, scope);
    case 'ExpressionStatement':
      for (let c = node.firstChild; c; c = c.nextSibling) cx.expr(c, scope);
      return;
    case 'ForStatement':
      return forStatement(cx, node, scope);
    case 'IfStatement':
      return ifStatement(cx, node, scope);
    case 'FunctionDefinition':
      return functionDefinition(cx, node, scope);
    case 'DecoratedStatement':
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (c.name === 'FunctionDefinition' || c.name === 'ClassDefinition')
          statement(cx, c, scope);
      }
      return;
    case 'ClassDefinition':
      return classDefinition(cx, node, scope);
    case 'WithStatement':
      return withStatement(cx, node, scope);
    case 'TryStatement':
      return tryStatement(cx, node, scope);
    case 'ReturnStatement': {
      const e = firstExpr(node);
      throw new Returned(e ? cx.expr(e, scope) : NONE);
    }
    case 'WhileStatement':
    case 'MatchStatement':
      return opaque(
        cx,
        node,
        scope,
        `layers are added in a \`${node.name === 'WhileStatement' ? 'while' : 'match'}\` the analyzer does not follow`,
      );
    case 'StatementGroup':
    case 'Body':
      return block(cx, node, scope);
    default:
      return;
  }
}

function assign(cx: Context, node: SyntaxNode, scope: Scope): void {
  // Groups of expressions separated by `=`; the last group is the value.
  const groups: SyntaxNode[][] = [[]];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name === 'AssignOp') groups.push([]);
    else if (c.name === 'TypeDef' || c.name === ',' || c.name === 'Comment') continue;
    else groups[groups.length - 1]!.push(c);
  }
  const valueNodes = groups.pop() ?? [];
  if (valueNodes.length === 0) return; // annotation only: `x: int`
  const value =
    valueNodes.length === 1
      ? cx.expr(valueNodes[0]!, scope)
      : { kind: 'tuple' as const, items: valueNodes.map((n) => cx.expr(n, scope)) };
  for (const targets of groups) {
    if (targets.length === 1) bindTarget(cx, targets[0]!, value, scope);
    else unpack(cx, targets, value, scope);
  }
}

/** Binds a name, keeping count of the names that hold each model (see GraphBuilder.liveModels). */
function bindName(cx: Context, name: string, value: Value, scope: Scope): void {
  const old = scope.vars.get(name);
  if (old?.kind === 'model' && !(value.kind === 'model' && value.model === old.model))
    cx.graph.released(old.model);
  if (value.kind === 'model' && !(old?.kind === 'model' && old.model === value.model))
    cx.graph.bound(value.model);
  scope.vars.set(name, value);
}

/** Binds a target expression (a name, a tuple of names, or something opaque) to a value. */
function bindTarget(cx: Context, target: SyntaxNode, value: Value, scope: Scope): void {
  switch (target.name) {
    case 'VariableName':
      bindName(cx, cx.src(target), value, scope);
      return;
    case 'TupleExpression':
    case 'ArrayExpression':
    case 'ParenthesizedExpression': {
      const items = exprChildren(target);
      if (target.name === 'ParenthesizedExpression' && items.length === 1) {
        bindTarget(cx, items[0]!, value, scope);
      } else unpack(cx, items, value, scope);
      return;
    }
    case 'MemberExpression': {
      if (target.firstChild?.nextSibling?.name === '[')
        return bindSubscript(cx, target, value, scope);
      // `layer.trainable = False` freezes a layer's weights; other attributes are not followed.
      const obj = target.firstChild;
      const prop = target.lastChild;
      if (obj && prop?.name === 'PropertyName' && cx.src(prop) === 'trainable') {
        const owner = cx.expr(obj, scope);
        if (owner.kind === 'layer') owner.layer.config['trainable'] = value;
        // `encoder.trainable = False`: every weight of the model is non-trainable.
        else if (owner.kind === 'model' && value.kind === 'bool') owner.model.frozen = !value.value;
        // `model.layers[0].trainable = False`: applied once the model is complete (trainable.ts).
        else cx.freeze(obj, value, scope);
      } else if (obj && prop?.name === 'PropertyName') {
        // `self.lstm = LSTM(64)`: an attribute of an instance of a class of the text.
        setAttribute(cx, cx.expr(obj, scope), cx.src(prop), value);
      }
      return;
    }
    default:
      return;
  }
}

/**
 * `outputs["rain"] = layer(x)`, `branches[0] = x`: set in place in a known dict or list (as
 * Python does, every name holding it sees the change); elsewhere the container is unknown.
 */
function bindSubscript(cx: Context, target: SyntaxNode, value: Value, scope: Scope): void {
  const obj = target.firstChild;
  const index = obj?.nextSibling?.nextSibling;
  if (!obj || !index || index.name === ']' || index.nextSibling?.name === ':') return;
  const container = cx.expr(obj, scope);
  const key = cx.expr(index, scope);
  if (container.kind === 'dict') {
    const hit = container.entries.find(([k]) => equal(k, key) === true);
    if (hit) hit[1] = value;
    else if (container.entries.every(([k]) => equal(k, key) === false))
      container.entries.push([key, value]);
    else container.entries.splice(0, container.entries.length, [UNKNOWN, UNKNOWN]);
  } else if (container.kind === 'list') {
    const i = key.kind === 'int' ? key.value : null;
    const at = i === null ? -1 : i < 0 ? container.items.length + i : i;
    if (at >= 0 && at < container.items.length) container.items[at] = value;
    else container.items.splice(0, container.items.length, UNKNOWN);
  }
}

/** Binds a `for` clause's targets (one name, or several to unpack) to one item. */
export function bindFor(cx: Context, targets: SyntaxNode[], item: Value, scope: Scope): void {
  if (targets.length === 1) bindTarget(cx, targets[0]!, item, scope);
  else unpack(cx, targets, item, scope);
}

function unpack(cx: Context, targets: SyntaxNode[], value: Value, scope: Scope): void {
  // `a, b = layer(x)` on a layer of unknown outputs: as many outputs as there are targets.
  const items =
    value.kind === 'tensor' ? cx.graph.unpackTensor(value.tensor, targets.length) : asItems(value);
  const fits = items && items.length === targets.length;
  targets.forEach((t, i) => bindTarget(cx, t, fits ? items[i]! : UNKNOWN, scope));
}

function update(cx: Context, node: SyntaxNode, scope: Scope): void {
  const target = node.firstChild;
  const op = node.getChild('UpdateOp');
  const valueNode = op?.nextSibling;
  if (!target || !op || !valueNode) return;
  const rhs = cx.expr(valueNode, scope);
  if (target.name !== 'VariableName') return;
  const name = cx.src(target);
  const current = scope.lookup(name) ?? UNKNOWN;
  scope.vars.set(name, binary(cx.src(op).slice(0, -1), current, rhs));
}

function forStatement(cx: Context, node: SyntaxNode, scope: Scope): void {
  // for TARGETS in ITER Body [else Body]
  const targets: SyntaxNode[] = [];
  let c = node.firstChild?.nextSibling ?? null;
  for (; c && c.name !== 'in'; c = c.nextSibling)
    if (c.name !== ',' && c.name !== 'Comment') targets.push(c);
  const iterNode = c?.nextSibling ?? null;
  const bodies = node.getChildren('Body');
  const body = bodies[0];
  if (!iterNode || !body) return;
  const iterable = iterate(cx.expr(iterNode, scope));
  if (!iterable || iterable.length > MAX_UNROLL || hasLoopJump(cx, body)) {
    cx.policy.unsupported(OPAQUE_LOOP, iterNode, cx.text);
    for (const t of targets) bindTarget(cx, t, UNKNOWN, scope);
    opaque(cx, body, scope, OPAQUE_LOOP_ADD);
    return;
  }
  for (const item of iterable) {
    if (cx.stepsLeft <= 0) break;
    bindFor(cx, targets, item, scope);
    block(cx, body, scope);
  }
  if (bodies[1]) block(cx, bodies[1], scope);
}

/** True when a loop body leaves early (`break`/`continue` outside nested loops or functions). */
function hasLoopJump(cx: Context, body: SyntaxNode): boolean {
  const cursor = body.cursor();
  if (!cursor.firstChild()) return false;
  for (;;) {
    if (!cx.spend(body)) return true;
    const name = cursor.name;
    if (name === 'BreakStatement' || name === 'ContinueStatement') return true;
    const nested =
      name === 'ForStatement' ||
      name === 'WhileStatement' ||
      name === 'FunctionDefinition' ||
      name === 'ClassDefinition';
    // Enter children unless this is a nested loop or function; stop on leaving the body.
    if (!cursor.next(!nested) || cursor.from >= body.to) return false;
  }
}

function ifStatement(cx: Context, node: SyntaxNode, scope: Scope): void {
  // if C Body (elif C Body)* (else Body)?
  const branches: Array<{ cond: SyntaxNode | null; body: SyntaxNode }> = [];
  let cond: SyntaxNode | null = null;
  let sawElse = false;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name === 'if' || c.name === 'elif' || c.name === 'Comment') continue;
    if (c.name === 'else') sawElse = true;
    else if (c.name === 'Body') {
      branches.push({ cond: sawElse ? null : cond, body: c });
      cond = null;
    } else cond = c;
  }
  for (let i = 0; i < branches.length; i++) {
    const b = branches[i]!;
    const known = b.cond ? truthy(cx.expr(b.cond, scope)) : true;
    if (known === true) return block(cx, b.body, scope);
    if (known === null) {
      cx.policy.unsupported(UNKNOWN_CONDITION, b.cond ?? b.body, cx.text);
      // Which branch runs is unknown: everything the remaining branches touch is unknown.
      for (const rest of branches.slice(i)) opaque(cx, rest.body, scope, UNKNOWN_CONDITION_ADD);
      return;
    }
  }
}

function withStatement(cx: Context, node: SyntaxNode, scope: Scope): void {
  let afterAs = false;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name === 'as') afterAs = true;
    else if (c.name === 'Body') block(cx, c, scope);
    else if (afterAs && c.name === 'VariableName') {
      scope.vars.set(cx.src(c), UNKNOWN);
      afterAs = false;
    } else if (c.name !== 'with' && c.name !== ',' && c.name !== 'Comment') cx.expr(c, scope);
  }
}

function tryStatement(cx: Context, node: SyntaxNode, scope: Scope): void {
  // The try body and `finally` run; `except` bodies run only on errors we cannot predict.
  let previous = '';
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name === 'Body') {
      if (previous === 'try' || previous === 'finally' || previous === 'else') block(cx, c, scope);
      else opaque(cx, c, scope, TRY_EXCEPT_ADD);
    } else if (
      c.name === 'try' ||
      c.name === 'finally' ||
      c.name === 'else' ||
      c.name === 'except'
    ) {
      previous = c.name;
    }
  }
}

/**
 * A block that may or may not run: names it assigns become unknown, and models it adds layers
 * to become opaque (shapes after that point are unknown).
 */
function opaque(cx: Context, node: SyntaxNode, scope: Scope, why: string): void {
  cx.graph.traceSkipped(why);
  const cursor = node.cursor();
  do {
    if (!cx.spend(node)) return;
    const n = cursor.node;
    if (n.name === 'AssignStatement' || n.name === 'UpdateStatement' || n.name === 'ForStatement') {
      for (let c = n.firstChild; c; c = c.nextSibling) {
        if (c.name === 'AssignOp' || c.name === 'UpdateOp' || c.name === 'in') break;
        forgetTarget(cx, c, scope);
        // `for layer in base.layers[:15]: layer.trainable = False` (a loop it cannot unroll).
        if (n.name === 'AssignStatement' && c.name === 'MemberExpression') {
          const prop = c.lastChild;
          const valueNode = c.nextSibling?.name === 'AssignOp' ? c.nextSibling.nextSibling : null;
          if (c.firstChild && prop?.name === 'PropertyName' && cx.src(prop) === 'trainable')
            cx.freeze(c.firstChild, valueNode ? cx.expr(valueNode, scope) : UNKNOWN, scope);
        }
      }
    } else if (n.name === 'CallExpression') {
      const callee = n.firstChild;
      if (callee?.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName') {
        const method = cx.src(callee.lastChild);
        const obj = callee.firstChild;
        if ((method === 'add' || method === 'build') && obj?.name === 'VariableName') {
          const v = scope.lookup(cx.src(obj));
          if (v?.kind === 'model') cx.graph.markOpaque(v.model, why);
        }
      }
    }
  } while (cursor.next() && cursor.from < node.to);
}

function forgetTarget(cx: Context, node: SyntaxNode, scope: Scope): void {
  if (node.name === 'VariableName') scope.vars.set(cx.src(node), UNKNOWN);
  else if (
    node.name === 'TupleExpression' ||
    node.name === 'ParenthesizedExpression' ||
    node.name === 'ArrayExpression'
  ) {
    for (const c of exprChildren(node)) forgetTarget(cx, c, scope);
  }
}
