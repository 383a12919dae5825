/** A plain JSON-RPC client for the protocol tests: `rnnlab server --stdio` as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  InitializeResult,
  PublishDiagnosticsParams,
} from 'vscode-languageserver';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How long a test waits for a notification before it fails (a hang is a failure, not a wait). */
export const WAIT_MS = 20_000;

/** A request's promise, failing after WAIT_MS: a server that stops answering fails the test. */
function answered<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} in ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface StartOptions {
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  workspaceFolders?: { uri: string; name: string }[] | null;
  /** Answers workspace/configuration items (scopeUri → the `rnnlab` section). */
  configuration?: (scopeUri: string | undefined) => unknown;
}

export class LspClient {
  readonly connection: MessageConnection;
  /** Every publishDiagnostics, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** Every workspace/configuration item the server asked for. */
  readonly configurationAsked: { scopeUri?: string; section?: string }[] = [];
  readonly stderr: string[] = [];
  private waiters: Array<() => void> = [];
  private exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    this.connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    child.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    this.connection.onNotification('textDocument/publishDiagnostics', (p) => {
      this.published.push(p as PublishDiagnosticsParams);
      for (const w of this.waiters) w();
    });
  }

  /** Spawns the server, sends initialize and initialized. */
  static async start(options: StartOptions = {}): Promise<LspClient & { init: InitializeResult }> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/index.ts', 'server', '--stdio'],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const client = new LspClient(child);
    const c = client.connection;
    c.onRequest(
      'workspace/configuration',
      (p: { items: { scopeUri?: string; section?: string }[] }) =>
        p.items.map((item) => {
          client.configurationAsked.push(item);
          return options.configuration?.(item.scopeUri) ?? null;
        }),
    );
    c.onRequest('client/registerCapability', () => null);
    c.onRequest('workspace/inlayHint/refresh', () => null);
    c.listen();
    const init = (await answered(
      'initialize',
      c.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: options.workspaceFolders ?? null,
        capabilities: options.capabilities ?? {},
        initializationOptions: options.initializationOptions,
      }),
    ).catch((e: Error) => {
      child.kill();
      throw new Error(`${e.message}; the server said: ${client.stderr.join('').slice(-2000)}`);
    })) as InitializeResult;
    await c.sendNotification('initialized', {});
    return Object.assign(client, { init });
  }

  /** The latest diagnostics of a URI that satisfy `ok`, waiting for them up to WAIT_MS. */
  diagnostics(
    uri: string,
    ok: (p: PublishDiagnosticsParams) => boolean = () => true,
  ): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const latest = this.published.filter((p) => p.uri === uri).at(-1);
        if (latest && ok(latest)) {
          this.waiters = this.waiters.filter((w) => w !== check);
          clearTimeout(timer);
          resolve(latest);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        const seen = this.published.filter((p) => p.uri === uri).at(-1);
        reject(
          new Error(
            `no matching diagnostics for ${uri} in ${WAIT_MS} ms; latest: ${JSON.stringify(seen)?.slice(0, 500)}`,
          ),
        );
      }, WAIT_MS);
      this.waiters.push(check);
      check();
    });
  }

  /** Waits until the server has taken in everything sent so far (a request round trip). */
  async settle(): Promise<void> {
    await answered(
      'the settle hover',
      this.connection.sendRequest('textDocument/hover', {
        textDocument: { uri: 'file:///nothing-open.py' },
        position: { line: 0, character: 0 },
      }),
    );
  }

  /** shutdown, exit; resolves to the process's exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    try {
      await answered('shutdown', this.connection.sendRequest('shutdown'));
      await this.connection.sendNotification('exit');
    } catch {
      this.child.kill();
    }
    const code = await Promise.race([
      this.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), WAIT_MS)),
    ]);
    if (code === 'timeout') {
      this.child.kill();
      throw new Error('the server did not exit after shutdown/exit');
    }
    this.connection.dispose();
    return code;
  }

  /** Kills the process if a test left it running. */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}
