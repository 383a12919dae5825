/** `rnnlab summary`: Keras-style summaries of every model in the given files. */
import { formatSummary, summarize } from '../analyzer/summary';
import { analyzerOptions, type Target } from '../lint/index';
import { analyseFile, where } from './analysis';
import { collectFiles } from './files';
import type { Output } from './output';

export interface SummaryOptions {
  format: 'text' | 'json';
  paths: string[];
  /** The project's target: `keras2-multibackend` gives its layer defaults (GRU reset_after=False). */
  target?: Target;
}

/** Runs the summary command; returns the exit code. */
export function runSummary(opts: SummaryOptions, out: Output): number {
  const files = collectFiles(opts.paths);
  const models: unknown[] = [];
  const text: string[] = [];
  const status = { ioError: false };
  for (const file of files) {
    const analysed = analyseFile(file, out, status, analyzerOptions(opts.target ?? 'keras3'));
    if (!analysed) continue;
    const { analysis, index } = analysed;
    for (const model of analysis.models) {
      const s = summarize(model);
      const p = index.position(model.site.span.from);
      const at = where(file, p, false);
      models.push({
        name: s.name,
        file,
        ...(p.cell !== undefined ? { cell: p.cell } : {}),
        line: p.line,
        layers: s.rows.map((r) => ({
          name: r.name,
          type: r.type,
          outputShape: r.outputShape,
          params: r.params,
          trainableParams: r.trainable,
          reason: r.reason,
        })),
        totalParams: s.totalParams,
        trainableParams: s.trainableParams,
        nonTrainableParams: s.nonTrainableParams,
        reason: s.unknownReason,
        unbuilt: s.unbuilt,
      });
      // An opaque model's totals are unknown, and formatSummary's totals line says why.
      text.push(`${at}\n${formatSummary(s)}\n`);
    }
  }
  if (opts.format === 'json') out.log(JSON.stringify({ models }, null, 2));
  else out.log(text.length ? text.join('\n') : 'No Keras models found.');
  return status.ioError ? 2 : 0;
}
