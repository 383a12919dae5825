/**
 * The language features over one lint result, as LSP values: diagnostics, code actions, hover,
 * inlay hints, document symbols and the model summary. Pure: the connection is core.ts's job.
 */
import {
  CodeActionKind,
  DiagnosticSeverity,
  LSPErrorCodes,
  ResponseError,
  InlayHintKind,
  MarkupKind,
  SymbolKind,
  type CodeAction,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type InlayHint,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Span } from '../analyzer/python/values';
import { summarize, thousands } from '../analyzer/summary';
import { docUrl, type Edit, type Severity } from '../lint/index';
import { noqaEdit } from '../lint/noqa';
import type { CellRange } from '../notebook/cells';
import { shapeHints } from './hints';
import { hoverMarkdown, layerHeader, layersAt } from './hover';
import {
  lintEnabled,
  MAX_ANALYSED_CHARS,
  MAX_ANALYSED_LINES,
  type Linted,
  type TooLarge,
} from './linter';
import { modelAt, modelNamed, summaryText } from './model-summary';
import {
  EXPLAIN_COMMAND,
  SOURCE,
  type ModelSummaryErrorData,
  type ModelSummaryResult,
} from './protocol';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** An LSP range from a source-map range. */
export function toRange(r: Pick<CellRange, 'start' | 'end'>): Range {
  return {
    start: { line: r.start.line, character: r.start.character },
    end: { line: r.end.line, character: r.end.character },
  };
}

const before = (a: Position, b: Position) =>
  a.line < b.line || (a.line === b.line && a.character < b.character);

/** Whether two ranges overlap or touch (as VS Code's `Range.intersection` is defined). */
export function intersects(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

const contains = (r: Range, p: Position) => !before(p, r.start) && !before(r.end, p);
const sameRange = (a: Range, b: Range) =>
  a.start.line === b.start.line &&
  a.start.character === b.start.character &&
  a.end.line === b.end.line &&
  a.end.character === b.end.character;

/** The index of a document among the unit's documents (-1 when it is not one of them). */
export function cellIndex(linted: Linted, uri: string): number {
  return linted.unit.docs.findIndex((d) => d.uri === uri);
}

/** The one diagnostic of a unit too large to analyse: an Information at its first line. */
export function tooLargeDiagnostic(linted: Linted, size: TooLarge): Diagnostic {
  const doc = linted.unit.docs[0]!;
  const firstLine = doc.getText({
    start: { line: 0, character: 0 },
    end: { line: 1, character: 0 },
  });
  const what = linted.unit.notebook
    ? "This notebook's code cells are"
    : `This ${linted.unit.kind === 'python' ? 'file' : 'document'} is`;
  return {
    range: {
      start: { line: 0, character: 0 },
      end: { line: 0, character: firstLine.replace(/\r?\n$|\r$/, '').length },
    },
    message: `${what} too large for RNN Lab to analyse: ${thousands(size.chars)} characters, ${thousands(size.lines)} lines (the limit is ${thousands(MAX_ANALYSED_CHARS)} characters or ${thousands(MAX_ANALYSED_LINES)} lines). No Keras diagnostics, hovers or shape hints until it is smaller.`,
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
  };
}

/** Diagnostics per document of the unit (in the unit's order). */
export function toDiagnostics(linted: Linted): Diagnostic[][] {
  const { unit, analysed, findings } = linted;
  const byDoc = unit.docs.map((): Diagnostic[] => []);
  if (analysed.tooLarge && lintEnabled(unit, linted.settings) && byDoc[0])
    byDoc[0].push(tooLargeDiagnostic(linted, analysed.tooLarge));
  for (const f of findings) {
    const at = analysed.source.range(f.span);
    const list = byDoc[at.cell];
    if (!list) continue;
    list.push({
      range: toRange(at),
      message: f.message,
      severity: SEVERITY[f.severity],
      source: SOURCE,
      code: f.code,
      codeDescription: { href: docUrl(f.code) },
      relatedInformation: f.related.flatMap((r) => {
        const rat = analysed.source.range(r.span);
        const rdoc = unit.docs[rat.cell];
        return rdoc
          ? [{ location: { uri: rdoc.uri, range: toRange(rat) }, message: r.message }]
          : [];
      }),
    });
  }
  return byDoc;
}

/**
 * A workspace edit from analysed-text edits, each landing on the cell document it is in:
 * versioned `documentChanges` when the client takes them (it then refuses an edit of a document
 * that changed meanwhile), else `changes`.
 */
export function workspaceEdit(
  linted: Linted,
  edits: readonly Edit[],
  versioned: boolean,
): WorkspaceEdit {
  const byDoc = new Map<number, TextEdit[]>();
  for (const e of edits) {
    const at = linted.analysed.source.range(e.span);
    if (!linted.unit.docs[at.cell]) continue;
    const list = byDoc.get(at.cell) ?? [];
    list.push({ range: toRange(at), newText: e.newText });
    byDoc.set(at.cell, list);
  }
  const docs = [...byDoc].map(([cell, list]) => ({ doc: linted.unit.docs[cell]!, list }));
  if (versioned)
    return {
      documentChanges: docs.map(({ doc, list }) => ({
        textDocument: { uri: doc.uri, version: doc.version },
        edits: list,
      })),
    };
  return { changes: Object.fromEntries(docs.map(({ doc, list }) => [doc.uri, list])) };
}

/** Quick fixes, then "Ignore CODE on this line", then "Explain CODE", for findings in a range. */
export function codeActions(
  linted: Linted,
  uri: string,
  range: Range,
  diagnostics: readonly Diagnostic[],
  versioned: boolean,
): CodeAction[] {
  const cell = cellIndex(linted, uri);
  if (cell < 0) return [];
  const here = linted.findings.flatMap((f) => {
    const at = linted.analysed.source.range(f.span);
    const r = toRange(at);
    return at.cell === cell && intersects(r, range) ? [{ f, r }] : [];
  });
  const fixes: CodeAction[] = [];
  const ignores: CodeAction[] = [];
  const explains: CodeAction[] = [];
  const seen = new Set<string>();
  for (const { f, r } of here) {
    const mine = diagnostics.filter(
      (d) => d.source === SOURCE && String(d.code) === f.code && sameRange(d.range, r),
    );
    for (const fix of f.fixes) {
      fixes.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        isPreferred: fix.isPreferred,
        diagnostics: mine,
        edit: workspaceEdit(linted, fix.edits, versioned),
      });
    }
    const ignore = noqaEdit(linted.analysed.source.text, f.anchor, f.code);
    const ignoreKey = ignore ? `${f.code}@${ignore.span.from}` : '';
    if (ignore && !seen.has(ignoreKey)) {
      seen.add(ignoreKey);
      ignores.push({
        title: `Ignore ${f.code} on this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: mine,
        edit: workspaceEdit(linted, [ignore], versioned),
      });
    }
    if (!seen.has(f.code)) {
      seen.add(f.code);
      const title = `Explain ${f.code}`;
      explains.push({
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: mine,
        command: { command: EXPLAIN_COMMAND, title, arguments: [f.code] },
      });
    }
  }
  return [...fixes, ...ignores, ...explains];
}

/** A Markdown link that runs rnnlab.explainRule with a code (VS Code's trusted hovers). */
export function commandLink(code: string): string {
  return `command:${EXPLAIN_COMMAND}?${encodeURIComponent(JSON.stringify([code]))}`;
}

/** The hover on a layer constructor's callee, or null elsewhere. */
export function hover(
  linted: Linted,
  uri: string,
  position: Position,
  link: (code: string) => string,
): Hover | null {
  const { source, analysis } = linted.analysed;
  const offset = source.offsetAt(cellIndex(linted, uri), position);
  if (offset === null) return null;
  const layers = layersAt(analysis, offset);
  if (layers.length === 0) return null;
  return {
    contents: {
      kind: MarkupKind.Markdown,
      value: hoverMarkdown(analysis, layers, linted.findings, link),
    },
    range: toRange(source.range(layers[0]!.site.callee)),
  };
}

/** Output-shape hints inside a range of one document, as the setting allows. */
export function inlayHints(linted: Linted, uri: string, range: Range): InlayHint[] {
  const mode = linted.settings.inlayHints.outputShapes;
  if (mode === 'off' || (mode !== 'always' && linted.unit.kind !== 'playground')) return [];
  const cell = cellIndex(linted, uri);
  const { source, analysis } = linted.analysed;
  return shapeHints(analysis).flatMap((h) => {
    const at = source.position(h.offset);
    const position = { line: at.line, character: at.character };
    if (at.cell !== cell || !contains(range, position)) return [];
    return [{ position, label: h.label, kind: InlayHintKind.Type, paddingLeft: true }];
  });
}

/** Whether document symbols are offered for a unit (playgrounds; `.py` and Jupyter by setting). */
export function symbolsEnabled(linted: Linted): boolean {
  return linted.unit.kind === 'playground' || linted.settings.symbols.pythonFiles;
}

/**
 * Models and their layers in one document (for a notebook, the cell asked about). A model's range
 * covers its constructor and the layers written in the document, so that a functional model's
 * outline entry holds its layers.
 */
export function documentSymbols(linted: Linted, uri: string): DocumentSymbol[] {
  const cell = cellIndex(linted, uri);
  const { source, analysis } = linted.analysed;
  const inCell = (span: Span) => {
    const r = source.range(span);
    return r.cell === cell ? toRange(r) : null;
  };
  const out: DocumentSymbol[] = [];
  for (const model of analysis.models) {
    const selection = inCell(model.site.callee);
    if (!selection) continue;
    const children: DocumentSymbol[] = [];
    let from = model.site.span.from;
    let to = model.site.span.to;
    for (const layer of model.layers) {
      const layerRange = inCell(layer.site.span);
      const layerSelection = inCell(layer.site.callee);
      if (!layerRange || !layerSelection) continue;
      from = Math.min(from, layer.site.span.from);
      to = Math.max(to, layer.site.span.to);
      children.push({
        name: layer.name,
        detail: layerHeader(layer),
        kind: SymbolKind.Field,
        range: layerRange,
        selectionRange: layerSelection,
      });
    }
    const s = summarize(model);
    out.push({
      name: model.name,
      detail: `${model.path}${s.totalParams === null ? '' : ` · ${thousands(s.totalParams)} params`}`,
      kind: SymbolKind.Class,
      range: toRange(source.range({ from, to })),
      selectionRange: selection,
      children,
    });
  }
  return out;
}

/** A failed rnnlab/modelSummary: `RequestFailed`, a message a user can act on, and why. */
export function summaryError(
  reason: ModelSummaryErrorData['reason'],
  message: string,
): ResponseError<ModelSummaryErrorData> {
  return new ResponseError(LSPErrorCodes.RequestFailed, message, { reason });
}

/** Why a unit is not analysed, for the requests that refuse it (`name` is its file name). */
export function tooLargeMessage(name: string, size: TooLarge): string {
  return `${name} is too large for RNN Lab to analyse (${thousands(size.chars)} characters, ${thousands(size.lines)} lines; the limit is ${thousands(MAX_ANALYSED_CHARS)} characters or ${thousands(MAX_ANALYSED_LINES)} lines)`;
}

/** The last segment of a URI's path, decoded (`file:///a/my%20nb.ipynb` → `my nb.ipynb`). */
export function fileName(uri: string): string {
  const path = uri.replace(/^[a-z][a-z0-9+.-]*:/i, '').replace(/[?#].*$/, '');
  const last = path.split(/[/\\]/).pop() || uri;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/**
 * The summary of a model of the unit: the one named `which.model`, else the one at
 * `which.position` in document `uri` (null: no position, or `uri` is the notebook's), else the
 * last one. Null when the unit builds no model. `cellNumber` gives a cell's 1-based number among
 * all the notebook's cells (markdown included), as the notebook, the kernel's errors and the CLI
 * number them.
 */
export function modelSummary(
  linted: Linted,
  uri: string,
  which: { model?: string; position: Position | null },
  cellNumber: (uri: string) => number,
): ModelSummaryResult | ResponseError<ModelSummaryErrorData> | null {
  const { source, analysis, tooLarge } = linted.analysed;
  const name = fileName(linted.unit.key);
  if (tooLarge) return summaryError('tooLarge', tooLargeMessage(name, tooLarge));
  let model;
  if (which.model !== undefined) {
    model = modelNamed(analysis, which.model);
    if (!model) {
      const names = analysis.models.map((m) => JSON.stringify(m.name));
      return summaryError(
        'unknownModel',
        `${name} builds no model named ${JSON.stringify(which.model)} (${names.length > 0 ? `its models: ${names.join(', ')}` : 'it builds no model'})`,
      );
    }
  } else {
    const offset =
      which.position === null ? null : source.offsetAt(cellIndex(linted, uri), which.position);
    model = modelAt(analysis, offset);
  }
  if (!model) return null;
  const at = source.range(model.site.span);
  const doc = linted.unit.docs[at.cell];
  if (!doc) return null;
  const where = linted.unit.notebook
    ? `${name}, cell ${cellNumber(doc.uri)}, line ${at.start.line + 1}`
    : `${name}:${at.start.line + 1}`;
  return {
    summary: summarize(model),
    text: summaryText(model, where),
    location: { uri: doc.uri, range: toRange(at) },
    source: linted.unit.key,
  };
}
