/** Output-shape inlay hints: where each layer application ends and what it produces. Pure. */
import { formatShapes } from '../analyzer/format';
import type { Analysis, LayerCall } from '../analyzer/graph';

/** At most this many different shapes are shown at one place (a loop building several layers). */
export const MAX_SHAPES_PER_HINT = 3;

export interface ShapeHint {
  /** Offset in the analysed text just after the call's closing parenthesis. */
  offset: number;
  /** `→ (None, 50, 64)`. */
  label: string;
}

/** A call's output as Keras prints it; a list for several outputs; null when any is unknown. */
export function callShape(call: LayerCall): string | null {
  if (call.outputs.length === 0 || call.outputs.some((t) => t.shape === null)) return null;
  return formatShapes(call.outputs.map((t) => t.shape));
}

/**
 * The shapes of several calls written at one place, `(a) | (b)` when they differ; null when one
 * of them is unknown or there are more than MAX_SHAPES_PER_HINT different ones.
 */
export function shapesLabel(calls: readonly LayerCall[]): string | null {
  const shapes: string[] = [];
  for (const call of calls) {
    const shape = callShape(call);
    if (shape === null) return null;
    if (!shapes.includes(shape)) shapes.push(shape);
  }
  if (shapes.length === 0 || shapes.length > MAX_SHAPES_PER_HINT) return null;
  return shapes.join(' | ');
}

/**
 * One hint per source location, sorted by offset: after every layer call (the constructor of a
 * Sequential layer, or `layer(...)(x)`) whose output shape is known. Layers owned by a wrapper
 * have no calls of their own; calls repeated by a loop share one hint.
 */
export function shapeHints(analysis: Analysis): ShapeHint[] {
  const byEnd = new Map<number, LayerCall[]>();
  for (const layer of analysis.layers) {
    if (layer.wrapped) continue;
    for (const call of layer.calls) {
      const at = byEnd.get(call.span.to);
      if (at) at.push(call);
      else byEnd.set(call.span.to, [call]);
    }
  }
  const hints: ShapeHint[] = [];
  for (const [offset, calls] of byEnd) {
    const label = shapesLabel(calls);
    if (label !== null) hints.push({ offset, label: `→ ${label}` });
  }
  return hints.sort((a, b) => a.offset - b.offset);
}
