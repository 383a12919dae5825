/**
 * The language features for Keras code: diagnostics, quick fixes, hovers, inlay hints, the
 * outline and model summaries come from the language server (client.ts); the extension adds what
 * needs VS Code's UI, the rnnlab.explainRule command, the Show Model Summary view and Compare Dropout Placements.
 */
import type * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import { registerLanguageClient } from './client';
import { registerExplainRule } from './explain';
import { registerCompare } from './compare';
import { registerShowSummary } from './features';

export function registerLanguageFeatures(lab: RnnLab): vscode.Disposable[] {
  const { client, disposables } = registerLanguageClient(lab);
  return [
    ...disposables,
    registerExplainRule(lab),
    registerShowSummary(client),
    registerCompare(client),
  ];
}
