/** Diagnostics, quick fixes, hovers, inlay hints and the summary command for Keras code. */
import * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import { LintActions, registerExplainRule } from './actions';
import { Linter } from './diagnostics';
import { Documents } from './documents';
import { LayerHovers, ShapeHints, registerShowSummary } from './features';

/**
 * Python documents, Jupyter notebooks' Python cells, and playground (`rnnlab`) cells. The
 * features check again which documents they read (see documents.ts).
 */
export const SELECTOR: vscode.DocumentSelector = [{ language: 'python' }, { language: 'rnnlab' }];

export function registerLanguageFeatures(lab: RnnLab): vscode.Disposable[] {
  const documents = new Documents(lab.log);
  const linter = new Linter(lab, documents);
  const hints = new ShapeHints(documents, linter, lab.settings);
  return [
    documents,
    linter,
    hints,
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      new LintActions(linter),
      LintActions.metadata,
    ),
    vscode.languages.registerHoverProvider(SELECTOR, new LayerHovers(linter)),
    vscode.languages.registerInlayHintsProvider(SELECTOR, hints),
    registerExplainRule(lab),
    registerShowSummary(documents),
  ];
}
