/**
 * The language client: diagnostics, quick fixes, hovers, inlay hints and the model outline come
 * from the RNN Lab language server (dist/server.js) in its own Node process, as vscode-eslint
 * does. What needs VS Code stays here: the settings (answered from VS Code's configuration,
 * `rnnlab.lint.delay` included: the server waits for typing to pause), rule docs opened inside
 * the editor, and pyproject.toml texts for virtual workspaces, where the server cannot read files.
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
  type SettingsSection,
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

/**
 * The `rnnlab` section for a `workspace/configuration` item, with the keys only the server reads:
 * `lint.delay` (it waits that long after the last edit before analysing again) and
 * `symbols.pythonFiles` (the model outline in Python files and Jupyter notebooks).
 */
function serverSection(item: { scopeUri?: string; section?: string }): SettingsSection | null {
  const section = sectionFor(item);
  if (!section) return null;
  const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
  const cfg = vscode.workspace.getConfiguration('rnnlab', scope);
  const delay = cfg.get<number>('lint.delay');
  if (typeof delay === 'number') section.lint = { ...section.lint, delay };
  section.symbols = { pythonFiles: cfg.get<boolean>('symbols.pythonFiles', false) };
  return section;
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

/** Starts the client (and with it the server); the client is what features send requests with. */
export function registerLanguageClient(lab: RnnLab): {
  client: LanguageClient;
  disposables: vscode.Disposable[];
} {
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
  // The extension runs the "Show Dropout Masks" lenses' command (extension/notebook/masks.ts).
  const initializationOptions: InitializationOptions = { ruleLinks: 'command', maskLenses: true };
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
        configuration: (params) => params.items.map((item) => serverSection(item)),
      },
      handleDiagnostics(uri, diagnostics, next) {
        for (const d of diagnostics) {
          // Rule codes link to the documentation shipped with the extension (works offline).
          if (d.source === SOURCE && typeof d.code === 'object' && d.code !== null)
            d.code = { value: d.code.value, target: ruleDoc(lab, String(d.code.value)) };
        }
        next(uri, diagnostics);
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
  return {
    client,
    disposables: [
      projects,
      output,
      {
        dispose: () => {
          void stopLanguageClient();
        },
      },
    ],
  };
}
