/** Which model "Show Model Summary" describes, and the text it shows. Pure. */
import type { Analysis, ModelNode } from '../analyzer/graph';
import type { Span } from '../analyzer/python/values';
import { formatSummary, summarize } from '../analyzer/summary';

const holds = (span: Span, offset: number) => span.from <= offset && offset <= span.to;

/**
 * The model under the cursor: the one whose constructor holds the offset, else the one with a
 * layer (constructor or application) or its `compile(...)` there; else the last model of the text.
 * Null when the text builds no model.
 */
export function modelAt(analysis: Analysis, offset: number | null): ModelNode | null {
  const models = analysis.models;
  if (offset !== null) {
    const byConstructor = models.filter((m) => holds(m.site.span, offset));
    // Nested constructors (a model built inside another's call): the innermost one.
    if (byConstructor.length > 0)
      return byConstructor.reduce((a, b) =>
        b.site.span.to - b.site.span.from < a.site.span.to - a.site.span.from ? b : a,
      );
    const byLayer = models.find(
      (m) =>
        (m.compile !== null && holds(m.compile.span, offset)) ||
        m.layers.some(
          (l) => holds(l.site.span, offset) || l.calls.some((c) => holds(c.span, offset)),
        ),
    );
    if (byLayer) return byLayer;
  }
  return models[models.length - 1] ?? null;
}

/** The summary document's text: Keras's table, and where the model was built. */
export function summaryText(model: ModelNode, where: string): string {
  const notes: string[] = [];
  if (model.opaque)
    notes.push('Part of this model could not be followed statically: shapes after it are unknown.');
  if (model.inputSource === null)
    notes.push('No input shape is declared: Keras leaves this model unbuilt until it sees data.');
  return [formatSummary(summarize(model)), '', `Built at ${where}.`, ...notes, ''].join('\n');
}
