/** Playground notebooks: serializer, controller (kernel per notebook), restart. */
import type * as vscode from 'vscode';
import type { RnnLab } from '../extension';

export function registerNotebook(lab: RnnLab): vscode.Disposable[] {
  void lab;
  return [];
}
