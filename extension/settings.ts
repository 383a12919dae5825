/**
 * The user's lint settings for the language server: the `rnnlab` section of VS Code's settings
 * (answering `workspace/configuration`), and in virtual workspaces, where the server cannot read
 * files, the texts of the pyproject.toml files it would look at (`rnnlab/pyproject`). The server
 * applies them (`server/settings.ts`: `[tool.rnnlab]` under the settings).
 */
import * as vscode from 'vscode';
import type { PyprojectParams, SettingsSection } from '../server/protocol';

/** The `rnnlab` section for a `workspace/configuration` item (null for any other section). */
export function sectionFor(item: { scopeUri?: string; section?: string }): SettingsSection | null {
  if (item.section !== 'rnnlab') return null;
  const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
  const cfg = vscode.workspace.getConfiguration('rnnlab', scope);
  const section: SettingsSection = {
    lint: {
      enable: cfg.get<boolean>('lint.enable', true),
      pythonFiles: cfg.get<boolean>('lint.pythonFiles', true),
      jupyterNotebooks: cfg.get<boolean>('lint.jupyterNotebooks', true),
    },
    rules: {
      severity: cfg.get<Record<string, string>>('rules.severity', {}),
      select: cfg.get<string[]>('rules.select', []),
      ignore: cfg.get<string[]>('rules.ignore', []),
    },
    inlayHints: { outputShapes: cfg.get<string>('inlayHints.outputShapes', 'playground') },
  };
  // Only a target the user set overrides `[tool.rnnlab] target`; the default does not.
  const target = cfg.inspect<string>('target');
  const explicit = target?.workspaceFolderValue ?? target?.workspaceValue ?? target?.globalValue;
  if (explicit) section.target = explicit;
  return section;
}

/** Schemes the server reads itself (`file:`) or that have no folders (`untitled:`). */
const SERVER_READS = new Set(['file', 'untitled']);

/**
 * In virtual workspaces: sends the server the pyproject.toml files on the way up from every open
 * document or notebook to its workspace folder (text, or null where there is none), and again
 * when one changes.
 */
export class VirtualProjects implements vscode.Disposable {
  /** The texts sent, by pyproject.toml URI (re-sent after a server restart). */
  private readonly sent = new Map<string, string | null>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly log: vscode.OutputChannel,
    private readonly send: (p: PyprojectParams) => void,
  ) {
    const ws = vscode.workspace;
    if (!(ws.workspaceFolders ?? []).some((f) => !SERVER_READS.has(f.uri.scheme))) return;
    const watcher = ws.createFileSystemWatcher('**/pyproject.toml');
    const reread = (uri: vscode.Uri) => {
      if (this.sent.has(uri.toString())) void this.read(uri, true);
    };
    this.subscriptions.push(
      watcher,
      watcher.onDidChange(reread),
      watcher.onDidCreate(reread),
      watcher.onDidDelete(reread),
      ws.onDidOpenTextDocument((d) => this.walk(d.uri)),
      ws.onDidOpenNotebookDocument((nb) => this.walk(nb.uri)),
    );
    for (const d of ws.textDocuments) this.walk(d.uri);
    for (const nb of ws.notebookDocuments) this.walk(nb.uri);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  /** Sends every text again (a restarted server knows none). */
  sendAll(): void {
    for (const [uri, text] of this.sent) this.send({ uri, text });
  }

  private walk(uri: vscode.Uri): void {
    if (SERVER_READS.has(uri.scheme) || uri.scheme === 'vscode-notebook-cell') return;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return;
    let dir = vscode.Uri.joinPath(uri, '..');
    for (let i = 0; i < 64; i++) {
      const candidate = vscode.Uri.joinPath(dir, 'pyproject.toml');
      if (!this.sent.has(candidate.toString())) void this.read(candidate, false);
      if (dir.path === folder.uri.path || dir.path === '/' || !dir.path.startsWith(folder.uri.path))
        return;
      dir = vscode.Uri.joinPath(dir, '..');
    }
  }

  private async read(uri: vscode.Uri, force: boolean): Promise<void> {
    const key = uri.toString();
    if (!force) this.sent.set(key, null);
    let text: string | null = null;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (e) {
      if (!(e instanceof vscode.FileSystemError)) this.log.appendLine(`${key}: ${String(e)}`);
    }
    if (!force && text === null) return; // the server already assumes "no file here"
    this.sent.set(key, text);
    this.send({ uri: key, text });
  }
}
