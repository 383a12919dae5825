/**
 * The language features for Keras code: diagnostics, quick fixes, hovers, inlay hints and the
 * outline come from the language server (client.ts); the extension adds what needs VS Code's UI,
 * the rnnlab.explainRule command and Show Model Summary.
 */
import * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import { registerLanguageClient } from './client';
import { Documents } from './documents';
import { registerExplainRule } from './explain';
import { registerShowSummary } from './features';

export function registerLanguageFeatures(lab: RnnLab): vscode.Disposable[] {
  const documents = new Documents(lab.log);
  return [
    ...registerLanguageClient(lab),
    documents,
    // The summary's analyses are cached per document or notebook: closed ones are forgotten.
    vscode.workspace.onDidCloseTextDocument((d) => documents.forget(d.uri.toString())),
    vscode.workspace.onDidCloseNotebookDocument((nb) => documents.forget(nb.uri.toString())),
    registerExplainRule(lab),
    registerShowSummary(documents),
  ];
}
