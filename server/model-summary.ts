/** Which model "Show Model Summary" describes, and the text it shows. Pure. */
import type { Analysis, ModelNode } from '../analyzer/graph';
import type { Span } from '../analyzer/python/values';
import { summarize, thousands, weightBytes, type ModelSummary } from '../analyzer/summary';

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

const GAP = '   ';

/**
 * Keras's summary table in plain ASCII, as Keras 2 printed it (rules of `_` and `=`): it lines up
 * in any monospace font, where box-drawing glyphs often do not. Counts are right-aligned.
 */
export function asciiSummary(s: ModelSummary): string {
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const cells = s.rows.map((r) => [
    `${r.name} (${r.type})`,
    r.outputShape,
    r.params === null ? '?' : thousands(r.params),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const row = ([layer, shape, params]: string[]) =>
    ` ${layer!.padEnd(widths[0]!)}${GAP}${shape!.padEnd(widths[1]!)}${GAP}${params!.padStart(widths[2]!)}`;
  const total = (label: string, n: number | null) =>
    ` ${label}: ${n === null ? '? (an input size is unknown)' : `${thousands(n)} (${weightBytes(n)})`}`;
  const totals = [
    total('Total params', s.totalParams),
    total('Trainable params', s.trainableParams),
    total('Non-trainable params', s.nonTrainableParams),
  ];
  const width = Math.max(row(head).length, ...totals.map((t) => t.length)) + 1;
  const thin = '_'.repeat(width);
  const thick = '='.repeat(width);
  return [
    `Model: "${s.name}"`,
    thin,
    row(head),
    thick,
    ...cells.flatMap((c, i) => (i === 0 ? [row(c)] : [thin, row(c)])),
    ...(cells.length > 0 ? [thick] : []),
    ...totals,
    thin,
  ].join('\n');
}

/** The summary document's text: the table, its totals, where the model was built, and notes. */
export function summaryText(model: ModelNode, where: string): string {
  const notes: string[] = [];
  if (model.opaque)
    notes.push('Part of this model could not be followed statically: shapes after it are unknown.');
  if (model.inputSource === null)
    notes.push('No input shape is declared: Keras leaves this model unbuilt until it sees data.');
  return [asciiSummary(summarize(model)), '', `Built at ${where}.`, ...notes, ''].join('\n');
}
