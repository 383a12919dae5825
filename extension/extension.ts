/**
 * RNN Lab's VS Code surface. `activate` wires; every feature registers itself from its own module
 * and returns its disposables. Activation stays cheap: the kernel starts on the first run.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands/index';
import { createContext, type RnnLab } from './ctx';
import { languageServerPid, stopLanguageClient } from './language/client';
import { registerLanguageFeatures } from './language/index';
import { registerNotebook } from './notebook/index';

/** Each feature: a name for the activation log, and its registration. */
const FEATURES: Array<[string, (lab: RnnLab) => vscode.Disposable[]]> = [
  ['notebook', registerNotebook],
  ['language', registerLanguageFeatures],
  ['commands', registerCommands],
];

export function activate(context: vscode.ExtensionContext): {
  activationMs: number;
  languageServerPid: () => number | undefined;
} {
  const started = performance.now();
  const lab = createContext(context);
  const { log } = lab;
  for (const [name, register] of FEATURES) {
    try {
      context.subscriptions.push(...register(lab));
    } catch (e) {
      // One broken feature must not leave a half-working extension without saying so.
      const message = `RNN Lab could not start its ${name} features: ${(e as Error).message}`;
      log.appendLine((e as Error).stack ?? message);
      void vscode.window.showErrorMessage(message, 'Show Log').then((pick) => pick && log.show());
    }
  }
  const activationMs = performance.now() - started;
  log.appendLine(`activated in ${activationMs.toFixed(1)} ms`);
  // languageServerPid: for the integration test that kills the server and sees it restart.
  return { activationMs, languageServerPid };
}

export function deactivate(): Promise<void> | undefined {
  // Disposables in context.subscriptions end the kernels; the language server is stopped here
  // (VS Code waits for it).
  return stopLanguageClient();
}
