/**
 * The static evaluator: walks a Python syntax tree and builds the model graph from the Keras
 * calls it can follow. It is not an interpreter: whatever it cannot know is `unknown`, and no
 * input makes it throw, hang or allocate without bound.
 */
import type { SyntaxNode } from '@lezer/common';
import type {
  Analysis,
  Arg,
  CallSite,
  CompileConfig,
  LayerCall,
  LayerNode,
  ModelNode,
  Note,
  Shape,
  Tensor,
} from '../graph';
import { LAYERS } from '../layers/index';
import { defaultValue, toDims } from '../layers/types';
import { outputOf } from '../shapes';
import { OPTIMIZER_DEFAULT_LR, resolveKeras, snakeCase, starNames } from './keras';
import { binary, compare, unary } from './operators';
import { parsePython } from './parse';
import {
  asInt,
  asItems,
  asString,
  bool,
  float,
  int,
  NONE,
  str,
  truthy,
  UNKNOWN,
  type FunctionValue,
  type Span,
  type Value,
} from './values';

/** Deepest wrapper nesting followed (`Bidirectional(TimeDistributed(...))`); deeper is unknown. */
export const MAX_WRAP_DEPTH = 8;
/** Most iterations a `for` loop is unrolled; longer loops are opaque. */
export const MAX_UNROLL = 1_000;
/** Total evaluation steps per text, so nested loops cannot multiply into a hang. */
export const STEP_BUDGET = 400_000;
/** Deepest expression nesting followed; deeper expressions are unknown (no stack overflow). */
export const MAX_DEPTH = 120;
/** At most this many notes per text, so a binary file does not print a page of them. */
const MAX_NOTES = 20;

const BUILTINS = new Set([
  'len',
  'range',
  'int',
  'float',
  'str',
  'bool',
  'min',
  'max',
  'abs',
  'round',
  'tuple',
  'list',
  'print',
  'enumerate',
]);

/** A lexical scope: the module, or one function body. */
class Scope {
  readonly vars = new Map<string, Value>();
  constructor(readonly parent: Scope | null) {}
  lookup(name: string): Value | undefined {
    const v = this.vars.get(name);
    return v !== undefined ? v : this.parent?.lookup(name);
  }
}

/** A function definition waiting to be analysed at its first call (or at the end of its scope). */
interface PendingFunction {
  fn: FunctionValue;
  node: SyntaxNode;
  params: Array<{ name: string; def: Value | null }>;
  scope: Scope;
  /** pending: never called yet (analysed with defaults at the end of its scope). */
  state: 'pending' | 'running' | 'done';
}

interface RawArg {
  keyword: string | null;
  star: '' | '*' | '**';
  node: SyntaxNode;
  span: Span;
}

interface SequentialState {
  entries: Array<
    { kind: 'layer'; layer: LayerNode } | { kind: 'input'; tensor: Tensor } | { kind: 'opaque' }
  >;
  buildShape: Shape | null | undefined;
}

/** Control-flow signal for `return`. */
class Returned {
  constructor(readonly value: Value) {}
}

export interface EvaluateOptions {
  /** Naming convention for automatic names (`input_layer` in Keras 3, `input_1` in tf.keras 2). */
  naming?: 'keras3' | 'tf-keras2';
}

/**
 * What a runtime (the playground kernel) supplies for the calls the analyzer does not model.
 * Each hook returns a value, or undefined when it does not know the name either.
 */
export interface Host {
  /** A call of a qualified name (`rnnlab.datasets.sine`, `builtins.print`, `keras.callbacks.EarlyStopping`). */
  call(path: string, site: CallSite): Value | undefined;
  /** A method of a model (`fit`, `evaluate`, `predict`, `summary`); the model's graph is complete. */
  modelMethod(model: ModelNode, name: string, site: CallSite): Value | undefined;
  /** An attribute of a host value (`x_train.shape`, `history.history`). */
  member(value: Extract<Value, { kind: 'host' }>, name: string): Value | undefined;
  /** Whether `import module` is allowed. */
  allowsImport(module: string): boolean;
}

/** Code the playground cannot run: the message names what and says what the subset is. */
export class CellError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** What the playground runs, for error messages. */
export const SUBSET =
  'the playground runs a declarative Keras subset: imports, assignments, layers and models, compile/fit/evaluate/predict/summary, print, and for loops over range()';

/** Parses and evaluates Python text, returning every model it builds. */
export function analyze(text: string, options: EvaluateOptions = {}): Analysis {
  return new Evaluator(options, null).run(text);
}

/**
 * The playground's interpreter: cells run in order in one persistent namespace (names, Keras's
 * name counters, models), strictly: unsupported code is a CellError, never silently skipped.
 */
export class Interpreter {
  private readonly ev: Evaluator;
  constructor(host: Host, options: EvaluateOptions = {}) {
    this.ev = new Evaluator(options, host);
  }
  /** Runs one cell's text; throws CellError (span within the cell) for what the subset lacks. */
  run(text: string): void {
    this.ev.runCell(text);
  }
  /** Every model built so far. */
  get models(): ModelNode[] {
    return this.ev.allModels();
  }
  /** A name's current value in the namespace. */
  lookup(name: string): Value | undefined {
    return this.ev.moduleScope.lookup(name);
  }
  /** The models some name in the namespace still holds (directly or inside a container). */
  liveModels(): Set<ModelNode> {
    const live = new Set<ModelNode>();
    const visit = (v: Value, depth: number) => {
      if (depth > 8) return;
      if (v.kind === 'model') live.add(v.model);
      else if (v.kind === 'tuple' || v.kind === 'list') v.items.forEach((x) => visit(x, depth + 1));
      else if (v.kind === 'dict') v.entries.forEach(([, x]) => visit(x, depth + 1));
      else if (v.kind === 'func' && v.fn.returns) visit(v.fn.returns, depth + 1);
    };
    for (const v of this.ev.moduleScope.vars.values()) visit(v, 0);
    return live;
  }
}

class Evaluator {
  private ids = 0;
  private steps = STEP_BUDGET;
  private depth = 0;
  private readonly layers: LayerNode[] = [];
  private readonly models: ModelNode[] = [];
  private readonly notes: Note[] = [];
  private readonly names = new Map<string, number>();
  private readonly sequential = new Map<ModelNode, SequentialState>();
  private readonly pending = new Map<FunctionValue, PendingFunction>();
  private readonly importRoots = new Set<string>();
  private budgetNoted = false;

  private text = '';
  readonly moduleScope = new Scope(null);

  constructor(
    private readonly options: EvaluateOptions,
    /** Present in the playground: strict mode, with the runtime's values and methods. */
    private readonly host: Host | null,
  ) {
    this.moduleScope.vars.set('__name__', str('__main__'));
  }

  allModels(): ModelNode[] {
    return this.models;
  }

  /** Runs one playground cell strictly (see Interpreter). */
  runCell(text: string): void {
    this.text = text;
    this.steps = STEP_BUDGET;
    const { tree, error } = parsePython(text);
    if (error) throw new CellError(error, { from: 0, to: 0 });
    const cursor = tree.topNode.cursor();
    do {
      if (cursor.type.isError) {
        throw new CellError('syntax error: fix this line before running the cell', {
          from: cursor.from,
          to: Math.max(cursor.to, cursor.from + 1),
        });
      }
    } while (cursor.next());
    try {
      this.block(tree.topNode, this.moduleScope);
    } finally {
      for (const model of this.models) this.finish(model);
    }
  }

  run(text: string): Analysis {
    this.text = text;
    const { tree, error } = parsePython(text);
    if (error) this.note({ from: 0, to: 0 }, `${error}: nothing in it was analysed`);
    this.noteSyntaxErrors(tree.topNode);
    const module = this.moduleScope;
    try {
      this.block(tree.topNode, module);
    } catch (e) {
      // `return` outside a function (a syntax error Python reports) ends the module's analysis.
      if (!(e instanceof Returned)) throw e;
    }
    this.flushFunctions(module);
    for (const model of this.models) this.finish(model);
    return {
      models: this.models,
      layers: this.layers,
      notes: this.notes,
      importRoots: [...this.importRoots],
    };
  }

  // ---- notes -------------------------------------------------------------------------------

  private note(span: Span, message: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push({ span, message });
  }

  private noteSyntaxErrors(top: SyntaxNode): void {
    let lastStatementEnd = -1;
    const cursor = top.cursor();
    do {
      if (!cursor.type.isError) continue;
      // One note per statement: the first error inside it.
      if (cursor.from < lastStatementEnd) continue;
      let stmt: SyntaxNode = cursor.node;
      while (stmt.parent && stmt.parent.parent) stmt = stmt.parent;
      lastStatementEnd = Math.max(stmt.to, cursor.to + 1);
      this.note(
        { from: cursor.from, to: Math.max(cursor.to, cursor.from) },
        'syntax error: this statement was skipped; the rest of the file is still analysed',
      );
    } while (cursor.next());
  }

  private spend(node: SyntaxNode): boolean {
    if (this.steps-- > 0) return true;
    if (!this.budgetNoted) {
      this.budgetNoted = true;
      this.note(
        { from: node.from, to: node.to },
        `analysis stopped here: more than ${STEP_BUDGET} evaluation steps (loops too large to unroll)`,
      );
    }
    return false;
  }

  private span(node: SyntaxNode): Span {
    return { from: node.from, to: node.to };
  }

  private src(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  // ---- statements --------------------------------------------------------------------------

  /** Runs the statements under a Script or Body node. */
  private block(node: SyntaxNode, scope: Scope): void {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      this.statement(c, scope);
    }
  }

  /** In the playground, code outside the subset is an error that names it. */
  private unsupported(node: SyntaxNode, what: string): never {
    const line = this.text.slice(node.from, node.to).split('\n')[0]!.trim();
    throw new CellError(
      `${what} is not supported (\`${line.length > 60 ? `${line.slice(0, 57)}...` : line}\`): ${SUBSET}`,
      {
        from: node.from,
        to: node.to,
      },
    );
  }

  private static readonly STRICT_STATEMENTS: Record<string, string> = {
    FunctionDefinition: '`def`',
    DecoratedStatement: 'a decorator',
    ClassDefinition: '`class`',
    WithStatement: '`with`',
    TryStatement: '`try`',
    WhileStatement: '`while`',
    MatchStatement: '`match`',
    ReturnStatement: '`return`',
    RaiseStatement: '`raise`',
    GlobalStatement: '`global`',
    NonlocalStatement: '`nonlocal`',
    DeleteStatement: '`del`',
    AssertStatement: '`assert`',
  };

  private statement(node: SyntaxNode, scope: Scope): void {
    if (!this.spend(node)) {
      if (this.host)
        throw new CellError(
          `this cell does too much work to evaluate (more than ${STEP_BUDGET} steps)`,
          this.span(node),
        );
      return;
    }
    if (this.host) {
      const what = Evaluator.STRICT_STATEMENTS[node.name];
      if (what) this.unsupported(node, what);
    }
    switch (node.name) {
      case 'ImportStatement':
        return this.importStatement(node, scope);
      case 'AssignStatement':
        return this.assign(node, scope);
      case 'UpdateStatement':
        return this.update(node, scope);
      case 'ExpressionStatement':
        for (let c = node.firstChild; c; c = c.nextSibling) this.expr(c, scope);
        return;
      case 'ForStatement':
        return this.forStatement(node, scope);
      case 'IfStatement':
        return this.ifStatement(node, scope);
      case 'FunctionDefinition':
        return this.functionDefinition(node, scope);
      case 'DecoratedStatement':
        for (let c = node.firstChild; c; c = c.nextSibling) {
          if (c.name === 'FunctionDefinition' || c.name === 'ClassDefinition')
            this.statement(c, scope);
        }
        return;
      case 'ClassDefinition': {
        const name = node.getChild('VariableName');
        if (name) scope.vars.set(this.src(name), UNKNOWN);
        return;
      }
      case 'WithStatement':
        return this.withStatement(node, scope);
      case 'TryStatement':
        return this.tryStatement(node, scope);
      case 'ReturnStatement': {
        const e = this.firstExpr(node);
        throw new Returned(e ? this.expr(e, scope) : NONE);
      }
      case 'WhileStatement':
      case 'MatchStatement':
        return this.opaque(node, scope);
      case 'StatementGroup':
      case 'Body':
        return this.block(node, scope);
      default:
        return;
    }
  }

  private firstExpr(node: SyntaxNode): SyntaxNode | null {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (!isPunct(c) && c.name !== 'Comment') return c;
    }
    return null;
  }

  private importStatement(node: SyntaxNode, scope: Scope): void {
    const isFrom = node.firstChild?.name === 'from';
    const text = this.src(node);
    if (this.host) {
      const module = /^\s*(?:from|import)\s+([\w.]+)/.exec(text)?.[1] ?? '';
      if (!this.host.allowsImport(module)) {
        throw new CellError(
          `module '${module}' is not available in the playground: import keras, tensorflow or rnnlab`,
          this.span(node),
        );
      }
    }
    if (!isFrom) {
      // import a.b.c [as d], e
      let path: string[] = [];
      let alias: string | null = null;
      let expectAlias = false;
      const flush = () => {
        if (path.length === 0) return;
        this.importRoots.add(path[0]!);
        if (alias) scope.vars.set(alias, { kind: 'ref', path: path.join('.') });
        else scope.vars.set(path[0]!, { kind: 'ref', path: path[0]! });
        path = [];
        alias = null;
      };
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (c.name === 'VariableName') {
          if (expectAlias) {
            alias = this.src(c);
            expectAlias = false;
          } else path.push(this.src(c));
        } else if (c.name === 'as') expectAlias = true;
        else if (c.name === ',') flush();
      }
      flush();
      return;
    }
    // from a.b import c [as d], e | *
    const module: string[] = [];
    let c = node.firstChild?.nextSibling ?? null;
    let dots = '';
    for (; c && c.name !== 'import'; c = c.nextSibling) {
      if (c.name === 'VariableName') module.push(this.src(c));
      else if (c.name === '.' && module.length === 0) dots += '.';
    }
    if (dots) return; // relative imports name the user's own modules
    const modulePath = module.join('.');
    if (module[0]) this.importRoots.add(module[0]);
    if (/\bimport\s*\*/.test(text)) {
      for (const name of starNames(modulePath)) {
        scope.vars.set(name, { kind: 'ref', path: `${modulePath}.${name}` });
      }
      return;
    }
    let name: string | null = null;
    let expectAlias = false;
    const bind = (alias: string | null) => {
      if (name) scope.vars.set(alias ?? name, { kind: 'ref', path: `${modulePath}.${name}` });
      name = null;
    };
    for (c = c?.nextSibling ?? null; c; c = c.nextSibling) {
      if (c.name === 'VariableName') {
        if (expectAlias) {
          bind(this.src(c));
          expectAlias = false;
        } else {
          bind(null);
          name = this.src(c);
        }
      } else if (c.name === 'as') expectAlias = true;
    }
    bind(null);
  }

  private assign(node: SyntaxNode, scope: Scope): void {
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
        ? this.expr(valueNodes[0]!, scope)
        : { kind: 'tuple' as const, items: valueNodes.map((n) => this.expr(n, scope)) };
    for (const targets of groups) {
      if (targets.length === 1) this.bindTarget(targets[0]!, value, scope);
      else this.unpack(targets, value, scope);
    }
  }

  /** Binds a target expression (a name, a tuple of names, or something opaque) to a value. */
  private bindTarget(target: SyntaxNode, value: Value, scope: Scope): void {
    switch (target.name) {
      case 'VariableName':
        scope.vars.set(this.src(target), value);
        return;
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression': {
        const items = exprChildren(target);
        if (target.name === 'ParenthesizedExpression' && items.length === 1) {
          this.bindTarget(items[0]!, value, scope);
        } else this.unpack(items, value, scope);
        return;
      }
      default:
        // Attribute or subscript targets (`self.x = ...`, `d[k] = ...`) are not followed.
        return;
    }
  }

  private unpack(targets: SyntaxNode[], value: Value, scope: Scope): void {
    const items = asItems(value);
    const fits = items && items.length === targets.length;
    targets.forEach((t, i) => this.bindTarget(t, fits ? items[i]! : UNKNOWN, scope));
  }

  private update(node: SyntaxNode, scope: Scope): void {
    const target = node.firstChild;
    const op = node.getChild('UpdateOp');
    const valueNode = op?.nextSibling;
    if (!target || !op || !valueNode) return;
    const rhs = this.expr(valueNode, scope);
    if (target.name !== 'VariableName') return;
    const name = this.src(target);
    const current = scope.lookup(name) ?? UNKNOWN;
    scope.vars.set(name, binary(this.src(op).slice(0, -1), current, rhs));
  }

  private forStatement(node: SyntaxNode, scope: Scope): void {
    // for TARGETS in ITER Body [else Body]
    const targets: SyntaxNode[] = [];
    let c = node.firstChild?.nextSibling ?? null;
    for (; c && c.name !== 'in'; c = c.nextSibling)
      if (c.name !== ',' && c.name !== 'Comment') targets.push(c);
    const iterNode = c?.nextSibling ?? null;
    const bodies = node.getChildren('Body');
    const body = bodies[0];
    if (!iterNode || !body) return;
    const iterable = this.iterate(this.expr(iterNode, scope));
    if (!iterable || iterable.length > MAX_UNROLL || this.hasLoopJump(body)) {
      if (this.host) {
        this.unsupported(
          iterNode,
          `a \`for\` loop that is not over range() or a list of at most ${MAX_UNROLL} known items (or that uses break/continue)`,
        );
      }
      for (const t of targets) this.bindTarget(t, UNKNOWN, scope);
      this.opaque(body, scope);
      return;
    }
    for (const item of iterable) {
      if (this.steps <= 0) break;
      if (targets.length === 1) this.bindTarget(targets[0]!, item, scope);
      else this.unpack(targets, item, scope);
      this.block(body, scope);
    }
    if (bodies[1]) this.block(bodies[1], scope);
  }

  /** True when a loop body leaves early (`break`/`continue` outside nested loops or functions). */
  private hasLoopJump(body: SyntaxNode): boolean {
    const cursor = body.cursor();
    if (!cursor.firstChild()) return false;
    for (;;) {
      if (!this.spend(body)) return true;
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

  /** The items a `for` loop visits, when known. */
  private iterate(v: Value): Value[] | null {
    const items = asItems(v);
    if (items) return items;
    if (v.kind === 'str') return [...v.value].map((ch) => str(ch));
    return null;
  }

  private ifStatement(node: SyntaxNode, scope: Scope): void {
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
      const known = b.cond ? truthy(this.expr(b.cond, scope)) : true;
      if (known === true) return this.block(b.body, scope);
      if (known === null) {
        if (this.host)
          this.unsupported(b.cond ?? b.body, 'an `if` whose condition is not a known constant');
        // Which branch runs is unknown: everything the remaining branches touch is unknown.
        for (const rest of branches.slice(i)) this.opaque(rest.body, scope);
        return;
      }
    }
  }

  private withStatement(node: SyntaxNode, scope: Scope): void {
    let afterAs = false;
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === 'as') afterAs = true;
      else if (c.name === 'Body') this.block(c, scope);
      else if (afterAs && c.name === 'VariableName') {
        scope.vars.set(this.src(c), UNKNOWN);
        afterAs = false;
      } else if (c.name !== 'with' && c.name !== ',' && c.name !== 'Comment') this.expr(c, scope);
    }
  }

  private tryStatement(node: SyntaxNode, scope: Scope): void {
    // The try body and `finally` run; `except` bodies run only on errors we cannot predict.
    let previous = '';
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === 'Body') {
        if (previous === 'try' || previous === 'finally' || previous === 'else')
          this.block(c, scope);
        else this.opaque(c, scope);
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
  private opaque(node: SyntaxNode, scope: Scope): void {
    const cursor = node.cursor();
    do {
      if (!this.spend(node)) return;
      const n = cursor.node;
      if (
        n.name === 'AssignStatement' ||
        n.name === 'UpdateStatement' ||
        n.name === 'ForStatement'
      ) {
        for (let c = n.firstChild; c; c = c.nextSibling) {
          if (c.name === 'AssignOp' || c.name === 'UpdateOp' || c.name === 'in') break;
          this.forgetTarget(c, scope);
        }
      } else if (n.name === 'CallExpression') {
        const callee = n.firstChild;
        if (callee?.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName') {
          const method = this.src(callee.lastChild);
          const obj = callee.firstChild;
          if ((method === 'add' || method === 'build') && obj?.name === 'VariableName') {
            const v = scope.lookup(this.src(obj));
            if (v?.kind === 'model') this.sequential.get(v.model)?.entries.push({ kind: 'opaque' });
          }
        }
      }
    } while (cursor.next() && cursor.from < node.to);
  }

  private forgetTarget(node: SyntaxNode, scope: Scope): void {
    if (node.name === 'VariableName') scope.vars.set(this.src(node), UNKNOWN);
    else if (
      node.name === 'TupleExpression' ||
      node.name === 'ParenthesizedExpression' ||
      node.name === 'ArrayExpression'
    ) {
      for (const c of exprChildren(node)) this.forgetTarget(c, scope);
    }
  }

  private functionDefinition(node: SyntaxNode, scope: Scope): void {
    const nameNode = node.getChild('VariableName');
    const paramList = node.getChild('ParamList');
    if (!nameNode) return;
    const params: PendingFunction['params'] = [];
    if (paramList) {
      let current: { name: string; def: Value | null } | null = null;
      let afterEq = false;
      for (let c = paramList.firstChild; c; c = c.nextSibling) {
        if (c.name === 'Comment') continue;
        if (c.name === 'VariableName' && !afterEq) {
          current = { name: this.src(c), def: null };
          params.push(current);
        } else if (c.name === 'AssignOp') afterEq = true;
        else if (c.name === ',') {
          afterEq = false;
          current = null;
        } else if (afterEq && current) {
          current.def = this.expr(c, scope);
          afterEq = false;
        } else if (c.name === '*' || c.name === '**') {
          // *args / **kwargs: the name that follows is bound to unknown (no default).
        }
      }
    }
    const fn: FunctionValue = { name: this.src(nameNode), returns: UNKNOWN };
    this.pending.set(fn, { fn, node, params, scope, state: 'pending' });
    scope.vars.set(fn.name, { kind: 'func', fn });
  }

  /**
   * Analyses a function body in its own scope, as Python runs it at each call: parameters bound
   * to the call's arguments, else to their defaults, else unknown. Recursion is unknown.
   */
  private callFunction(fn: FunctionValue, bound: Map<string, Value> | null): Value {
    const p = this.pending.get(fn);
    if (!p) return fn.returns;
    if (p.state === 'running') return UNKNOWN;
    p.state = 'running';
    const local = new Scope(p.scope);
    for (const param of p.params) {
      const given = bound?.get(param.name);
      local.vars.set(param.name, given ?? param.def ?? UNKNOWN);
    }
    const body = p.node.getChild('Body');
    let result: Value = NONE;
    try {
      if (body) this.block(body, local);
    } catch (e) {
      if (!(e instanceof Returned)) throw e;
      result = e.value;
    } finally {
      p.state = 'done';
    }
    this.flushFunctions(local);
    fn.returns = result;
    return result;
  }

  /** Analyses, with their defaults, the functions of a scope that were never called. */
  private flushFunctions(scope: Scope): void {
    for (const p of [...this.pending.values()]) {
      if (p.scope === scope && p.state === 'pending') this.callFunction(p.fn, null);
    }
  }

  // ---- expressions -------------------------------------------------------------------------

  private expr(node: SyntaxNode, scope: Scope): Value {
    if (!this.spend(node)) return UNKNOWN;
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    this.depth++;
    try {
      return this.exprInner(node, scope);
    } finally {
      this.depth--;
    }
  }

  private exprInner(node: SyntaxNode, scope: Scope): Value {
    switch (node.name) {
      case 'Number':
        return parseNumber(this.src(node));
      case 'String':
        return parseString(this.src(node));
      case 'ContinuedString': {
        let out = '';
        for (const s of node.getChildren('String')) {
          const v = parseString(this.src(s));
          if (v.kind !== 'str') return UNKNOWN;
          out += v.value;
        }
        return str(out);
      }
      case 'Boolean':
        return bool(this.src(node) === 'True');
      case 'None':
        return NONE;
      case 'VariableName':
        return this.lookup(this.src(node), scope, node);
      case 'ParenthesizedExpression': {
        const inner = exprChildren(node);
        return inner.length === 1 ? this.expr(inner[0]!, scope) : UNKNOWN;
      }
      case 'TupleExpression':
        return { kind: 'tuple', items: this.items(node, scope) };
      case 'ArrayExpression':
        return { kind: 'list', items: this.items(node, scope) };
      case 'DictionaryExpression':
        return this.dict(node, scope);
      case 'MemberExpression':
        return this.member(node, scope);
      case 'CallExpression':
        return this.call(node, scope);
      case 'BinaryExpression':
        return this.binaryExpression(node, scope);
      case 'UnaryExpression': {
        const op = node.firstChild;
        const operand = node.lastChild;
        if (!op || !operand || op.from === operand.from) return UNKNOWN;
        return unary(this.src(op), this.expr(operand, scope));
      }
      case 'ConditionalExpression': {
        // A if C else B
        const parts = exprChildren(node).filter((c) => c.name !== 'if' && c.name !== 'else');
        if (parts.length !== 3) return UNKNOWN;
        const cond = truthy(this.expr(parts[1]!, scope));
        if (cond === null) {
          this.expr(parts[0]!, scope);
          this.expr(parts[2]!, scope);
          return UNKNOWN;
        }
        return this.expr(cond ? parts[0]! : parts[2]!, scope);
      }
      default:
        // Comprehensions, lambdas, f-strings, sets, awaits...: unknown, never an error.
        if (this.host)
          this.unsupported(
            node,
            `\`${node.name.replace(/Expression$/, '').toLowerCase() || node.name}\``,
          );
        return UNKNOWN;
    }
  }

  private lookup(name: string, scope: Scope, node?: SyntaxNode): Value {
    const v = scope.lookup(name);
    if (v !== undefined) return v;
    if (BUILTINS.has(name)) return { kind: 'ref', path: `builtins.${name}` };
    if (this.host && node)
      throw new CellError(
        `name '${name}' is not defined: define it in this or an earlier cell`,
        this.span(node),
      );
    return UNKNOWN;
  }

  private items(node: SyntaxNode, scope: Scope): Value[] {
    const out: Value[] = [];
    for (const c of exprChildren(node)) {
      if (c.name === 'ComprehensionExpression') return [UNKNOWN];
      out.push(this.expr(c, scope));
    }
    return out;
  }

  private dict(node: SyntaxNode, scope: Scope): Value {
    const parts = exprChildren(node);
    const entries: Array<[Value, Value]> = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      entries.push([this.expr(parts[i]!, scope), this.expr(parts[i + 1]!, scope)]);
    }
    return parts.length % 2 === 0 ? { kind: 'dict', entries } : UNKNOWN;
  }

  private binaryExpression(node: SyntaxNode, scope: Scope): Value {
    const left = node.firstChild;
    const right = node.lastChild;
    if (!left || !right || left.from === right.from) return UNKNOWN;
    // The operator is everything between the operands (`not in`, `is not` are two tokens).
    const tokens: string[] = [];
    for (let c = left.nextSibling; c && c.from < right.from; c = c.nextSibling) {
      if (c.name !== 'Comment') tokens.push(this.src(c));
    }
    const op = tokens.join(' ');
    const a = this.expr(left, scope);
    if (op === 'and' || op === 'or') {
      const t = truthy(a);
      if (t === null) {
        this.expr(right, scope);
        return UNKNOWN;
      }
      if (op === 'and') return t ? this.expr(right, scope) : a;
      return t ? a : this.expr(right, scope);
    }
    const b = this.expr(right, scope);
    if (['<', '>', '<=', '>=', '==', '!=', 'in', 'not in', 'is', 'is not'].includes(op)) {
      return compare(op, a, b);
    }
    return binary(op, a, b);
  }

  private member(node: SyntaxNode, scope: Scope): Value {
    const obj = node.firstChild;
    if (!obj) return UNKNOWN;
    const second = obj.nextSibling;
    if (second?.name === '[') {
      const index = second.nextSibling;
      const target = this.expr(obj, scope);
      if (this.host && target.kind === 'host') {
        throw new CellError(
          `indexing ${target.tag} values is not supported: ${SUBSET}`,
          this.span(node),
        );
      }
      if (!index || index.name === ']') return UNKNOWN;
      if (index.nextSibling?.name === ':' || index.name === ':')
        return this.slice(node, target, scope);
      return subscript(target, this.expr(index, scope));
    }
    const prop = node.lastChild;
    if (!prop || prop.name !== 'PropertyName') return UNKNOWN;
    const name = this.src(prop);
    const target = this.expr(obj, scope);
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
        return { kind: 'method', self: target, name };
      case 'layer':
        return { kind: 'method', self: target, name };
      case 'host': {
        const v = this.host?.member(target, name);
        if (v !== undefined) return v;
        return { kind: 'method', self: target, name };
      }
      default:
        if (this.host)
          throw new CellError(
            `\`.${name}\` is not available on this value: ${SUBSET}`,
            this.span(node),
          );
        return UNKNOWN;
    }
  }

  private slice(node: SyntaxNode, target: Value, scope: Scope): Value {
    // x[a:b] (a step is not followed)
    const inside: Array<SyntaxNode | ':'> = [];
    let c = node.firstChild?.nextSibling?.nextSibling ?? null;
    for (; c && c.name !== ']'; c = c.nextSibling) inside.push(c.name === ':' ? ':' : c);
    const colons = inside.filter((x) => x === ':').length;
    if (colons !== 1) return UNKNOWN;
    const colon = inside.indexOf(':');
    const startNode = inside[colon - 1];
    const endNode = inside[colon + 1];
    const start = startNode && startNode !== ':' ? asInt(this.expr(startNode, scope)) : 0;
    const end = endNode && endNode !== ':' ? asInt(this.expr(endNode, scope)) : undefined;
    if (start === null || end === null) return UNKNOWN;
    if (target.kind === 'str') return str(target.value.slice(start, end));
    const items = asItems(target);
    if (!items || (target.kind !== 'tuple' && target.kind !== 'list')) return UNKNOWN;
    return { kind: target.kind, items: items.slice(start, end) };
  }

  // ---- calls -------------------------------------------------------------------------------

  private rawArgs(argList: SyntaxNode | null): RawArg[] {
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
        keyword: keyword ? this.src(keyword) : null,
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

  private call(node: SyntaxNode, scope: Scope): Value {
    const calleeNode = node.firstChild;
    const argList = node.getChild('ArgList');
    if (!calleeNode) return UNKNOWN;
    const callee = this.expr(calleeNode, scope);
    const raw = this.rawArgs(argList);
    // Arguments are evaluated first and in order, as Python does (inner layers get names first).
    const values = raw.map((a) => this.expr(a.node, scope));
    const args: Arg[] = raw.map((a, i) => ({
      keyword: a.star ? null : a.keyword,
      param: a.star ? null : a.keyword,
      value: a.star ? UNKNOWN : values[i]!,
      span: a.span,
      valueSpan: this.span(a.node),
      ...(a.star ? { splat: true } : {}),
    }));
    const splat = raw.some((a) => a.star !== '');
    const site: CallSite = {
      span: this.span(node),
      callee: this.span(calleeNode),
      argList: argList ? this.span(argList) : { from: node.to, to: node.to },
      args,
      splat,
    };
    switch (callee.kind) {
      case 'ref':
        return this.callRef(callee.path, site);
      case 'layer':
        return this.applyLayer(callee.layer, site);
      case 'method':
        return this.callMethod(callee.self, callee.name, site);
      case 'func': {
        const bound = new Map<string, Value>();
        const p = this.pending.get(callee.fn);
        args.forEach((a, i) => {
          if (a.keyword) bound.set(a.keyword, a.value);
          else if (!splat && p?.params[i]) bound.set(p.params[i]!.name, a.value);
        });
        return this.callFunction(callee.fn, bound);
      }
      case 'model':
        // A model used as a layer: its output is a tensor of unknown shape.
        if (this.host)
          throw new CellError(`calling a model as a layer is not supported: ${SUBSET}`, site.span);
        return tensorValue(this.tensor(null, null));
      default:
        if (this.host) {
          throw new CellError(
            `\`${this.src(calleeNode)}(...)\` cannot be called here: ${SUBSET}`,
            site.span,
          );
        }
        return UNKNOWN;
    }
  }

  private callRef(path: string, site: CallSite): Value {
    const hosted = this.host?.call(path, site);
    if (hosted !== undefined) return hosted;
    if (path.startsWith('builtins.')) return this.builtin(path.slice(9), site);
    const sym = resolveKeras(path);
    if (!sym) {
      if (this.host)
        throw new CellError(
          `\`${path.replace(/^builtins\./, '')}(...)\` is not available: ${SUBSET}`,
          site.span,
        );
      return UNKNOWN;
    }
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

  private builtin(name: string, site: CallSite): Value {
    const a = site.args.map((x) => x.value);
    const first = a[0];
    switch (name) {
      case 'len': {
        if (!first) return UNKNOWN;
        if (first.kind === 'str') return int(first.value.length);
        const items = asItems(first);
        if (items) return int(items.length);
        if (first.kind === 'dict') return int(first.entries.length);
        return UNKNOWN;
      }
      case 'range': {
        const n = a.map((x) => asInt(x));
        if (n.length === 0 || n.length > 3 || n.some((x) => x === null)) return UNKNOWN;
        const [start, stop, step] =
          n.length === 1 ? [0, n[0]!, 1] : [n[0]!, n[1]!, n.length === 3 ? n[2]! : 1];
        if (step === 0) return UNKNOWN;
        const count = Math.max(0, Math.ceil((stop - start) / step));
        if (count > MAX_UNROLL) return UNKNOWN;
        return {
          kind: 'list',
          items: Array.from({ length: count }, (_, i) => int(start + i * step)),
        };
      }
      case 'enumerate': {
        const items = first ? asItems(first) : null;
        if (!items) return UNKNOWN;
        return {
          kind: 'list',
          items: items.map((v, i) => ({ kind: 'tuple', items: [int(i), v] })),
        };
      }
      case 'int': {
        if (!first) return int(0);
        if (first.kind === 'float') return int(Math.trunc(first.value));
        if (first.kind === 'str' && /^\s*[-+]?\d+\s*$/.test(first.value))
          return int(parseInt(first.value, 10));
        const n = asInt(first);
        return n === null ? UNKNOWN : int(n);
      }
      case 'float': {
        if (!first) return float(0);
        if (first.kind === 'str') {
          const f = Number(first.value);
          return first.value.trim() && !Number.isNaN(f) ? float(f) : UNKNOWN;
        }
        return first.kind === 'int' || first.kind === 'float' ? float(first.value) : UNKNOWN;
      }
      case 'bool': {
        const t = first ? truthy(first) : false;
        return t === null ? UNKNOWN : bool(t);
      }
      case 'abs':
        return first?.kind === 'int'
          ? int(Math.abs(first.value))
          : first?.kind === 'float'
            ? float(Math.abs(first.value))
            : UNKNOWN;
      case 'round': {
        if (!first || (first.kind !== 'int' && first.kind !== 'float')) return UNKNOWN;
        if (a.length > 1) return UNKNOWN;
        // Python rounds half to even.
        const r = Math.round(first.value);
        const even = Math.abs(first.value % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
        return int(even);
      }
      case 'min':
      case 'max': {
        const list = a.length === 1 ? asItems(first) : a;
        if (!list || list.length === 0) return UNKNOWN;
        let best: Value | null = null;
        for (const v of list) {
          if (v.kind !== 'int' && v.kind !== 'float') return UNKNOWN;
          if (
            !best ||
            (name === 'min'
              ? v.value < (best as { value: number }).value
              : v.value > (best as { value: number }).value)
          )
            best = v;
        }
        return best ?? UNKNOWN;
      }
      case 'tuple':
      case 'list': {
        if (!first) return { kind: name, items: [] };
        const items = first.kind === 'str' ? [...first.value].map((c) => str(c)) : asItems(first);
        return items ? { kind: name, items } : UNKNOWN;
      }
      case 'str':
        if (first?.kind === 'str') return first;
        if (first?.kind === 'int') return str(String(first.value));
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private autoName(type: string): string {
    const base =
      type === 'InputLayer' && this.options.naming === 'tf-keras2' ? 'input' : snakeCase(type);
    const n = this.names.get(base) ?? 0;
    this.names.set(base, n + 1);
    if (this.options.naming === 'tf-keras2' && type === 'InputLayer') return `${base}_${n + 1}`;
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

  /** `layer(x)`: a functional-API call. */
  private applyLayer(layer: LayerNode, site: CallSite): Value {
    const first = site.args.find((a) => a.keyword === null || a.keyword === 'inputs');
    const inputs = this.tensorsOf(first?.value ?? UNKNOWN);
    const stateArg = site.args.find((a) => a.keyword === 'initial_state');
    const initialState = stateArg ? this.tensorsOf(stateArg.value) : [];
    const call = this.record(layer, inputs, site.span, initialState);
    if (call.outputs.length === 1) return tensorValue(call.outputs[0]!);
    return { kind: 'list', items: call.outputs.map(tensorValue) };
  }

  /** The tensors a value holds (one, or a list of them); unknown values become opaque tensors. */
  private tensorsOf(v: Value): Tensor[] {
    if (v.kind === 'tensor') return [v.tensor];
    const items = asItems(v);
    if (items) return items.map((x) => (x.kind === 'tensor' ? x.tensor : this.tensor(null, null)));
    return [this.tensor(null, null)];
  }

  private newModel(kind: ModelNode['kind'], site: CallSite, path: string): ModelNode {
    const given = site.args.find((a) => a.keyword === 'name');
    const base =
      kind === 'sequential'
        ? 'sequential'
        : this.options.naming === 'tf-keras2'
          ? 'model'
          : 'functional';
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
      if (state.entries.length === 0 && declares && this.options.naming !== 'tf-keras2')
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

  private callMethod(self: Value, method: string, site: CallSite): Value {
    if (self.kind !== 'model') {
      if (this.host)
        throw new CellError(
          `\`.${method}(...)\` is not available on this value: ${SUBSET}`,
          site.span,
        );
      return UNKNOWN;
    }
    const model = self.model;
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
      default: {
        if (!this.host) return UNKNOWN;
        this.finish(model);
        const v = this.host.modelMethod(model, method, site);
        if (v === undefined)
          throw new CellError(`model.${method}(...) is not available: ${SUBSET}`, site.span);
        return v;
      }
    }
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

  // ---- finishing ---------------------------------------------------------------------------

  private finish(model: ModelNode): void {
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

/** How many wrappers deep a layer sits inside its own wrapped layers (bounded). */
function wrapDepth(layer: LayerNode): number {
  let depth = 0;
  for (let l: LayerNode | null = layer; l?.inner && depth <= MAX_WRAP_DEPTH; l = l.inner) depth++;
  return depth;
}

function tensorValue(t: Tensor): Value {
  return { kind: 'tensor', tensor: t };
}

function isPunct(n: SyntaxNode): boolean {
  return /^[()[\]{},:;=]$/.test(n.name) || n.name === 'return' || n.name === 'AssignOp';
}

/** The expression children of a bracketed node (skipping brackets, commas and colons). */
function exprChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (
      !/^[()[\]{},:]$/.test(c.name) &&
      c.name !== '*' &&
      c.name !== '**' &&
      c.name !== 'Comment'
    ) {
      out.push(c);
    }
  }
  return out;
}

/** Python number literals: ints (any base, underscores), floats; complex numbers are unknown. */
export function parseNumber(text: string): Value {
  const t = text.replace(/_/g, '').toLowerCase();
  if (t.endsWith('j')) return UNKNOWN;
  if (/^0[xob]/.test(t)) {
    const base = t[1] === 'x' ? 16 : t[1] === 'o' ? 8 : 2;
    return int(parseInt(t.slice(2), base));
  }
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return Number.isSafeInteger(n) ? int(n) : UNKNOWN;
  }
  return float(Number(t));
}

/** Python string literals (prefixes, quotes, common escapes); bytes and f-strings are unknown. */
export function parseString(text: string): Value {
  const m = /^([a-zA-Z]*)('''|"""|'|")([\s\S]*)\2$/.exec(text);
  if (!m) return UNKNOWN;
  const prefix = m[1]!.toLowerCase();
  if (prefix.includes('b') || prefix.includes('f')) return UNKNOWN;
  const body = m[3]!;
  if (prefix.includes('r')) return str(body);
  const escapes: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '0': '\0',
    '\n': '',
  };
  return str(body.replace(/\\([\s\S])/g, (all, ch: string) => escapes[ch] ?? all));
}

function subscript(target: Value, index: Value): Value {
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
