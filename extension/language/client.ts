/**
 * The language client: diagnostics, quick fixes, hovers, inlay hints and the model outline come
 * from the RNN Lab language server (dist/server.js) in its own Node process, as vscode-eslint
 * does. What needs VS Code stays here: the settings (answered from VS Code's configuration), the
 * lint delay (diagnostics shown once typing stops), rule docs opened inside the editor, and
 * pyproject.toml texts for virtual workspaces, where the server cannot read files.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type DocumentSelector,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { RnnLab } from '../ctx';
import { sectionFor, VirtualProjects } from '../settings';
import {
  EXPLAIN_COMMAND,
  PyprojectNotification,
  SOURCE,
  type InitializationOptions,
} from '../../server/protocol';
import { ruleDoc } from './explain';

export const SERVER_NAME = 'RNN Lab Language Server';

/** Documents of these schemes are views of other text (diffs, output), never linted. */
const IGNORED_SCHEMES = new Set(['git', 'output', 'vscode-scm', 'vscode-chat-code-block']);
const CELL_SCHEME = 'vscode-notebook-cell';

/** The running client (for the test hook and deactivate). */
let current: LanguageClient | undefined;

/** The server process's id, while one runs (the integration tests kill it). */
export function languageServerPid(): number | undefined {
  const process = (current as unknown as { _serverProcess?: { pid?: number } } | undefined)
    ?._serverProcess;
  return process?.pid;
}

/** Stops the server (deactivate waits for it). */
export function stopLanguageClient(): Promise<void> | undefined {
  const client = current;
  current = undefined;
  return client?.stop().catch(() => undefined);
}

/**
 * Python and rnnlab documents in the workspace's schemes (file, untitled and the folders' own, so
 * that virtual workspaces are included and diff or output views are not), and notebook cells.
 */
function documentSelector(): DocumentSelector {
  const schemes = new Set(['file', 'untitled']);
  for (const f of vscode.workspace.workspaceFolders ?? []) schemes.add(f.uri.scheme);
  for (const s of IGNORED_SCHEMES) schemes.delete(s);
  return [
    { scheme: CELL_SCHEME, language: 'rnnlab' },
    { scheme: CELL_SCHEME, language: 'python' },
    ...[...schemes].flatMap((scheme) => [
      { scheme, language: 'python' },
      { scheme, language: 'rnnlab' },
    ]),
  ];
}

/** The key of a document's lint unit for the delay: a notebook's cells share their notebook's. */
function unitKey(uri: vscode.Uri): string {
  return uri.scheme === CELL_SCHEME ? `${CELL_SCHEME}:${uri.path}` : uri.toString();
}

function lintDelay(uri: vscode.Uri): number {
  const ms = vscode.workspace.getConfiguration('rnnlab', uri).get<number>('lint.delay', 300);
  return Math.max(0, Math.min(5000, Number.isFinite(ms) ? ms : 300));
}

/**
 * `rnnlab.lint.delay`: the server analyses every change at once (and drops stale work); new
 * diagnostics are shown only once typing has paused for the delay, as before the server.
 */
class DiagnosticsDelay implements vscode.Disposable {
  private readonly lastChange = new Map<string, number>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions = [
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) this.lastChange.set(unitKey(e.document.uri), Date.now());
    }),
    vscode.workspace.onDidCloseTextDocument((d) => this.lastChange.delete(unitKey(d.uri))),
  ];

  /** Shows `show` now, or once the delay since the unit's last change has passed. */
  handle(uri: vscode.Uri, show: () => void): void {
    const key = uri.toString();
    const before = this.pending.get(key);
    if (before) clearTimeout(before);
    this.pending.delete(key);
    const changed = this.lastChange.get(unitKey(uri));
    const wait = changed === undefined ? 0 : changed + lintDelay(uri) - Date.now();
    if (wait <= 0) return show();
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        show();
      }, wait),
    );
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}

/**
 * The default restart policy (up to 4 restarts in 3 minutes), with a message that says what
 * happened: the language client would only write it to its output channel.
 */
function errorHandler(client: () => LanguageClient, output: vscode.OutputChannel): ErrorHandler {
  let fallback: ErrorHandler | undefined;
  const base = () => (fallback ??= client().createDefaultErrorHandler(4));
  return {
    error: (error, message, count) => base().error(error, message, count),
    async closed(): Promise<CloseHandlerResult> {
      const result = await base().closed();
      if (result.action !== CloseAction.Restart) return result;
      void vscode.window
        .showWarningMessage(
          `The ${SERVER_NAME} stopped unexpectedly and was restarted: diagnostics, quick fixes, hovers and shape hints come back in a moment.`,
          'Show Output',
        )
        .then((pick) => pick && output.show(true));
      return { action: CloseAction.Restart, handled: true };
    },
  };
}

export function registerLanguageClient(lab: RnnLab): vscode.Disposable[] {
  const module = lab.context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: {
      module,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6011'] },
    },
  };
  const output = vscode.window.createOutputChannel(SERVER_NAME, { log: true });
  const delay = new DiagnosticsDelay();
  const initializationOptions: InitializationOptions = { ruleLinks: 'command' };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    diagnosticCollectionName: 'rnnlab',
    outputChannel: output,
    initializationOptions,
    markdown: { isTrusted: { enabledCommands: [EXPLAIN_COMMAND] } },
    errorHandler: errorHandler(() => client, output),
    middleware: {
      workspace: {
        // The `rnnlab` section from VS Code's settings, scoped to the document or notebook.
        configuration: (params) => params.items.map((item) => sectionFor(item)),
      },
      handleDiagnostics(uri, diagnostics, next) {
        for (const d of diagnostics) {
          // Rule codes link to the documentation shipped with the extension (works offline).
          if (d.source === SOURCE && typeof d.code === 'object' && d.code !== null)
            d.code = { value: d.code.value, target: ruleDoc(lab, String(d.code.value)) };
        }
        delay.handle(uri, () => next(uri, diagnostics));
      },
    },
  };
  const client = new LanguageClient('rnnlab', SERVER_NAME, serverOptions, clientOptions);
  current = client;
  const projects = new VirtualProjects(lab.log, (p) => {
    if (client.isRunning()) void client.sendNotification(PyprojectNotification, p);
  });
  // Once running (and after every restart: a new server knows none), the pyproject texts.
  client.onDidChangeState((e) => {
    if (e.newState === State.Running) projects.sendAll();
  });
  client.start().catch((e: unknown) => {
    const message = `The ${SERVER_NAME} could not start: ${(e as Error).message}`;
    lab.log.appendLine(message);
    void vscode.window
      .showErrorMessage(message, 'Show Output')
      .then((pick) => pick && output.show(true));
  });
  return [
    delay,
    projects,
    output,
    {
      dispose: () => {
        void stopLanguageClient();
      },
    },
  ];
}
