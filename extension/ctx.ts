/**
 * The extension's context, built once by `activate` and handed to every feature (as
 * rust-analyzer's `ctx.ts`): the VS Code extension context and the log. Features import this
 * module, never extension.ts, so that nothing imports the entry point back.
 */
import * as vscode from 'vscode';

/** What every feature gets: the extension context and a log. */
export interface RnnLab {
  context: vscode.ExtensionContext;
  log: vscode.OutputChannel;
}

/** Creates the context; its log is disposed with the extension. */
export function createContext(context: vscode.ExtensionContext): RnnLab {
  const log = vscode.window.createOutputChannel('RNN Lab');
  context.subscriptions.push(log);
  return { context, log };
}
