/**
 * Lint as you type: one debounced run per document or notebook, findings published on the cell
 * documents they belong to. Only document text is read (untrusted and virtual workspaces work).
 */
import * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import { docPath, lint, type Finding, type Severity } from '../../lint/index';
import {
  Documents,
  isCell,
  notebookOf,
  refresh,
  toRange,
  unitOf,
  unitOfNotebook,
  type Analysed,
  type Unit,
} from './documents';

export const SOURCE = 'rnnlab';

/** The analysis and findings of a unit at one version. */
export interface Linted {
  unit: Unit;
  analysed: Analysed;
  /** Empty when linting is off for the unit. */
  findings: Finding[];
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Whether the settings lint this unit. */
export function lintEnabled(unit: Unit): boolean {
  const cfg = vscode.workspace.getConfiguration('rnnlab', unit.uri);
  if (!cfg.get<boolean>('lint.enable', true)) return false;
  if (unit.kind === 'python') return cfg.get<boolean>('lint.pythonFiles', true);
  if (unit.kind === 'jupyter') return cfg.get<boolean>('lint.jupyterNotebooks', true);
  return true;
}

function lintDelay(unit: Unit): number {
  const ms = vscode.workspace.getConfiguration('rnnlab', unit.uri).get<number>('lint.delay', 300);
  return Math.max(0, Math.min(5000, Number.isFinite(ms) ? ms : 300));
}

/** The URI of a rule's documentation inside the extension. */
export function ruleDoc(lab: RnnLab, code: string): vscode.Uri {
  return vscode.Uri.joinPath(lab.context.extensionUri, docPath(code));
}

/** VS Code diagnostics of a lint result, per document of the unit (in the unit's order). */
export function toDiagnostics(lab: RnnLab, linted: Linted): vscode.Diagnostic[][] {
  const { unit, analysed, findings } = linted;
  const byDoc = unit.docs.map((): vscode.Diagnostic[] => []);
  for (const f of findings) {
    const at = analysed.source.range(f.span);
    const list = byDoc[at.cell];
    if (!list) continue;
    const d = new vscode.Diagnostic(toRange(at), f.message, SEVERITY[f.severity]);
    d.source = SOURCE;
    d.code = { value: f.code, target: ruleDoc(lab, f.code) };
    d.relatedInformation = f.related.flatMap((r) => {
      const rat = analysed.source.range(r.span);
      const rdoc = unit.docs[rat.cell];
      if (!rdoc) return [];
      return [
        new vscode.DiagnosticRelatedInformation(
          new vscode.Location(rdoc.uri, toRange(rat)),
          r.message,
        ),
      ];
    });
    list.push(d);
  }
  return byDoc;
}

/** The code of one of our diagnostics (`DR101`), or undefined for anyone else's. */
export function codeOf(d: vscode.Diagnostic): string | undefined {
  if (d.source !== SOURCE) return undefined;
  const c = d.code;
  if (typeof c === 'object' && c !== null) return String(c.value);
  return c === undefined ? undefined : String(c);
}

export class Linter implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('rnnlab');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The latest run per unit: an older run that finishes late publishes nothing. */
  private readonly tickets = new Map<string, number>();
  private nextTicket = 0;
  /** The documents that hold diagnostics, per unit (URI strings to URIs). */
  private readonly published = new Map<string, Map<string, vscode.Uri>>();
  private readonly results = new Map<string, Linted & { generation: number }>();
  /** Bumped when settings change: cached findings are stale. */
  private generation = 0;
  private readonly updated = new vscode.EventEmitter<Unit>();
  /** Fires after a unit was analysed (and linted, when linting is on) again. */
  readonly onDidUpdate = this.updated.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly lab: RnnLab,
    readonly documents: Documents,
  ) {
    const ws = vscode.workspace;
    this.subscriptions.push(
      this.collection,
      this.updated,
      ws.onDidOpenTextDocument((doc) => {
        // A cell opens when it is added or its language changes: its notebook is another text.
        const nb = isCell(doc) ? notebookOf(doc) : undefined;
        if (nb) this.scheduleNotebook(nb, 0);
        else this.scheduleDoc(doc, 0);
      }),
      ws.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.scheduleDoc(e.document);
      }),
      ws.onDidCloseTextDocument((doc) => {
        if (!isCell(doc)) return this.clear(doc.uri.toString(), doc.uri);
        this.collection.delete(doc.uri);
        const nb = notebookOf(doc);
        if (nb) this.scheduleNotebook(nb);
      }),
      ws.onDidOpenNotebookDocument((nb) => this.scheduleNotebook(nb, 0)),
      ws.onDidChangeNotebookDocument((e) => {
        const cellsChanged =
          e.contentChanges.length > 0 || e.cellChanges.some((c) => c.document !== undefined);
        if (cellsChanged) this.scheduleNotebook(e.notebook);
      }),
      ws.onDidCloseNotebookDocument((nb) => this.clear(nb.uri.toString())),
      lab.settings.onDidChange(() => {
        this.generation++;
        this.results.clear();
        this.lintAll();
      }),
    );
    this.lintAll();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.results.clear();
    for (const s of this.subscriptions) s.dispose();
  }

  /** Every open document and notebook, now. */
  lintAll(): void {
    for (const doc of vscode.workspace.textDocuments) if (!isCell(doc)) this.scheduleDoc(doc, 0);
    for (const nb of vscode.workspace.notebookDocuments) this.scheduleNotebook(nb, 0);
  }

  private scheduleDoc(doc: vscode.TextDocument, delay?: number): void {
    const unit = unitOf(doc);
    if (unit) this.schedule(unit, delay);
  }

  private scheduleNotebook(nb: vscode.NotebookDocument, delay?: number): void {
    const unit = unitOfNotebook(nb);
    if (unit) this.schedule(unit, delay);
  }

  schedule(unit: Unit, delay = lintDelay(unit)): void {
    const pending = this.timers.get(unit.key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      unit.key,
      setTimeout(() => {
        this.timers.delete(unit.key);
        void this.run(unit);
      }, delay),
    );
  }

  /** Analyses and lints a unit at its current version (cached while nothing changed). */
  async current(unit: Unit): Promise<Linted | null> {
    const generation = this.generation;
    const options = lintEnabled(unit)
      ? { ...(await this.lab.settings.forUri(unit.uri)), playground: unit.kind === 'playground' }
      : null;
    // The text may have changed while the settings were read: take the unit as it is now.
    const now = refresh(unit);
    if (!now) return null;
    const analysed = this.documents.analyse(now);
    const cached = this.results.get(now.key);
    if (cached && cached.analysed === analysed && cached.generation === generation)
      return { ...cached, unit: now };
    let findings: Finding[] = [];
    if (options) {
      try {
        findings = lint(analysed.analysis, analysed.source.text, options);
      } catch (e) {
        this.lab.log.appendLine(`lint of ${now.uri.toString(true)} failed: ${(e as Error).stack}`);
      }
    }
    const linted: Linted = { unit: now, analysed, findings };
    if (generation === this.generation) this.results.set(now.key, { ...linted, generation });
    return linted;
  }

  private async run(unit: Unit): Promise<void> {
    const ticket = ++this.nextTicket;
    this.tickets.set(unit.key, ticket);
    let linted: Linted | null = null;
    try {
      linted = await this.current(unit);
    } catch (e) {
      this.lab.log.appendLine(`lint of ${unit.uri.toString(true)} failed: ${(e as Error).stack}`);
    }
    if (this.tickets.get(unit.key) !== ticket) return;
    this.tickets.delete(unit.key);
    if (!linted) return;
    this.publish(linted);
    this.updated.fire(linted.unit);
  }

  private publish(linted: Linted): void {
    const key = linted.unit.key;
    const before = this.published.get(key);
    const now = new Map<string, vscode.Uri>();
    toDiagnostics(this.lab, linted).forEach((diagnostics, i) => {
      const uri = linted.unit.docs[i]!.uri;
      this.collection.set(uri, diagnostics);
      if (diagnostics.length > 0) now.set(uri.toString(), uri);
    });
    // Cells that left the unit (deleted, now markdown or another language) lose their diagnostics.
    for (const [s, uri] of before ?? []) if (!now.has(s)) this.collection.delete(uri);
    if (now.size > 0) this.published.set(key, now);
    else this.published.delete(key);
  }

  /** Forgets a closed document or notebook: its diagnostics, caches and pending run. */
  private clear(key: string, uri?: vscode.Uri): void {
    if (uri) this.collection.delete(uri);
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.tickets.delete(key);
    this.results.delete(key);
    this.documents.forget(key);
    for (const uri of this.published.get(key)?.values() ?? []) this.collection.delete(uri);
    this.published.delete(key);
  }
}
