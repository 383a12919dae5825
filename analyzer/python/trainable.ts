/**
 * `layer.trainable = False` reached through a model's layer list: `model.layers[0].trainable =
 * False`, `for layer in base.layers[:n]: layer.trainable = False`. The layers a model's list
 * holds are known once the model is complete, so the assignments are recorded where they are
 * written and applied to the finished graph (`applyFreezes`). Where the layers they reach cannot
 * be known (an index the analyzer does not know, the inner layers of a `keras.applications` model,
 * which it counts as a whole), the split of those weights into trainable and non-trainable is
 * unknown, never guessed; the totals stay known.
 */
import type { SyntaxNode } from '@lezer/common';
import type { LayerNode } from '../graph';
import type { Context, Scope } from './context';
import { asInt, unknownFrom, type Value } from './values';

/** Which items of a layer list an assignment reaches. */
type Selection =
  | { kind: 'all' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | null; stop: number | null }
  | { kind: 'unknown' };

/** One `... .trainable = value` through a layer list, in the order written. */
export interface Freeze {
  /** The model or layer whose `.layers` it goes through. */
  owner: Value;
  select: Selection;
  value: Value;
  /** As written (`base.layers[:15]`), for the reason of an unknown split. */
  label: string;
}

/** `X.layers` → X's node, else null. */
function layersOwner(node: SyntaxNode, cx: Context): SyntaxNode | null {
  if (node.name !== 'MemberExpression' || node.lastChild?.name !== 'PropertyName') return null;
  if (cx.src(node.lastChild) !== 'layers') return null;
  return node.firstChild;
}

/** The selection of `X.layers`, `X.layers[i]` or `X.layers[a:b]`, and X's node. */
function selection(
  node: SyntaxNode,
  cx: Context,
  scope: Scope,
): { owner: SyntaxNode; select: Selection } | null {
  const whole = layersOwner(node, cx);
  if (whole) return { owner: whole, select: { kind: 'all' } };
  if (node.name !== 'MemberExpression' || node.firstChild?.nextSibling?.name !== '[') return null;
  const list = node.firstChild;
  const owner = list ? layersOwner(list, cx) : null;
  if (!owner) return null;
  // The subscript's parts between the brackets: an index, or a slice `a:b` (steps unknown).
  const parts: Array<SyntaxNode | ':'> = [];
  for (let c = list!.nextSibling?.nextSibling ?? null; c && c.name !== ']'; c = c.nextSibling)
    parts.push(c.name === ':' ? ':' : c);
  const value = (p: SyntaxNode | ':' | undefined): number | null | 'bad' => {
    if (p === undefined || p === ':') return null;
    const n = asInt(cx.expr(p, scope));
    return n === null ? 'bad' : n;
  };
  const colons = parts.filter((p) => p === ':').length;
  if (colons === 0 && parts.length === 1) {
    const i = value(parts[0]);
    return {
      owner,
      select: typeof i === 'number' ? { kind: 'index', index: i } : { kind: 'unknown' },
    };
  }
  if (colons === 1) {
    const at = parts.indexOf(':');
    const start = value(parts[at - 1]);
    const stop = value(parts[at + 1]);
    if (start === 'bad' || stop === 'bad' || parts.length > 3)
      return { owner, select: { kind: 'unknown' } };
    return { owner, select: { kind: 'slice', start, stop } };
  }
  return { owner, select: { kind: 'unknown' } };
}

/**
 * The freeze an assignment `OBJ.trainable = value` makes when OBJ is not a known layer: OBJ is
 * `X.layers[...]`, or a loop variable of an enclosing `for OBJ in X.layers[...]`. Null otherwise.
 */
export function freezeThrough(
  cx: Context,
  obj: SyntaxNode,
  value: Value,
  scope: Scope,
): Freeze | null {
  let listNode: SyntaxNode | null = obj;
  if (obj.name === 'VariableName') {
    const name = cx.src(obj);
    listNode = null;
    for (let p = obj.parent; p; p = p.parent) {
      if (p.name !== 'ForStatement') continue;
      const target = p.firstChild?.nextSibling;
      const inKw = target?.nextSibling;
      if (target?.name === 'VariableName' && cx.src(target) === name && inKw?.name === 'in') {
        listNode = inKw.nextSibling;
        break;
      }
    }
    if (!listNode) return null;
  }
  const found = selection(listNode, cx, scope);
  if (!found) return null;
  const owner = cx.expr(found.owner, scope);
  if (owner.kind !== 'model' && owner.kind !== 'layer') return null;
  return { owner, select: found.select, value, label: cx.src(listNode) };
}

/** The items of a list of n a selection takes (Python's indexing), or null when unknown. */
function indexes(select: Selection, n: number): number[] | null {
  const all = Array.from({ length: n }, (_, i) => i);
  switch (select.kind) {
    case 'all':
      return all;
    case 'index': {
      const i = select.index < 0 ? n + select.index : select.index;
      return i >= 0 && i < n ? [i] : null;
    }
    case 'slice': {
      const clamp = (v: number | null, d: number) =>
        v === null ? d : Math.min(n, Math.max(0, v < 0 ? n + v : v));
      return all.slice(clamp(select.start, 0), clamp(select.stop, n));
    }
    case 'unknown':
      return null;
  }
}

/** Applies the freezes, in order, to the finished graph. */
export function applyFreezes(freezes: readonly Freeze[]): void {
  for (const f of freezes) {
    const known = f.value.kind === 'bool';
    if (f.owner.kind === 'layer') {
      // A keras.applications model (or another layer counted as a whole): all of its layers is
      // the layer itself; some of them is a split the analyzer cannot make.
      const layer = f.owner.layer;
      layer.config['trainable'] =
        f.select.kind === 'all' && known
          ? f.value
          : unknownFrom(
              f.label,
              `which of ${layer.name}'s weights ${f.label} freezes is unknown: its layers are not modelled one by one`,
            );
      continue;
    }
    if (f.owner.kind !== 'model') continue;
    const layers: LayerNode[] = f.owner.model.layers;
    const picked = indexes(f.select, layers.length);
    if (picked && known) {
      for (const i of picked) layers[i]!.config['trainable'] = f.value;
      continue;
    }
    const why = unknownFrom(f.label, `which layers ${f.label} sets trainable on is unknown`);
    for (const i of picked ?? layers.map((_, i) => i)) layers[i]!.config['trainable'] = why;
  }
}
