/**
 * The playground's own module, `rnnlab`, as the analyzer knows it: its public names (what
 * `from rnnlab import *` binds; the kernel's session implements them) and the rule that a model
 * handed to one of its functions is complete at that point, as a model method sees it.
 */
import type { CallSite, ModelNode } from '../graph';
import type { Value } from './values';

/** The public names of `rnnlab`. */
export const RNNLAB_NAMES: readonly string[] = ['datasets', 'show_masks', 'compare'];

/** Whether a qualified name belongs to the playground's module (`rnnlab.show_masks`). */
export function isRnnlabPath(path: string): boolean {
  return path === 'rnnlab' || path.startsWith('rnnlab.');
}

/**
 * The models among a call's arguments, also inside lists, tuples and dicts (`compare({...})`):
 * the kernel builds them, so their graphs must be finished first (a Sequential may have had
 * layers added in the same cell).
 */
export function modelsIn(site: CallSite): ModelNode[] {
  const out = new Set<ModelNode>();
  const visit = (v: Value, depth: number): void => {
    if (depth > 3) return;
    if (v.kind === 'model') out.add(v.model);
    else if (v.kind === 'list' || v.kind === 'tuple') for (const i of v.items) visit(i, depth + 1);
    else if (v.kind === 'dict') for (const [, i] of v.entries) visit(i, depth + 1);
  };
  for (const a of site.args) visit(a.value, 0);
  return [...out];
}
