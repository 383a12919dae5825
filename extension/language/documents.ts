/**
 * What the language features analyse: a Python or rnnlab document, or a notebook's code cells as
 * one text. Analyses are cached per document or notebook version.
 */
import * as vscode from 'vscode';
import type { Analysis } from '../../analyzer/graph';
import type { SourceMap } from '../../notebook/cells';
import { analyseTexts } from '../../server/linter';

export const PLAYGROUND_NOTEBOOK = 'rnnlab';
export const JUPYTER_NOTEBOOK = 'jupyter-notebook';

/** Documents of these schemes are views of other text (diffs, output), never linted. */
const IGNORED_SCHEMES = new Set(['git', 'output', 'vscode-scm', 'vscode-chat-code-block']);

/**
 * `playground`: rnnlab cells (or an rnnlab-language document), linted with playground semantics;
 * `jupyter`: a Jupyter notebook's Python cells; `python`: a Python document.
 */
export type UnitKind = 'playground' | 'jupyter' | 'python';

/** One analysed whole: a document, or a notebook whose code cells are analysed together. */
export interface Unit {
  /** The document's or notebook's URI as a string: the key of every cache. */
  key: string;
  kind: UnitKind;
  /** Where settings and pyproject.toml are looked up (the notebook's URI for cells). */
  uri: vscode.Uri;
  notebook: vscode.NotebookDocument | null;
  /** The documents in analysed order: the one document, or the included code cells. */
  docs: vscode.TextDocument[];
  /** The notebook cells of `docs` (same order), for notebooks. */
  cells: vscode.NotebookCell[] | null;
}

/** A unit's analysed text, source map and analysis at one version. */
export interface Analysed {
  version: string;
  source: SourceMap;
  analysis: Analysis;
}

export function isCell(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'vscode-notebook-cell';
}

/**
 * The unit of a notebook, or null for notebooks RNN Lab does not read. Playground cells are
 * `rnnlab` (or `python`) code cells; raw cells (language `raw`) and markdown are left out.
 */
export function unitOfNotebook(notebook: vscode.NotebookDocument): Unit | null {
  let kind: UnitKind;
  if (notebook.notebookType === PLAYGROUND_NOTEBOOK) kind = 'playground';
  else if (notebook.notebookType === JUPYTER_NOTEBOOK) kind = 'jupyter';
  else return null;
  const cells = notebook
    .getCells()
    .filter(
      (c) =>
        c.kind === vscode.NotebookCellKind.Code &&
        (c.document.languageId === 'python' ||
          (kind === 'playground' && c.document.languageId === 'rnnlab')),
    );
  return {
    key: notebook.uri.toString(),
    kind,
    uri: notebook.uri,
    notebook,
    docs: cells.map((c) => c.document),
    cells,
  };
}

/** The notebook a cell document belongs to. */
export function notebookOf(doc: vscode.TextDocument): vscode.NotebookDocument | undefined {
  const uri = doc.uri.toString();
  // A reverted notebook can leave its closed predecessor in the list, with the same cell URIs.
  return vscode.workspace.notebookDocuments.find(
    (nb) => !nb.isClosed && nb.getCells().some((c) => c.document.uri.toString() === uri),
  );
}

/** The unit a document is part of, or null when RNN Lab does not read it. */
export function unitOf(doc: vscode.TextDocument): Unit | null {
  if (isCell(doc)) {
    const notebook = notebookOf(doc);
    const unit = notebook ? unitOfNotebook(notebook) : null;
    return unit && indexIn(unit, doc) >= 0 ? unit : null;
  }
  if (IGNORED_SCHEMES.has(doc.uri.scheme)) return null;
  let kind: UnitKind;
  if (doc.languageId === 'python') kind = 'python';
  else if (doc.languageId === 'rnnlab') kind = 'playground';
  else return null;
  return { key: doc.uri.toString(), kind, uri: doc.uri, notebook: null, docs: [doc], cells: null };
}

/** The index of a document among the unit's documents (-1 when it is not one of them). */
export function indexIn(unit: Unit, doc: vscode.TextDocument): number {
  const uri = doc.uri.toString();
  return unit.docs.findIndex((d) => d.uri.toString() === uri);
}

function versionOf(unit: Unit): string {
  const docs = unit.docs.map((d) => `${d.uri.toString()}@${d.version}`).join('|');
  return unit.notebook ? `${unit.notebook.version}|${docs}` : docs;
}

/** Analyses units, one cached analysis per unit, reused while its version is unchanged. */
export class Documents {
  private readonly cache = new Map<string, Analysed>();

  constructor(private readonly log: vscode.OutputChannel) {}

  analyse(unit: Unit): Analysed {
    const version = versionOf(unit);
    const cached = this.cache.get(unit.key);
    if (cached && cached.version === version) return cached;
    const { source, analysis } = analyseTexts(
      unit.docs.map((d) => d.getText()),
      { notebook: unit.notebook !== null, kind: unit.kind },
      (e) =>
        this.log.appendLine(`analysis of ${unit.uri.toString(true)} failed: ${(e as Error).stack}`),
    );
    const analysed: Analysed = { version, source, analysis };
    this.cache.set(unit.key, analysed);
    return analysed;
  }

  forget(key: string): void {
    this.cache.delete(key);
  }

  dispose(): void {
    this.cache.clear();
  }
}
