/**
 * The language server, shared by the Node and the browser entries: it wires a connection to the
 * workspace, the linter and the features. No Node API here; file reading is injected.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
  type InitializeParams,
  type InitializeResult,
  type SymbolInformation,
} from 'vscode-languageserver';
import { docUrl, RULES_BY_CODE } from '../lint/index';
import {
  cellIndex,
  codeActions,
  commandLink,
  documentSymbols,
  hover,
  inlayHints,
  modelSummary,
  summaryError,
  symbolsEnabled,
  toDiagnostics,
} from './features';
import { comparisonPlan } from './compare-cell-request';
import { maskLenses } from './lenses';
import { Linter, type Linted, type Scope } from './linter';
import {
  ComparisonPlanRequest,
  EXPLAIN_COMMAND,
  JUPYTER_NOTEBOOK,
  ModelSummaryRequest,
  NotebookCellsNotification,
  PLAYGROUND_NOTEBOOK,
  PyprojectNotification,
  type InitializationOptions,
} from './protocol';
import {
  DEFAULT_SETTINGS,
  lintOptions,
  ProjectSettings,
  readSettings,
  type ReadFile,
  type Settings,
} from './settings';
import { BadMessage, Workspace, type Unit } from './workspace';

/** What an entry gives the shared server. */
export interface ServerHost {
  /** Reads `file:` URIs (the Node entry); null where the server cannot read files. */
  readFile: ReadFile | null;
}

/** The client's abilities the server adapts to, read once from `initialize`. */
interface ClientSupport {
  configuration: boolean;
  configurationChanges: boolean;
  documentChanges: boolean;
  inlayHintRefresh: boolean;
  hierarchicalSymbols: boolean;
  watchedFiles: boolean;
  showDocument: boolean;
  workspaceFolders: boolean;
}

function supportOf(c: ClientCapabilities): ClientSupport {
  return {
    configuration: c.workspace?.configuration === true,
    configurationChanges: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    documentChanges: c.workspace?.workspaceEdit?.documentChanges === true,
    inlayHintRefresh: c.workspace?.inlayHint?.refreshSupport === true,
    hierarchicalSymbols: c.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true,
    watchedFiles: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    showDocument: c.window?.showDocument?.support === true,
    workspaceFolders: c.workspace?.workspaceFolders === true,
  };
}

/**
 * The notebooks the server reads (LSP 3.17 notebook sync). Every cell is synced, markdown too, so
 * that "cell N" counts cells as the notebook does; only code cells of `python` (in playgrounds
 * also `rnnlab`) are analysed (`Workspace`).
 */
const NOTEBOOK_SELECTOR = [
  { notebook: { notebookType: PLAYGROUND_NOTEBOOK } },
  { notebook: { notebookType: JUPYTER_NOTEBOOK } },
];

/** Starts serving on a connection (which the entry then `listen()`s on). */
export function startServer(connection: Connection, host: ServerHost): void {
  const log = (message: string) => connection.console.log(message);
  const workspace = new Workspace();
  const project = new ProjectSettings(host.readFile, log);
  let support = supportOf({});
  let pushed: Settings = DEFAULT_SETTINGS;
  let links: (code: string) => string = docUrl;
  /** The client has the command of the "Show Dropout Masks" lenses. */
  let lenses = false;
  /** Per scope (a document or notebook URI): the client's `rnnlab` section. */
  const configured = new Map<string, Promise<Settings>>();
  /** Per unit key: the URIs that hold its diagnostics now. */
  const published = new Map<string, Set<string>>();

  function settingsFor(scope: string): Promise<Settings> {
    if (!support.configuration) return Promise.resolve(pushed);
    let found = configured.get(scope);
    if (!found) {
      found = connection.workspace
        .getConfiguration({ scopeUri: scope, section: 'rnnlab' })
        .then(readSettings, (e: unknown) => {
          log(
            `workspace/configuration failed (${(e as Error).message}); using the initial settings`,
          );
          return pushed;
        });
      configured.set(scope, found);
    }
    return found;
  }

  async function scopeOf(unit: Unit): Promise<Scope> {
    const [settings, fromProject] = await Promise.all([
      settingsFor(unit.key),
      project.forUri(unit.key),
    ]);
    return { settings, options: lintOptions(settings, fromProject) };
  }

  function send(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void {
    void connection.sendDiagnostics({ uri, version, diagnostics });
  }

  /** Clears what a unit published (it closed, or its documents joined a notebook). */
  function unpublish(key: string, keep: ReadonlySet<string> = new Set()): void {
    for (const uri of published.get(key) ?? []) if (!keep.has(uri)) send(uri, undefined, []);
    published.delete(key);
  }

  function refreshHints(): void {
    if (support.inlayHintRefresh)
      connection.languages.inlayHint.refresh().catch((e: unknown) => {
        log(`inlay hint refresh failed: ${(e as Error).message}`);
      });
  }

  const linter = new Linter(workspace, {
    scopeOf,
    log,
    publish(linted: Linted) {
      const now = new Set<string>();
      toDiagnostics(linted).forEach((diagnostics, i) => {
        const doc = linted.unit.docs[i]!;
        send(doc.uri, doc.version, diagnostics);
        if (diagnostics.length > 0) now.add(doc.uri);
      });
      // Cells that left the unit (deleted, now markdown or another language) lose theirs.
      unpublish(linted.unit.key, new Set(linted.unit.docs.map((d) => d.uri)));
      if (now.size > 0) published.set(linted.unit.key, now);
    },
    analysed(linted: Linted) {
      // A cell's shapes depend on the cells before it: the client only asks again for the edited one.
      if (linted.unit.notebook) refreshHints();
    },
  });

  /** Runs a notification handler; a malformed message is logged and changes nothing. */
  const guarded =
    <P>(name: string, handler: (params: P) => void) =>
    (params: P) => {
      try {
        handler(params);
      } catch (e) {
        if (e instanceof BadMessage) log(`${name} ignored: ${e.message}`);
        else log(`${name} failed: ${(e as Error).stack ?? String(e)}`);
      }
    };

  /** The current lint result of the unit a document (or notebook URI) is part of. */
  async function lintedOf(uri: unknown): Promise<Linted | null> {
    if (typeof uri !== 'string') return null;
    const unit = workspace.unitOf(uri);
    return unit ? linter.current(unit) : null;
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    support = supportOf(params.capabilities ?? {});
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    pushed = readSettings(init.settings);
    links = init.ruleLinks === 'command' ? commandLink : docUrl;
    lenses = init.maskLenses === true;
    const folders =
      params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    project.setRoots(folders);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        notebookDocumentSync: { notebookSelector: NOTEBOOK_SELECTOR },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        hoverProvider: true,
        inlayHintProvider: true,
        documentSymbolProvider: { label: 'RNN Lab' },
        ...(lenses ? { codeLensProvider: { resolveProvider: false } } : {}),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'rnnlab', version: VERSION },
    };
  });

  connection.onInitialized(() => {
    if (support.configuration && support.configurationChanges)
      void connection.client.register(DidChangeConfigurationNotification.type, {
        section: 'rnnlab',
      });
    if (support.watchedFiles)
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/pyproject.toml' }],
      });
    if (support.workspaceFolders)
      connection.workspace.onDidChangeWorkspaceFolders(
        guarded('workspace/didChangeWorkspaceFolders', (e) => {
          project.changeRoots(
            e.added.map((f) => f.uri),
            e.removed.map((f) => f.uri),
          );
          linter.settingsChanged();
        }),
      );
  });

  connection.onDidOpenTextDocument(
    guarded('didOpen', (p) => linter.schedule(workspace.openText(p?.textDocument))),
  );
  connection.onDidChangeTextDocument(
    guarded('didChange', (p) => linter.schedule(workspace.changeText(p), true)),
  );
  connection.onDidCloseTextDocument(
    guarded('didClose', (p) => {
      const uri = p?.textDocument?.uri;
      const key = workspace.closeText(uri);
      if (key === null) return;
      send(uri, undefined, []);
      if (key !== uri) return linter.schedule(key);
      unpublish(key);
      linter.forget(key);
    }),
  );

  const sync = connection.notebooks.synchronization;
  sync.onDidOpenNotebookDocument(
    guarded('notebookDocument/didOpen', (p) => linter.schedule(workspace.openNotebook(p))),
  );
  sync.onDidChangeNotebookDocument(
    guarded('notebookDocument/didChange', (p) =>
      linter.schedule(workspace.changeNotebook(p), true),
    ),
  );
  sync.onDidCloseNotebookDocument(
    guarded('notebookDocument/didClose', (p) => {
      const key = p?.notebookDocument?.uri;
      for (const uri of workspace.closeNotebook(key)) send(uri, undefined, []);
      if (typeof key !== 'string') return;
      unpublish(key);
      linter.forget(key);
    }),
  );

  connection.onNotification(
    NotebookCellsNotification,
    guarded('rnnlab/notebookCells', (p) => {
      const before = workspace.cellsOf(p?.notebook);
      const key = workspace.setCells(p);
      // Documents that were linted alone are now cells, and cells that left are alone again.
      for (const uri of new Set([...before, ...p.cells])) {
        if (workspace.ownerOf(uri) === key) {
          unpublish(uri, new Set([uri]));
          linter.forget(uri);
        } else if (workspace.document(uri)) linter.schedule(uri);
      }
      linter.schedule(key);
    }),
  );

  connection.onNotification(
    PyprojectNotification,
    guarded('rnnlab/pyproject', (p) => {
      if (typeof p?.uri !== 'string' || (p.text !== null && typeof p.text !== 'string'))
        throw new BadMessage('rnnlab/pyproject needs {uri, text: string or null}');
      project.setText(p.uri, p.text);
      linter.settingsChanged();
      refreshHints();
    }),
  );

  connection.onDidChangeConfiguration(
    guarded('workspace/didChangeConfiguration', (p) => {
      const section = (p?.settings as { rnnlab?: unknown } | null)?.rnnlab;
      if (section !== undefined) pushed = readSettings(section);
      configured.clear();
      linter.settingsChanged();
      refreshHints();
    }),
  );

  connection.onDidChangeWatchedFiles(
    guarded('workspace/didChangeWatchedFiles', () => {
      project.reset();
      linter.settingsChanged();
    }),
  );

  connection.onCodeAction(async (p, token) => {
    const linted = await lintedOf(p?.textDocument?.uri);
    if (!linted || token.isCancellationRequested || !p.range) return [];
    const only = p.context?.only;
    // Kinds are hierarchical: `quickfix.x` and `quickfix` both ask for quick fixes, `refactor` not.
    const quickFix = (k: string) => k === '' || k === 'quickfix' || k.startsWith('quickfix.');
    if (Array.isArray(only) && !only.some(quickFix)) return [];
    const diagnostics = Array.isArray(p.context?.diagnostics) ? p.context.diagnostics : [];
    return codeActions(linted, p.textDocument.uri, p.range, diagnostics, support.documentChanges);
  });

  connection.onHover(async (p, token) => {
    const linted = await lintedOf(p?.textDocument?.uri);
    if (!linted || token.isCancellationRequested || !p.position) return null;
    return hover(linted, p.textDocument.uri, p.position, links);
  });

  connection.languages.inlayHint.on(async (p, token) => {
    const linted = await lintedOf(p?.textDocument?.uri);
    if (!linted || token.isCancellationRequested || !p.range) return [];
    return inlayHints(linted, p.textDocument.uri, p.range);
  });

  connection.onCodeLens(async (p, token) => {
    const linted = await lintedOf(p?.textDocument?.uri);
    if (!lenses || !linted || token.isCancellationRequested) return [];
    return maskLenses(linted, p.textDocument.uri);
  });

  connection.onDocumentSymbol(async (p, token) => {
    const uri = p?.textDocument?.uri;
    const linted = await lintedOf(uri);
    if (!linted || token.isCancellationRequested || !symbolsEnabled(linted)) return [];
    const symbols = documentSymbols(linted, uri);
    return support.hierarchicalSymbols ? symbols : flatten(symbols, uri);
  });

  connection.onRequest(ModelSummaryRequest, async (p, token) => {
    const uri: unknown = p?.textDocument?.uri;
    const model: unknown = p?.model;
    if (typeof uri !== 'string' || (model !== undefined && typeof model !== 'string'))
      return new ResponseError(
        ErrorCodes.InvalidParams,
        'rnnlab/modelSummary needs {textDocument: {uri}, model?: name, position?}',
      );
    const linted = await lintedOf(uri);
    if (!linted)
      return summaryError(
        'notOpen',
        `${uri} is not open in the RNN Lab server, or is not what it reads (a Python or rnnlab document, a notebook, or a notebook's code cell)`,
      );
    if (token.isCancellationRequested)
      return new ResponseError(LSPErrorCodes.RequestCancelled, 'rnnlab/modelSummary cancelled');
    const position =
      !p.position || (linted.unit.notebook && linted.unit.key === uri) ? null : p.position;
    const cells = linted.unit.notebook ? workspace.cellsOf(linted.unit.key) : [];
    const number = (cell: string) =>
      cells.includes(cell) ? cells.indexOf(cell) + 1 : cellIndex(linted, cell) + 1;
    return modelSummary(linted, uri, { model, position }, number);
  });

  connection.onRequest(ComparisonPlanRequest, async (p, token) => {
    const uri: unknown = p?.textDocument?.uri;
    const pos: unknown = p?.position;
    if (typeof uri !== 'string' || typeof pos !== 'object' || pos === null)
      return new ResponseError(
        ErrorCodes.InvalidParams,
        'rnnlab/comparisonPlan needs {textDocument: {uri}, position}',
      );
    const linted = await lintedOf(uri);
    if (token.isCancellationRequested)
      return new ResponseError(LSPErrorCodes.RequestCancelled, 'rnnlab/comparisonPlan cancelled');
    return comparisonPlan(linted ?? null, uri, p.position);
  });

  // Not advertised (VS Code's client registers the command itself); other editors run it here.
  connection.onExecuteCommand(async (p) => {
    if (p?.command !== EXPLAIN_COMMAND) return null;
    const code = typeof p.arguments?.[0] === 'string' ? p.arguments[0].trim().toUpperCase() : '';
    if (!RULES_BY_CODE.has(code)) {
      connection.window.showErrorMessage(
        `${EXPLAIN_COMMAND} needs a rule code such as DR101 (got ${JSON.stringify(p.arguments?.[0] ?? null)})`,
      );
      return null;
    }
    const url = docUrl(code);
    if (support.showDocument) await connection.window.showDocument({ uri: url, external: true });
    else connection.window.showInformationMessage(`${code}: ${url}`);
    return null;
  });
}

/** Document symbols as a flat list, for clients without hierarchical symbols. */
function flatten(symbols: DocumentSymbol[], uri: string, container?: string): SymbolInformation[] {
  return symbols.flatMap((s) => [
    { name: s.name, kind: s.kind, location: { uri, range: s.range }, containerName: container },
    ...flatten(s.children ?? [], uri, s.name),
  ]);
}

declare const RNNLAB_VERSION: string | undefined;
const VERSION = typeof RNNLAB_VERSION === 'string' ? RNNLAB_VERSION : 'dev';
