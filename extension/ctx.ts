/**
 * The extension's context, built once by `activate` and handed to every feature (as
 * rust-analyzer's `ctx.ts`): the VS Code extension context, the log and the lint settings.
 * Features import this module, never extension.ts, so that nothing imports the entry point back.
 */
import * as vscode from 'vscode';
import { LintSettings } from './settings';

/** What every feature gets: the extension context, a log, and the lint settings. */
export interface RnnLab {
  context: vscode.ExtensionContext;
  log: vscode.OutputChannel;
  settings: LintSettings;
}

/** Creates the context; its log and settings are disposed with the extension. */
export function createContext(context: vscode.ExtensionContext): RnnLab {
  const log = vscode.window.createOutputChannel('RNN Lab');
  context.subscriptions.push(log);
  const settings = new LintSettings(log);
  context.subscriptions.push(settings);
  return { context, log, settings };
}
