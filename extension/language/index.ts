/** Diagnostics, quick fixes, hovers, inlay hints and the summary command for Keras code. */
import type * as vscode from 'vscode';
import type { RnnLab } from '../extension';

export function registerLanguageFeatures(lab: RnnLab): vscode.Disposable[] {
  void lab;
  return [];
}
