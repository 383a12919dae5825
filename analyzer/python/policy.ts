/**
 * How strict the evaluator is. The editor analyses whatever it is given: code it cannot follow is
 * unknown, never an error (LenientPolicy). The playground runs only a declarative subset: anything
 * outside it is a CellError naming the line, and the kernel's Host supplies what the analyzer does
 * not model (StrictPolicy). The evaluator runs one code path for both and asks its policy wherever
 * they part; every hook of a lenient policy returns, so the caller goes on with unknown.
 */
import type { CallSite, ModelNode } from '../graph';
import { STEP_BUDGET } from './limits';
import { UNKNOWN, type Span, type Value } from './values';

/** A runtime value of the playground (data arrays, a training history). */
export type HostValue = Extract<Value, { kind: 'host' }>;

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
  member(value: HostValue, name: string): Value | undefined;
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

/**
 * The points where the editor and the playground differ; the evaluator consults one of them.
 * A span given here may be a syntax node (it has `from` and `to`): copy it, never keep it.
 */
export interface Policy {
  /** A statement is about to run (`kind` is its node name): strict rejects those outside the subset. */
  statement(kind: string, span: Span, text: string): void;
  /** The step budget ran out at a statement: strict fails the cell, lenient skips the statement. */
  outOfSteps(span: Span): void;
  /** The text did not parse at all (lenient analyses nothing of it). */
  parseFailed(message: string): void;
  /** A syntax error at `span` (lenient skips its statement). */
  syntaxError(span: Span): void;
  /** `import module` or `from module import ...`: strict allows the host's modules only. */
  importModule(module: string, span: Span): void;
  /** Code whose effect is not followed exactly (`what` names it; `text` holds its line). */
  unsupported(what: string, span: Span, text: string): void;
  /** A name that no scope and no builtin defines. */
  undefinedName(name: string, span: Span): void;
  /** A value used in a way the subset does not follow (`what` says how). */
  unavailable(what: string, span: Span): void;
  /** A call of a qualified name the runtime provides; undefined when it provides none. */
  call(path: string, site: CallSite): Value | undefined;
  /** An attribute of a runtime value; undefined when the runtime has none. */
  member(value: HostValue, name: string): Value | undefined;
  /** A model method the graph does not model (`fit`, `summary`); `complete` finishes the graph. */
  modelMethod(model: ModelNode, name: string, site: CallSite, complete: () => void): Value;
}

/** The editor's policy: nothing is an error, nothing runs, whatever is not known is unknown. */
export class LenientPolicy implements Policy {
  statement(): void {}
  outOfSteps(): void {}
  parseFailed(): void {}
  syntaxError(): void {}
  importModule(): void {}
  unsupported(): void {}
  undefinedName(): void {}
  unavailable(): void {}
  call(): Value | undefined {
    return undefined;
  }
  member(): Value | undefined {
    return undefined;
  }
  modelMethod(): Value {
    return UNKNOWN;
  }
}

/** Statement kinds outside the playground's subset, as error messages name them. */
const STRICT_STATEMENTS: Record<string, string> = {
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

/** Longest quote of a line in an error message; longer lines are cut with an ellipsis. */
const MAX_QUOTE = 60;

/** The playground's policy: code outside the subset is a CellError; the host runs the rest. */
export class StrictPolicy implements Policy {
  constructor(private readonly host: Host) {}

  statement(kind: string, span: Span, text: string): void {
    const what = STRICT_STATEMENTS[kind];
    if (what) this.unsupported(what, span, text);
  }

  outOfSteps(span: Span): never {
    throw new CellError(
      `this cell does too much work to evaluate (more than ${STEP_BUDGET} steps)`,
      span,
    );
  }

  parseFailed(message: string): never {
    throw new CellError(message, { from: 0, to: 0 });
  }

  syntaxError(span: Span): never {
    throw new CellError('syntax error: fix this line before running the cell', span);
  }

  importModule(module: string, span: Span): void {
    if (!this.host.allowsImport(module)) {
      throw new CellError(
        `module '${module}' is not available in the playground: import keras, tensorflow or rnnlab`,
        span,
      );
    }
  }

  unsupported(what: string, span: Span, text: string): never {
    const line = text.slice(span.from, span.to).split('\n')[0]!.trim();
    const quote = line.length > MAX_QUOTE ? `${line.slice(0, MAX_QUOTE - 3)}...` : line;
    throw new CellError(`${what} is not supported (\`${quote}\`): ${SUBSET}`, {
      from: span.from,
      to: span.to,
    });
  }

  undefinedName(name: string, span: Span): never {
    throw new CellError(
      `name '${name}' is not defined: define it in this or an earlier cell`,
      span,
    );
  }

  unavailable(what: string, span: Span): never {
    throw new CellError(`${what}: ${SUBSET}`, span);
  }

  call(path: string, site: CallSite): Value | undefined {
    return this.host.call(path, site);
  }

  member(value: HostValue, name: string): Value | undefined {
    return this.host.member(value, name);
  }

  modelMethod(model: ModelNode, name: string, site: CallSite, complete: () => void): Value {
    complete();
    const v = this.host.modelMethod(model, name, site);
    if (v === undefined) this.unavailable(`model.${name}(...) is not available`, site.span);
    return v;
  }
}
