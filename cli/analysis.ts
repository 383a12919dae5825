/** Loads and analyses one file for a CLI command, reporting skips and notes on stderr. */
import type { Analysis } from '../analyzer/graph';
import { analyze, type EvaluateOptions } from '../analyzer/python/evaluate';
import type { Position, SourceDoc } from '../notebook/cells';
import { loadFile } from './files';
import type { Output } from './output';

export interface AnalysedFile {
  file: string;
  doc: SourceDoc;
  analysis: Analysis;
  /** Positions in the file (the document itself). */
  index: SourceDoc;
}

/** `path:line:col` or `path.ipynb:cellN:line:col`, clickable in terminals and VS Code. */
export function where(file: string, p: Position, withColumn = true): string {
  const cell = p.cell !== undefined ? `cell${p.cell}:` : '';
  return `${file}:${cell}${p.line}${withColumn ? `:${p.column}` : ''}`;
}

/**
 * Analyses a file; returns null (after a one-line message) when it cannot be read.
 * `ioError` is set when the failure was an I/O error rather than a skipped file.
 */
export function analyseFile(
  file: string,
  out: Output,
  status: { ioError: boolean },
  options: EvaluateOptions = {},
): AnalysedFile | null {
  const loaded = loadFile(file);
  if (!loaded.ok) {
    out.err(`${file}: ${loaded.message}`);
    if (loaded.message.startsWith('cannot read')) status.ioError = true;
    return null;
  }
  if (loaded.warning) out.err(`${file}: ${loaded.warning}`);
  const analysis = analyze(loaded.doc.text, options);
  const index = loaded.doc;
  for (const note of analysis.notes)
    out.err(`${where(file, index.position(note.span.from))}: ${note.message}`);
  return { file, doc: loaded.doc, analysis, index };
}
