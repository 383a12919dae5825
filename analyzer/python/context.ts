/**
 * What the evaluator's concerns share: the context each of them receives (the text, the policy,
 * the graph, the budget, and the entry points they recurse through) and lexical scopes. The
 * concern modules import only types from here, so their imports form no circle.
 */
import type { SyntaxNode } from '@lezer/common';
import type { GraphBuilder, Naming } from './graph-builder';
import type { KerasFlavour } from '../versions';
import type { Policy } from './policy';
import type { FunctionValue, Span, Value } from './values';

export interface EvaluateOptions {
  /** Naming convention for automatic names (`input_layer` in Keras 3, `input_1` in tf.keras 2). */
  naming?: Naming;
  /**
   * The Keras whose defaults the layers get where the imports do not show it (the project's
   * target); a file importing multi-backend Keras (analyzer/versions.ts) gets its defaults anyway.
   */
  flavour?: KerasFlavour;
}

/** A lexical scope: the module, or one function body. */
export class Scope {
  readonly vars = new Map<string, Value>();
  constructor(readonly parent: Scope | null) {}
  /** The value a name has here or in an enclosing scope. */
  lookup(name: string): Value | undefined {
    const v = this.vars.get(name);
    return v !== undefined ? v : this.parent?.lookup(name);
  }
}

/** A function definition waiting to be analysed at its first call (or at the end of its scope). */
export interface PendingFunction {
  fn: FunctionValue;
  node: SyntaxNode;
  /** In order; `star` marks `*args` / `**kwargs`, which take no positional argument. */
  params: Array<{ name: string; def: Value | null; star?: true }>;
  scope: Scope;
  /** pending: never called yet (analysed with defaults at the end of its scope). */
  state: 'pending' | 'running' | 'done';
  /** Returned by the call that defined it (a closure): analysed at the end of the text if never called. */
  escaped?: true;
}

/** The evaluation in progress, as each concern of the evaluator sees it. */
export interface Context {
  /** The text being evaluated (a file, or one playground cell). */
  readonly text: string;
  readonly policy: Policy;
  readonly graph: GraphBuilder;
  /** First components of every module imported, for target inference. */
  readonly importRoots: Set<string>;
  /** Records an imported module or `module.name`, for the Keras version it shows. */
  imported(path: string): void;
  /** Records `OBJ.trainable = value` where OBJ is reached through a layer list (trainable.ts). */
  freeze(obj: SyntaxNode, value: Value, scope: Scope): void;
  readonly pending: Map<FunctionValue, PendingFunction>;
  /** Evaluation steps left in this text's budget. */
  readonly stepsLeft: number;
  /** Takes one step of the budget; false (after noting where, once) when it is spent. */
  spend(node: SyntaxNode): boolean;
  /** Records a note for the editor (bounded in number). */
  note(span: Span, message: string): void;
  /** A node's range, as a new Span. */
  span(node: SyntaxNode): Span;
  /** A node's source text. */
  src(node: SyntaxNode): string;
  /** Evaluates an expression, bounded in depth and steps. */
  expr(node: SyntaxNode, scope: Scope): Value;
  /** Runs the statements under a Script or Body node. */
  block(node: SyntaxNode, scope: Scope): void;
  /** Binds the targets of a `for` clause to one item (a loop's, or a comprehension's). */
  bindFor(targets: SyntaxNode[], item: Value, scope: Scope): void;
  /** Analyses a user function's body for one call (`bound`: its arguments by parameter name). */
  callFunction(fn: FunctionValue, bound: Map<string, Value> | null): Value;
}
