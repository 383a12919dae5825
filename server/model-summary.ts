/** Which model "Show Model Summary" describes, and the text it shows. Pure. */
import type { Analysis, ModelNode } from '../analyzer/graph';
import type { Span } from '../analyzer/python/values';
import { formatSummary, summarize, type ModelSummary } from '../analyzer/summary';

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

/** The model of a Keras name (`model.name`; the first, should two share it), or null. */
export function modelNamed(analysis: Analysis, name: string): ModelNode | null {
  return analysis.models.find((m) => m.name === name) ?? null;
}

/** A box-drawn rule of formatSummary's table as an ASCII rule: `=` under the header and at the end. */
const ASCII_RULES: Record<string, string> = { '┏': '_', '┡': '=', '├': '_', '└': '=' };

/**
 * Keras's summary table (formatSummary's, the one layout) in plain ASCII, as Keras 2 printed it
 * (rules of `_` and `=`, no vertical rules): it lines up in any monospace font, where box-drawing
 * glyphs often do not. Counts stay right-aligned; no line ends in spaces.
 */
export function asciiSummary(s: ModelSummary): string {
  return formatSummary(s)
    .split('\n')
    .map((line) => {
      const rule = ASCII_RULES[line[0] ?? ''];
      if (rule !== undefined) return rule.repeat(line.length - 1);
      if (line.startsWith('│') || line.startsWith('┃'))
        return line.slice(1).replace(/[│┃]/g, ' ').trimEnd();
      return line;
    })
    .join('\n');
}

/** The summary document's text: the table, its totals, where the model was built, and notes. */
export function summaryText(model: ModelNode, where: string): string {
  const notes: string[] = [];
  if (model.opaque)
    notes.push('Part of this model could not be followed statically: shapes after it are unknown.');
  const borrowed = model.inputs.find((t) => t.origin)?.origin;
  if (model.inputSource === null && model.kind === 'functional' && borrowed)
    // `Model(base.input, out)` with `base` loaded or otherwise not followed: no shape to show.
    notes.push(
      `Its input comes from ${borrowed.label} (${borrowed.reason}): its shape is unknown.`,
    );
  else if (model.inputSource === null && model.kind === 'subclassed')
    notes.push(
      'No input shape is given (no build() and no call on keras.Input): Keras builds this model on the data it first sees.',
    );
  else if (model.inputSource === null)
    notes.push('No input shape is declared: Keras leaves this model unbuilt until it sees data.');
  return [asciiSummary(summarize(model)), '', `Built at ${where}.`, ...notes, ''].join('\n');
}
