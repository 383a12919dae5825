/** `rnnlab summary`: Keras-style summaries of every model in the given files. */
import { analyze } from '../spec/python/evaluate';
import { LineIndex } from '../spec/source';
import { formatSummary, summarize } from '../spec/summary';
import { collectFiles, loadFile } from './files';
import type { Output } from './output';

export interface SummaryOptions {
  format: 'text' | 'json';
  paths: string[];
}

/** Runs the summary command; returns the exit code. */
export function runSummary(opts: SummaryOptions, out: Output): number {
  const files = collectFiles(opts.paths);
  const models: unknown[] = [];
  const text: string[] = [];
  for (const file of files) {
    const loaded = loadFile(file);
    if (!loaded.ok) {
      out.err(`${file}: ${loaded.message}`);
      continue;
    }
    if (loaded.warning) out.err(`${file}: ${loaded.warning}`);
    const analysis = analyze(loaded.doc.text);
    const index = new LineIndex(loaded.doc);
    for (const note of analysis.notes) {
      const p = index.position(note.span.from);
      out.err(
        `${file}:${p.cell !== undefined ? `cell${p.cell}:` : ''}${p.line}:${p.column}: ${note.message}`,
      );
    }
    for (const model of analysis.models) {
      const s = summarize(model);
      const p = index.position(model.site.span.from);
      const where = `${file}:${p.cell !== undefined ? `cell${p.cell}:` : ''}${p.line}`;
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
        })),
        totalParams: s.totalParams,
        trainableParams: s.trainableParams,
        nonTrainableParams: s.nonTrainableParams,
      });
      text.push(
        `${where}\n${formatSummary(s)}${model.opaque ? '\n (part of this model could not be followed statically: shapes after it are unknown)' : ''}\n`,
      );
    }
  }
  if (opts.format === 'json') out.log(JSON.stringify({ models }, null, 2));
  else out.log(text.length ? text.join('\n') : 'No Keras models found.');
  return 0;
}
