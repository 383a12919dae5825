/**
 * The page's language client: monaco-editor's own LSP client (`MonacoLspClient`, shipped inside
 * monaco-editor since 0.55: diagnostics as markers, code actions with their WorkspaceEdits,
 * hovers, inlay hints, over JSON-RPC to a Web Worker) talking to RNN Lab's server worker
 * (dist/web/server.js, server/browser.ts). Chosen over `monaco-languageclient`, which brings the
 * VS Code API (@codingame/monaco-vscode-api, many MB) for features this page does not need.
 *
 * monaco's client has no notebook sync and no initializationOptions, so a thin transport in
 * between adds both, as server/core.ts's fallback for such clients expects: the settings in
 * `initialize`'s initializationOptions, and the cells in order with `rnnlab/notebookCells` after
 * `initialized` and whenever they change. It also records what the server published (the status
 * line and the tests read it).
 */
import {
  createTransportToWorker,
  MonacoLspClient,
  // monaco-editor exports its LSP client only from its all-languages entry point; this is the
  // module that entry re-exports, without the 80 languages.
} from '../../node_modules/monaco-editor/esm/external/monaco-lsp-client/out/index.js';
import type { NotebookCellsParams, SettingsSection } from '../../server/protocol';

type Transport = ConstructorParameters<typeof MonacoLspClient>[0];
type Message = Parameters<Transport['send']>[0];
type Listener = Parameters<Transport['setListener']>[0];

/** A notebook's cells for the server: its URI and the cell document URIs in order. */
export interface CellsUpdate {
  notebook: string;
  cells: string[];
}

export interface Published {
  uri: string;
  codes: string[];
  /** When it arrived, in ms since the page's navigation started (performance.now()). */
  at: number;
}

class NotebookTransport implements Transport {
  private initialized = false;
  private cells: CellsUpdate | null = null;

  constructor(
    private readonly inner: Transport,
    private readonly settings: SettingsSection,
    private readonly onPublish: (p: Published) => void,
  ) {}

  get state() {
    return this.inner.state;
  }

  async send(message: Message): Promise<void> {
    let m = message;
    if ('method' in m && m.method === 'initialize' && typeof m.params === 'object') {
      const initializationOptions = { settings: this.settings } as unknown as Record<string, never>;
      m = { ...m, params: { ...m.params, initializationOptions } };
    }
    await this.inner.send(m);
    if ('method' in m && m.method === 'initialized') {
      this.initialized = true;
      await this.flush();
    }
  }

  setListener(listener: Listener): void {
    this.inner.setListener(
      listener &&
        ((msg: Message) => {
          if ('method' in msg && msg.method === 'textDocument/publishDiagnostics') {
            const p = msg.params as { uri: string; diagnostics: Array<{ code?: unknown }> };
            const codes = p.diagnostics.map((d) => String(d.code));
            this.onPublish({ uri: p.uri, codes, at: performance.now() });
          }
          listener(msg);
        }),
    );
  }

  toString(): string {
    return `rnnlab notebook transport over ${this.inner.toString()}`;
  }

  /** The cells changed: tell the server now, or as soon as it is initialized. */
  setCells(update: CellsUpdate): void {
    this.cells = update;
    if (this.initialized) void this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.cells) return;
    const params: NotebookCellsParams = { ...this.cells, notebookType: 'rnnlab' };
    await this.inner.send({
      jsonrpc: '2.0',
      method: 'rnnlab/notebookCells',
      params: params as unknown as Record<string, never>,
    });
  }
}

export interface LanguageClient {
  /** The notebook's cells changed (added, removed, moved). */
  setCells(update: CellsUpdate): void;
  /** Errors of the server worker (it failed to load or threw). */
  readonly errors: string[];
}

/** Starts the server worker and monaco's client over the notebook transport. */
export function startLanguageClient(
  serverUrl: URL,
  settings: SettingsSection,
  onPublish: (p: Published) => void,
): LanguageClient {
  const worker = new Worker(serverUrl, { name: 'rnnlab-language-server' });
  const errors: string[] = [];
  worker.addEventListener('error', (e) => errors.push(e.message || 'the language server failed'));
  const transport = new NotebookTransport(createTransportToWorker(worker), settings, onPublish);
  new MonacoLspClient(transport);
  return { setCells: (u) => transport.setCells(u), errors };
}
