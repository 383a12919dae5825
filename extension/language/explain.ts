/**
 * rnnlab.explainRule: the command the server's "Explain CODE" code action runs (and hovers link
 * to), opening the rule's documentation inside VS Code.
 */
import * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import { docPath, RULES, RULES_BY_CODE } from '../../lint/index';
import { EXPLAIN_COMMAND } from '../../server/protocol';

/** The URI of a rule's documentation inside the extension. */
export function ruleDoc(lab: RnnLab, code: string): vscode.Uri {
  return vscode.Uri.joinPath(lab.context.extensionUri, docPath(code));
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
