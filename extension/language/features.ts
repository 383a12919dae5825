/** Hovers on layer constructors, output-shape inlay hints and the Show Model Summary command. */
import * as vscode from 'vscode';
import type { LintSettings } from '../settings';
import { EXPLAIN_COMMAND } from './actions';
import type { Linter } from './diagnostics';
import {
  indexIn,
  toRange,
  unitOf,
  unitOfNotebook,
  type Analysed,
  type Documents,
  type Unit,
} from './documents';
import { shapeHints } from '../../server/hints';
import { hoverMarkdown, layersAt } from '../../server/hover';
import { modelAt, summaryText } from '../../server/model-summary';

export const SUMMARY_COMMAND = 'rnnlab.showModelSummary';

/** A Markdown link that runs rnnlab.explainRule with a code. */
export function explainLink(code: string): string {
  return `command:${EXPLAIN_COMMAND}?${encodeURIComponent(JSON.stringify([code]))}`;
}

export class LayerHovers implements vscode.HoverProvider {
  constructor(private readonly linter: Linter) {}

  async provideHover(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.Hover | undefined> {
    const unit = unitOf(document);
    if (!unit) return undefined;
    const linted = await this.linter.current(unit);
    if (!linted || token.isCancellationRequested) return undefined;
    const cell = indexIn(linted.unit, document);
    const { source, analysis } = linted.analysed;
    const offset = source.offsetAt(cell, position);
    if (offset === null) return undefined;
    const layers = layersAt(analysis, offset);
    if (layers.length === 0) return undefined;
    const md = new vscode.MarkdownString(
      hoverMarkdown(analysis, layers, linted.findings, explainLink),
      true,
    );
    md.isTrusted = { enabledCommands: [EXPLAIN_COMMAND] };
    return new vscode.Hover(md, toRange(source.range(layers[0]!.site.callee)));
  }
}

type HintMode = 'playground' | 'always' | 'off';

export class ShapeHints implements vscode.InlayHintsProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly documents: Documents,
    linter: Linter,
    settings: LintSettings,
  ) {
    this.subscriptions = [
      this.changed,
      // A cell's shapes depend on the cells before it: VS Code only asks again for the edited one.
      linter.onDidUpdate((unit) => {
        if (unit.notebook) this.changed.fire();
      }),
      settings.onDidChange(() => this.changed.fire()),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const unit = unitOf(document);
    if (!unit) return [];
    const mode = vscode.workspace
      .getConfiguration('rnnlab', unit.uri)
      .get<HintMode>('inlayHints.outputShapes', 'playground');
    if (mode === 'off' || (mode !== 'always' && unit.kind !== 'playground')) return [];
    const cell = indexIn(unit, document);
    const { source, analysis } = this.documents.analyse(unit);
    return shapeHints(analysis).flatMap((h) => {
      const at = source.position(h.offset);
      const position = new vscode.Position(at.line, at.character);
      if (at.cell !== cell || !range.contains(position)) return [];
      const hint = new vscode.InlayHint(position, h.label, vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      return [hint];
    });
  }
}

/** `file.py:12` or `nb.ipynb, cell 3, line 2`. */
function describeWhere(unit: Unit, analysed: Analysed, offset: number): string {
  const name = unit.uri.path.split('/').pop() || unit.uri.toString(true);
  const at = analysed.source.position(offset);
  const cell = unit.cells?.[at.cell];
  return cell ? `${name}, cell ${cell.index + 1}, line ${at.line + 1}` : `${name}:${at.line + 1}`;
}

/** The unit of the active editor, and the cursor's offset in its analysed text (when known). */
function activeUnit(
  documents: Documents,
): { unit: Unit; analysed: Analysed; offset: number | null } | null {
  const editor = vscode.window.activeTextEditor;
  const unit = editor ? unitOf(editor.document) : null;
  if (editor && unit) {
    const analysed = documents.analyse(unit);
    const offset = analysed.source.offsetAt(
      indexIn(unit, editor.document),
      editor.selection.active,
    );
    return { unit, analysed, offset };
  }
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  const nbUnit = notebook ? unitOfNotebook(notebook) : null;
  return nbUnit ? { unit: nbUnit, analysed: documents.analyse(nbUnit), offset: null } : null;
}

/** The URI scheme of the read-only summary documents. */
export const SUMMARY_SCHEME = 'rnnlab-summary';

/** The summary document of the model `model` of the unit `source` (a unit key). */
function summaryUri(source: string, model: string): vscode.Uri {
  // The path is the tab's title; ending in ")" it never takes a language from an extension.
  return vscode.Uri.from({
    scheme: SUMMARY_SCHEME,
    path: `/${model.replace(/[/\\]/g, '_')} (model summary)`,
    query: new URLSearchParams({ source, model }).toString(),
  });
}

/** The open (or openable) unit of a key, or null when it is gone (an unsaved playground closed). */
async function unitByKey(key: string): Promise<Unit | null> {
  const notebook = vscode.workspace.notebookDocuments.find(
    (nb) => !nb.isClosed && nb.uri.toString() === key,
  );
  if (notebook) return unitOfNotebook(notebook);
  const doc = vscode.workspace.textDocuments.find((d) => !d.isClosed && d.uri.toString() === key);
  if (doc) return unitOf(doc);
  const uri = vscode.Uri.parse(key);
  if (uri.scheme === 'untitled') return null;
  try {
    if (/\.(rnnlab|ipynb)$/.test(uri.path))
      return unitOfNotebook(await vscode.workspace.openNotebookDocument(uri));
    return unitOf(await vscode.workspace.openTextDocument(uri));
  } catch {
    return null;
  }
}

/**
 * The read-only documents of Show Model Summary: `rnnlab-summary:` URIs naming a source and a
 * model. Their text is computed from the source when VS Code asks (when one opens, and after
 * `refresh`), so they are never dirty, never untitled and close without a save prompt.
 */
class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly documents: Documents) {}

  dispose(): void {
    this.changed.dispose();
  }

  /** Makes VS Code ask again for the text of an open summary document. */
  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const params = new URLSearchParams(uri.query);
    const source = params.get('source') ?? '';
    const name = params.get('model') ?? '';
    const file = vscode.Uri.parse(source).path.split('/').pop() || source;
    const unit = await unitByKey(source);
    if (!unit)
      return `The model's source, ${file}, is no longer open. Open it, put the cursor in the model and run "RNN Lab: Show Model Summary" again.\n`;
    const analysed = this.documents.analyse(unit);
    const model = analysed.analysis.models.find((m) => m.name === name);
    if (!model)
      return `${file} no longer builds a model named "${name}". Put the cursor in a model and run "RNN Lab: Show Model Summary" again.\n`;
    return summaryText(model, describeWhere(unit, analysed, model.site.span.from));
  }
}

/**
 * rnnlab.showModelSummary: the Keras summary of the model under the cursor, read-only, beside
 * the editor. Asked again (from the source, or from the summary itself) it is recomputed.
 */
export function registerShowSummary(documents: Documents): vscode.Disposable {
  const summaries = new SummaryDocuments(documents);
  const command = vscode.commands.registerCommand(SUMMARY_COMMAND, async () => {
    const current = vscode.window.activeTextEditor?.document;
    if (current?.uri.scheme === SUMMARY_SCHEME) {
      summaries.refresh(current.uri);
      return;
    }
    const active = activeUnit(documents);
    if (!active) {
      void vscode.window.showInformationMessage(
        'Show Model Summary works in Python files, Jupyter notebooks and RNN Lab playgrounds: open one and put the cursor in a model.',
      );
      return;
    }
    const model = modelAt(active.analysed.analysis, active.offset);
    if (!model) {
      void vscode.window.showInformationMessage(
        'No Keras model was found in this document: Show Model Summary needs a keras.Sequential or keras.Model.',
      );
      return;
    }
    const uri = summaryUri(active.unit.key, model.name);
    // Already open: VS Code asks again for its text.
    summaries.refresh(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
  });
  return vscode.Disposable.from(
    command,
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    summaries,
  );
}
