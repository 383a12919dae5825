/** Commands that are neither notebook- nor language-specific: new playground, export, examples. */
import type * as vscode from 'vscode';
import type { RnnLab } from '../extension';

export function registerCommands(lab: RnnLab): vscode.Disposable[] {
  void lab;
  return [];
}
