/**
 * The evaluator's core: the state of one evaluation (a file in the editor, or a playground session
 * across its cells), its bounds, and running a text under a policy. The concerns it joins live in
 * their own modules (statements, expressions, calls, names, functions, the graph builder); they
 * reach each other only through this context, so the editor and the playground run the same code.
 */
import type { SyntaxNode } from '@lezer/common';
import type { Analysis, Note } from '../graph';
import { Scope, type Context, type EvaluateOptions, type PendingFunction } from './context';
import { expression, trailingDotNumber } from './expressions';
import { finishClasses, runSubclass } from './classes';
import { callFunction, flushEscaped, flushFunctions, Returned } from './functions';
import { GraphBuilder } from './graph-builder';
import { applyVersionDefaults, keras2Only, multiBackendOnly } from '../versions';
import { MAX_DEPTH, MAX_NOTES, STEP_BUDGET } from './limits';
import { parsePython } from './parse';
import type { Policy } from './policy';
import { bindFor, block } from './statements';
import { applyFreezes, freezeThrough, type Freeze } from './trainable';
import { str, UNKNOWN, type FunctionValue, type Span, type Value } from './values';

/** One evaluation: the module namespace, the graph and the notes, under one policy. */
export class Evaluator implements Context {
  readonly graph: GraphBuilder;
  readonly importRoots = new Set<string>();
  private keras2Import: string | null = null;
  private multiBackendImport: string | null = null;
  private readonly freezes: Freeze[] = [];
  readonly pending = new Map<FunctionValue, PendingFunction>();
  readonly moduleScope = new Scope(null);
  private readonly notes: Note[] = [];
  private source = '';
  private steps = STEP_BUDGET;
  private depth = 0;
  private budgetNoted = false;

  constructor(
    private readonly options: EvaluateOptions,
    readonly policy: Policy,
  ) {
    this.graph = new GraphBuilder(options.naming);
    this.graph.runSubclass = (model, inputs, args) => runSubclass(this, model, inputs, args);
    this.moduleScope.vars.set('__name__', str('__main__'));
  }

  /**
   * Runs one text in the module namespace (names and models persist to the next text), with a
   * fresh step budget, and completes every model.
   */
  exec(text: string): void {
    this.source = text;
    this.steps = STEP_BUDGET;
    const { tree, error } = parsePython(text);
    if (error) {
      this.policy.parseFailed(error);
      this.note({ from: 0, to: 0 }, `${error}: nothing in it was analysed`);
    }
    this.syntaxErrors(tree.topNode);
    try {
      try {
        this.block(tree.topNode, this.moduleScope);
      } catch (e) {
        // `return` outside a function (a syntax error Python reports) ends the module's analysis.
        if (!(e instanceof Returned)) throw e;
      }
      flushFunctions(this, this.moduleScope);
      flushEscaped(this);
      finishClasses(this);
    } finally {
      // Also when the playground rejects a cell: the models keep what the cell did before.
      this.graph.finishAll();
    }
  }

  /** What the evaluation found so far. */
  analysis(): Analysis {
    // A model rebound before any use (`model = Sequential()` then `model = build()`) is dead.
    const models = this.graph.liveModels();
    // `keras.layers.CuDNNGRU(...)` written out shows multi-backend Keras as an import would.
    this.multiBackendImport ??=
      this.graph.layers.find((l) => multiBackendOnly(l.path))?.path ?? null;
    this.keras2Import ??= this.multiBackendImport;
    if (this.keras2Import) for (const m of models) m.keras2 = true;
    const multiBackend =
      this.options.flavour === 'keras2-multibackend' || !!this.multiBackendImport;
    applyVersionDefaults(this.graph.layers, multiBackend ? 'keras2-multibackend' : 'keras3');
    applyFreezes(this.freezes);
    return {
      models,
      layers: this.graph.layers,
      notes: this.notes,
      importRoots: [...this.importRoots],
      keras2Import: this.keras2Import,
      multiBackendImport: this.multiBackendImport,
    };
  }

  get text(): string {
    return this.source;
  }

  get stepsLeft(): number {
    return this.steps;
  }

  spend(node: SyntaxNode): boolean {
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

  note(span: Span, message: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push({ span, message });
  }

  span(node: SyntaxNode): Span {
    return { from: node.from, to: node.to };
  }

  src(node: SyntaxNode): string {
    return this.source.slice(node.from, node.to);
  }

  expr(node: SyntaxNode, scope: Scope): Value {
    if (!this.spend(node)) return UNKNOWN;
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    this.depth++;
    try {
      return expression(this, node, scope);
    } finally {
      this.depth--;
    }
  }

  block(node: SyntaxNode, scope: Scope): void {
    block(this, node, scope);
  }

  imported(path: string): void {
    if (this.keras2Import === null && keras2Only(path)) this.keras2Import = path;
    if (this.multiBackendImport === null && multiBackendOnly(path)) {
      this.multiBackendImport = path;
      // Layers built after the import get multi-backend Keras's names (`lstm_1`).
      if (this.options.naming === undefined) this.graph.naming = 'keras2-multibackend';
    }
  }

  freeze(obj: SyntaxNode, value: Value, scope: Scope): void {
    const f = freezeThrough(this, obj, value, scope);
    if (f) this.freezes.push(f);
  }

  bindFor(targets: SyntaxNode[], item: Value, scope: Scope): void {
    bindFor(this, targets, item, scope);
  }

  callFunction(fn: FunctionValue, bound: Map<string, Value> | null): Value {
    return callFunction(this, fn, bound);
  }

  /** Syntax errors, one note per statement (the first error inside it), or the policy's verdict. */
  private syntaxErrors(top: SyntaxNode): void {
    let lastStatementEnd = -1;
    const cursor = top.cursor();
    do {
      if (!cursor.type.isError) continue;
      // `1.` is valid Python that lezer reads as a member access with no name (expressions.ts).
      const parent = cursor.node.parent;
      if (parent?.name === 'MemberExpression' && trailingDotNumber(this.src(parent))) continue;
      this.policy.syntaxError({ from: cursor.from, to: Math.max(cursor.to, cursor.from + 1) });
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
}
