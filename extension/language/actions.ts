/** Quick fixes from the linter, "Ignore CODE on this line", and "Explain CODE" (rnnlab.explainRule). */
import * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import { RULES, RULES_BY_CODE, type Edit } from '../../lint/index';
import { codeOf, ruleDoc, type Linted, type Linter } from './diagnostics';
import { indexIn, toRange, unitOf } from './documents';
import { noqaEdit } from '../../lint/noqa';

export const EXPLAIN_COMMAND = 'rnnlab.explainRule';

/** A workspace edit from analysed-text edits: each edit lands on the cell document it is in. */
export function workspaceEdit(linted: Linted, edits: readonly Edit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) {
    const at = linted.analysed.source.range(e.span);
    const doc = linted.unit.docs[at.cell];
    if (doc) edit.replace(doc.uri, toRange(at), e.newText);
  }
  return edit;
}

export class LintActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly linter: Linter) {}

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    if (context.only && !context.only.intersects(vscode.CodeActionKind.QuickFix)) return [];
    const unit = unitOf(document);
    if (!unit) return [];
    const linted = await this.linter.current(unit);
    if (!linted || token.isCancellationRequested) return [];
    const cell = indexIn(linted.unit, document);
    if (cell < 0) return [];
    const here = linted.findings.flatMap((f) => {
      const at = linted.analysed.source.range(f.span);
      const r = toRange(at);
      return at.cell === cell && r.intersection(range) ? [{ f, r }] : [];
    });
    const fixes: vscode.CodeAction[] = [];
    const ignores: vscode.CodeAction[] = [];
    const explains: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const { f, r } of here) {
      const diagnostics = context.diagnostics.filter(
        (d) => codeOf(d) === f.code && d.range.isEqual(r),
      );
      for (const fix of f.fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.isPreferred = fix.isPreferred;
        action.diagnostics = diagnostics;
        action.edit = workspaceEdit(linted, fix.edits);
        fixes.push(action);
      }
      const ignore = noqaEdit(linted.analysed.source.text, f.anchor, f.code);
      const ignoreKey = ignore ? `${f.code}@${ignore.span.from}` : '';
      if (ignore && !seen.has(ignoreKey)) {
        seen.add(ignoreKey);
        const action = new vscode.CodeAction(
          `Ignore ${f.code} on this line`,
          vscode.CodeActionKind.QuickFix,
        );
        action.diagnostics = diagnostics;
        action.edit = workspaceEdit(linted, [ignore]);
        ignores.push(action);
      }
      if (!seen.has(f.code)) {
        seen.add(f.code);
        const action = new vscode.CodeAction(`Explain ${f.code}`, vscode.CodeActionKind.QuickFix);
        action.diagnostics = diagnostics;
        action.command = {
          command: EXPLAIN_COMMAND,
          title: `Explain ${f.code}`,
          arguments: [f.code],
        };
        explains.push(action);
      }
    }
    return [...fixes, ...ignores, ...explains];
  }
}

/** Asks which rule to explain (the command was run without a known code). */
function pickRule(): Thenable<{ label: string } | undefined> {
  return vscode.window.showQuickPick(
    RULES.map((r) => ({ label: r.code, description: r.name, detail: r.summary })),
    { placeHolder: 'Which rule should be explained?', matchOnDescription: true },
  );
}

/**
 * rnnlab.explainRule(code): the rule's documentation in the Markdown preview, or as a file when
 * the preview is unavailable. Without a known code, asks which rule.
 */
export function registerExplainRule(lab: RnnLab): vscode.Disposable {
  return vscode.commands.registerCommand(EXPLAIN_COMMAND, async (arg?: unknown) => {
    let code = typeof arg === 'string' ? arg.trim().toUpperCase() : undefined;
    if (!code || !RULES_BY_CODE.has(code)) {
      code = (await pickRule())?.label;
      if (!code) return;
    }
    const uri = ruleDoc(lab, code);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch (e) {
      lab.log.appendLine(
        `markdown preview of ${code} failed (${(e as Error).message}); opening the file`,
      );
      try {
        await vscode.window.showTextDocument(uri, { preview: true });
      } catch (e2) {
        void vscode.window.showErrorMessage(
          `RNN Lab could not open the documentation of ${code}: ${(e2 as Error).message}`,
        );
      }
    }
  });
}
