/**
 * The open documents and notebooks, and what the features analyse: a Python or rnnlab document,
 * or a notebook's code cells as one text (LSP notebook sync, or the `rnnlab/notebookCells`
 * fallback). Every message is checked before it changes anything: a malformed one is ignored
 * with a log line, never half applied.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  NotebookCellKind,
  type DidChangeNotebookDocumentParams,
  type DidChangeTextDocumentParams,
  type DidOpenNotebookDocumentParams,
  type TextDocumentContentChangeEvent,
  type TextDocumentItem,
} from 'vscode-languageserver';
import { JUPYTER_NOTEBOOK, PLAYGROUND_NOTEBOOK, type NotebookCellsParams } from './protocol';

/**
 * `playground`: rnnlab cells (or an rnnlab-language document), linted with playground semantics;
 * `jupyter`: a Jupyter notebook's Python cells; `python`: a Python document.
 */
export type UnitKind = 'playground' | 'jupyter' | 'python';

/** One analysed whole: a document, or a notebook whose code cells are analysed together. */
export interface Unit {
  /** The document's or notebook's URI: the key of every cache. */
  key: string;
  kind: UnitKind;
  notebook: boolean;
  /** The documents in analysed order: the one document, or the included code cells. */
  docs: TextDocument[];
  /** Changes whenever the text of any document or the cell list changes. */
  version: string;
}

/** Documents of these schemes are views of other text (diffs, output), never linted. */
const IGNORED_SCHEMES = new Set(['git', 'output', 'vscode-scm', 'vscode-chat-code-block']);
const CELL_SCHEME = 'vscode-notebook-cell';

interface Cell {
  uri: string;
  kind: number;
}

interface Notebook {
  uri: string;
  kind: 'playground' | 'jupyter';
  version: number;
  cells: Cell[];
  /** Through LSP notebook sync (cell texts here) or the fallback (cells are text documents). */
  synced: boolean;
}

const schemeOf = (uri: string) => /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';
const isString = (v: unknown): v is string => typeof v === 'string';
const isItem = (v: unknown): v is TextDocumentItem => {
  const i = v as TextDocumentItem | null;
  return (
    typeof i === 'object' &&
    i !== null &&
    isString(i.uri) &&
    isString(i.languageId) &&
    isString(i.text) &&
    typeof i.version === 'number'
  );
};
const isChanges = (v: unknown): v is TextDocumentContentChangeEvent[] =>
  Array.isArray(v) && v.every((c) => typeof c === 'object' && c !== null && isString(c.text));

function notebookKind(type: unknown): Notebook['kind'] | null {
  if (type === PLAYGROUND_NOTEBOOK) return 'playground';
  if (type === JUPYTER_NOTEBOOK) return 'jupyter';
  return null;
}

/** A malformed message: the workspace is left as it was. */
export class BadMessage extends Error {}

/** The open documents and notebooks; answers which unit a URI belongs to. */
export class Workspace {
  /** Documents opened with textDocument/didOpen (fallback notebook cells among them). */
  private readonly texts = new Map<string, TextDocument>();
  /** Cell documents of notebooks synced through LSP notebook sync. */
  private readonly cellTexts = new Map<string, TextDocument>();
  private readonly notebooks = new Map<string, Notebook>();
  /** Cell document URI → the URI of the notebook it is a cell of. */
  private readonly owners = new Map<string, string>();

  /** textDocument/didOpen; returns the key of the unit to lint again. */
  openText(item: unknown): string {
    if (!isItem(item))
      throw new BadMessage('didOpen needs a textDocument {uri, languageId, version, text}');
    this.texts.set(
      item.uri,
      TextDocument.create(item.uri, item.languageId, item.version, item.text),
    );
    return this.owners.get(item.uri) ?? item.uri;
  }

  /** textDocument/didChange; returns the key of the unit to lint again. */
  changeText(params: DidChangeTextDocumentParams): string {
    const uri: unknown = params?.textDocument?.uri;
    const doc = isString(uri) ? this.texts.get(uri) : undefined;
    if (!doc) throw new BadMessage(`didChange for a document that is not open: ${String(uri)}`);
    this.applyChanges(this.texts, doc, params.textDocument.version, params.contentChanges);
    return this.owners.get(doc.uri) ?? doc.uri;
  }

  /** textDocument/didClose; returns the key of the unit it was part of. */
  closeText(uri: unknown): string | null {
    if (!isString(uri) || !this.texts.delete(uri)) return null;
    return this.owners.get(uri) ?? uri;
  }

  private applyChanges(
    store: Map<string, TextDocument>,
    doc: TextDocument,
    version: unknown,
    changes: unknown,
  ): void {
    if (typeof version !== 'number' || !isChanges(changes))
      throw new BadMessage(`didChange of ${doc.uri} needs a version and a list of content changes`);
    // Validated above: an update never fails half way.
    store.set(doc.uri, TextDocument.update(doc, changes, version));
  }

  /** notebookDocument/didOpen; returns the notebook's key. */
  openNotebook(params: DidOpenNotebookDocumentParams): string {
    const nb = params?.notebookDocument;
    const items: unknown[] = Array.isArray(params?.cellTextDocuments)
      ? params.cellTextDocuments
      : [];
    if (!nb || !isString(nb.uri) || !Array.isArray(nb.cells) || !items.every(isItem))
      throw new BadMessage(
        'notebookDocument/didOpen needs a notebookDocument with cells and their texts',
      );
    const kind = notebookKind(nb.notebookType);
    this.forget(nb.uri);
    if (!kind) return nb.uri;
    this.notebooks.set(nb.uri, {
      uri: nb.uri,
      kind,
      version: Number(nb.version) || 0,
      cells: nb.cells
        .filter((c) => isString(c?.document))
        .map((c) => ({ uri: c.document, kind: c.kind })),
      synced: true,
    });
    for (const item of items as TextDocumentItem[])
      this.cellTexts.set(
        item.uri,
        TextDocument.create(item.uri, item.languageId, item.version, item.text),
      );
    this.own(nb.uri);
    return nb.uri;
  }

  /** notebookDocument/didChange: structure, cell data and cell texts; returns the notebook's key. */
  changeNotebook(params: DidChangeNotebookDocumentParams): string {
    const uri: unknown = params?.notebookDocument?.uri;
    const nb = isString(uri) ? this.notebooks.get(uri) : undefined;
    if (!nb || !nb.synced)
      throw new BadMessage(`notebook change for a notebook that is not open: ${String(uri)}`);
    const cells = params.change?.cells;
    // Check everything first: a change is applied whole or not at all.
    const structure = cells?.structure;
    const opened: unknown[] = structure?.didOpen ?? [];
    if (structure && (typeof structure.array?.start !== 'number' || !opened.every(isItem)))
      throw new BadMessage(`notebook change of ${nb.uri} has a malformed cell structure`);
    const texts = cells?.textContent ?? [];
    if (
      !Array.isArray(texts) ||
      texts.some((t) => !isString(t?.document?.uri) || !isChanges(t.changes))
    )
      throw new BadMessage(`notebook change of ${nb.uri} has malformed cell text changes`);
    nb.version = Number(params.notebookDocument.version) || nb.version + 1;
    if (structure) {
      const { start, deleteCount, cells: added } = structure.array;
      nb.cells.splice(
        start,
        Number(deleteCount) || 0,
        ...(added ?? [])
          .filter((c) => isString(c?.document))
          .map((c) => ({ uri: c.document, kind: c.kind })),
      );
      for (const close of structure.didClose ?? []) {
        if (!isString(close?.uri)) continue;
        this.cellTexts.delete(close.uri);
        this.owners.delete(close.uri);
      }
      for (const item of opened as TextDocumentItem[])
        this.cellTexts.set(
          item.uri,
          TextDocument.create(item.uri, item.languageId, item.version, item.text),
        );
    }
    for (const data of cells?.data ?? []) {
      const cell = nb.cells.find((c) => c.uri === data?.document);
      if (cell && typeof data.kind === 'number') cell.kind = data.kind;
    }
    for (const t of texts) {
      const doc = this.cellTexts.get(t.document.uri);
      if (doc) this.applyChanges(this.cellTexts, doc, t.document.version, t.changes);
    }
    this.own(nb.uri);
    return nb.uri;
  }

  /** notebookDocument/didClose; returns the cell URIs it had (their diagnostics go). */
  closeNotebook(uri: unknown): string[] {
    if (!isString(uri)) return [];
    const nb = this.notebooks.get(uri);
    if (!nb) return [];
    this.forget(uri);
    return nb.cells.map((c) => c.uri);
  }

  /** rnnlab/notebookCells (clients without notebook sync); returns the notebook's key. */
  setCells(params: NotebookCellsParams): string {
    if (
      !isString(params?.notebook) ||
      !Array.isArray(params.cells) ||
      !params.cells.every(isString)
    )
      throw new BadMessage(
        'rnnlab/notebookCells needs {notebook: URI, cells: [cell URIs in order]}',
      );
    const existing = this.notebooks.get(params.notebook);
    if (existing?.synced)
      throw new BadMessage(
        `${params.notebook} is synced through LSP notebook sync; send its cells there`,
      );
    this.forget(params.notebook);
    const kind = notebookKind(params.notebookType ?? JUPYTER_NOTEBOOK);
    if (!kind || params.cells.length === 0) return params.notebook;
    this.notebooks.set(params.notebook, {
      uri: params.notebook,
      kind,
      version: (existing?.version ?? 0) + 1,
      cells: params.cells.map((uri) => ({ uri, kind: NotebookCellKind.Code })),
      synced: false,
    });
    this.own(params.notebook);
    return params.notebook;
  }

  private own(notebook: string): void {
    for (const c of this.notebooks.get(notebook)?.cells ?? []) this.owners.set(c.uri, notebook);
  }

  private forget(notebook: string): void {
    const nb = this.notebooks.get(notebook);
    if (!nb) return;
    for (const c of nb.cells) {
      if (this.owners.get(c.uri) === notebook) this.owners.delete(c.uri);
      if (nb.synced) this.cellTexts.delete(c.uri);
    }
    this.notebooks.delete(notebook);
  }

  /** The notebook URI a cell document belongs to, if any. */
  ownerOf(uri: string): string | undefined {
    return this.owners.get(uri);
  }

  /** The cell URIs of a notebook (all of them, in order), or [] for no open notebook. */
  cellsOf(notebook: string): string[] {
    return this.notebooks.get(notebook)?.cells.map((c) => c.uri) ?? [];
  }

  /** An open document or cell. */
  document(uri: string): TextDocument | undefined {
    return this.texts.get(uri) ?? this.cellTexts.get(uri);
  }

  /** The keys of every unit: notebooks and the documents that are no notebook's cells. */
  keys(): string[] {
    return [...this.notebooks.keys(), ...[...this.texts.keys()].filter((u) => !this.owners.has(u))];
  }

  /** The unit of a key (a document or notebook URI), or null when RNN Lab does not read it. */
  unit(key: string): Unit | null {
    const nb = this.notebooks.get(key);
    if (nb) return this.notebookUnit(nb);
    const doc = this.texts.get(key);
    if (!doc) return null;
    const scheme = schemeOf(doc.uri);
    // A cell of a notebook the server was not told about: analysed alone it would be wrong.
    if (scheme === CELL_SCHEME || IGNORED_SCHEMES.has(scheme)) return null;
    let kind: UnitKind;
    if (doc.languageId === 'python') kind = 'python';
    else if (doc.languageId === 'rnnlab') kind = 'playground';
    else return null;
    return { key, kind, notebook: false, docs: [doc], version: `${doc.version}` };
  }

  /** The unit a document (or a notebook URI) is part of. */
  unitOf(uri: string): Unit | null {
    const unit = this.unit(this.owners.get(uri) ?? uri);
    if (!unit || !unit.notebook || unit.key === uri) return unit;
    return unit.docs.some((d) => d.uri === uri) ? unit : null;
  }

  /** Code cells of `python` (or, in playgrounds, `rnnlab`); raw and markdown cells are left out. */
  private notebookUnit(nb: Notebook): Unit {
    const store = nb.synced ? this.cellTexts : this.texts;
    const docs = nb.cells.flatMap((c) => {
      const doc = store.get(c.uri);
      const code =
        c.kind === NotebookCellKind.Code &&
        doc !== undefined &&
        (doc.languageId === 'python' || (nb.kind === 'playground' && doc.languageId === 'rnnlab'));
      return code ? [doc] : [];
    });
    const version = `${nb.version}|${docs.map((d) => `${d.uri}@${d.version}`).join('|')}`;
    return { key: nb.uri, kind: nb.kind, notebook: true, docs, version };
  }
}
