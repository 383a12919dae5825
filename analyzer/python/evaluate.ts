/**
 * The static evaluator: walks a Python syntax tree and builds the model graph from the Keras
 * calls it can follow. It is not an interpreter: whatever it cannot know is `unknown`, and no
 * input makes it throw, hang or allocate without bound. The editor analyses a text leniently
 * (`analyze`); the playground runs cells strictly through the same evaluator (`Interpreter`).
 */
import type { Analysis, ModelNode } from '../graph';
import type { EvaluateOptions } from './context';
import { Evaluator } from './core';
import { MAX_LIVE_DEPTH } from './limits';
import { LenientPolicy, StrictPolicy, type Host } from './policy';
import type { Value } from './values';

export type { EvaluateOptions } from './context';
export { MAX_DEPTH, MAX_UNROLL, MAX_WRAP_DEPTH, STEP_BUDGET } from './limits';
export { parseNumber, parseString } from './literals';
export { CellError, SUBSET, type Host } from './policy';

/** Parses and evaluates Python text, returning every model it builds. */
export function analyze(text: string, options: EvaluateOptions = {}): Analysis {
  const ev = new Evaluator(options, new LenientPolicy());
  ev.exec(text);
  return ev.analysis();
}

/**
 * The playground's interpreter: cells run in order in one persistent namespace (names, Keras's
 * name counters, models), strictly: unsupported code is a CellError, never silently skipped.
 */
export class Interpreter {
  private readonly ev: Evaluator;
  constructor(host: Host, options: EvaluateOptions = {}) {
    this.ev = new Evaluator(options, new StrictPolicy(host));
  }
  /** Runs one cell's text; throws CellError (span within the cell) for what the subset lacks. */
  run(text: string): void {
    this.ev.exec(text);
  }
  /** Every model built so far. */
  get models(): ModelNode[] {
    return this.ev.graph.models;
  }
  /** A name's current value in the namespace. */
  lookup(name: string): Value | undefined {
    return this.ev.moduleScope.lookup(name);
  }
  /** The models some name in the namespace still holds (directly or inside a container). */
  liveModels(): Set<ModelNode> {
    const live = new Set<ModelNode>();
    const visit = (v: Value, depth: number) => {
      if (depth > MAX_LIVE_DEPTH) return;
      if (v.kind === 'model') live.add(v.model);
      else if (v.kind === 'tuple' || v.kind === 'list') v.items.forEach((x) => visit(x, depth + 1));
      else if (v.kind === 'dict') v.entries.forEach(([, x]) => visit(x, depth + 1));
      else if (v.kind === 'func' && v.fn.returns) visit(v.fn.returns, depth + 1);
    };
    for (const v of this.ev.moduleScope.vars.values()) visit(v, 0);
    return live;
  }
}
