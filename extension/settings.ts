/** The user's lint settings: VS Code settings over `[tool.rnnlab]` in the nearest pyproject.toml. */
import * as vscode from 'vscode';
import { parse } from 'smol-toml';
import { readProjectConfig } from '../lint/config';
import type { LintOptions, Severity, Target } from '../lint/types';

/** Reads pyproject.toml files through workspace.fs (virtual workspaces too), cached per folder. */
export class LintSettings implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<Partial<LintOptions>>>();
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when settings or a pyproject.toml change: open documents should be linted again. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.OutputChannel) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/pyproject.toml');
    const reset = () => {
      this.cache.clear();
      this.changed.fire();
    };
    this.watcher.onDidChange(reset);
    this.watcher.onDidCreate(reset);
    this.watcher.onDidDelete(reset);
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('rnnlab')) reset();
    });
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }

  /** Lint options for a document: pyproject first, then the settings on top. */
  async forUri(uri: vscode.Uri): Promise<Partial<LintOptions>> {
    const project = await this.project(uri);
    const cfg = vscode.workspace.getConfiguration('rnnlab', uri);
    const options: Partial<LintOptions> = { ...project };
    const target = cfg.inspect<Target>('target');
    const explicit = target?.workspaceFolderValue ?? target?.workspaceValue ?? target?.globalValue;
    if (explicit) options.target = explicit;
    else if (!options.target) options.target = cfg.get<Target>('target', 'keras3');
    const severity = cfg.get<Record<string, Severity | 'off'>>('rules.severity', {});
    options.severity = { ...(project.severity ?? {}), ...severity };
    const select = cfg.get<string[]>('rules.select', []);
    const ignore = cfg.get<string[]>('rules.ignore', []);
    if (select.length) options.select = select;
    if (ignore.length) options.ignore = ignore;
    return options;
  }

  private project(uri: vscode.Uri): Promise<Partial<LintOptions>> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return Promise.resolve({});
    const key = uri.with({ path: uri.path.replace(/\/[^/]*$/, '') }).toString();
    let found = this.cache.get(key);
    if (!found) {
      found = this.read(uri, folder.uri);
      this.cache.set(key, found);
    }
    return found;
  }

  /** The nearest pyproject.toml from the document's folder up to the workspace folder. */
  private async read(uri: vscode.Uri, root: vscode.Uri): Promise<Partial<LintOptions>> {
    let dir = vscode.Uri.joinPath(uri, '..');
    for (let i = 0; i < 64; i++) {
      const candidate = vscode.Uri.joinPath(dir, 'pyproject.toml');
      try {
        const bytes = await vscode.workspace.fs.readFile(candidate);
        const doc = parse(new TextDecoder().decode(bytes)) as { tool?: Record<string, unknown> };
        const config = readProjectConfig(doc.tool?.['rnnlab']);
        for (const e of config.errors)
          this.log.appendLine(`${candidate.fsPath}: [tool.rnnlab] ${e}`);
        return config.options;
      } catch (e) {
        if (!(e instanceof vscode.FileSystemError)) {
          this.log.appendLine(`${candidate.fsPath}: ${(e as Error).message}`);
          return {};
        }
      }
      if (dir.path === root.path || dir.path === '/' || !dir.path.startsWith(root.path)) return {};
      dir = vscode.Uri.joinPath(dir, '..');
    }
    return {};
  }
}
