/** Helpers shared by the integration suites (they run inside the real extension host). */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'rnnlab.rnnlab';
export const CONTROLLER_ID = 'rnnlab-kernel';
export const NOTEBOOK_TYPE = 'rnnlab';
export const RUN_MIME = 'application/vnd.rnnlab.run+json';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value. */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

export async function activateExtension(): Promise<vscode.Extension<{ activationMs?: number }>> {
  const ext = vscode.extensions.getExtension<{ activationMs?: number }>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  await ext.activate();
  return ext;
}

/** Opens a notebook file in an editor and selects the RNN Lab controller for it. */
export async function openPlayground(
  ...segments: string[]
): Promise<{ nb: vscode.NotebookDocument; editor: vscode.NotebookEditor }> {
  await activateExtension();
  const nb = await vscode.workspace.openNotebookDocument(workspaceUri(...segments));
  assert.equal(nb.notebookType, NOTEBOOK_TYPE);
  const editor = await vscode.window.showNotebookDocument(nb);
  await vscode.commands.executeCommand('notebook.selectKernel', {
    notebookEditor: editor,
    id: CONTROLLER_ID,
    extension: EXTENSION_ID,
  });
  return { nb, editor };
}

/** Finished: the kernel ended the cell's execution (successfully or not). */
export function finished(cell: vscode.NotebookCell): boolean {
  const s = cell.executionSummary;
  return !!s && (s.success !== undefined || s.timing?.endTime !== undefined);
}

export function codeCells(nb: vscode.NotebookDocument): vscode.NotebookCell[] {
  return nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

/**
 * Runs cells [start, end) (all cells when omitted) and waits until each code cell has run again
 * (a new execution order) and finished.
 */
export async function runCells(
  nb: vscode.NotebookDocument,
  range?: { start: number; end: number },
  timeoutMs = 120_000,
): Promise<void> {
  const cells = codeCells(nb).filter(
    (c) => !range || (c.index >= range.start && c.index < range.end),
  );
  const before = new Map(cells.map((c) => [c, c.executionSummary?.executionOrder]));
  await vscode.window.showNotebookDocument(nb);
  if (range) {
    await vscode.commands.executeCommand('notebook.cell.execute', {
      ranges: [range],
      document: nb.uri,
    });
  } else {
    await vscode.commands.executeCommand('notebook.execute', nb.uri);
  }
  const done = (c: vscode.NotebookCell) =>
    finished(c) &&
    c.executionSummary?.executionOrder !== undefined &&
    c.executionSummary.executionOrder !== before.get(c);
  await waitFor(
    `${range ? `cells ${range.start}..${range.end - 1}` : 'every cell'} of ${nb.uri.path.split('/').pop()} to run and finish` +
      ` (finished so far: ${
        cells
          .filter(done)
          .map((c) => c.index)
          .join(', ') || 'none'
      })`,
    () => cells.every(done),
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${cells.map(describeCell).join('\n')}`);
  });
}

const decoder = new TextDecoder();

/** All of a cell's outputs as text (stdout, stderr, text/plain, errors, JSON), for assertions. */
export function outputText(cell: vscode.NotebookCell): string {
  const parts: string[] = [];
  for (const o of cell.outputs) {
    for (const item of o.items) {
      if (item.mime.startsWith('image/') && item.mime !== 'image/svg+xml') continue;
      const text = decoder.decode(item.data);
      if (item.mime === 'application/vnd.code.notebook.error') {
        try {
          const e = JSON.parse(text) as { name?: string; message?: string };
          parts.push(`${e.name ?? 'Error'}: ${e.message ?? ''}`);
          continue;
        } catch {
          // fall through: keep the raw text
        }
      }
      parts.push(text);
    }
  }
  return parts.join('\n');
}

export function outputMimes(cell: vscode.NotebookCell): string[] {
  return cell.outputs.flatMap((o) => o.items.map((i) => i.mime));
}

export function describeCell(cell: vscode.NotebookCell): string {
  return `cell ${cell.index} (success=${cell.executionSummary?.success}, mimes=[${outputMimes(cell).join(', ')}]): ${outputText(cell).slice(0, 600)}`;
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

/** RNN Lab's diagnostics (source 'rnnlab') with a given code on a document. */
export function rnnlabDiagnostics(uri: vscode.Uri, code?: string): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'rnnlab' && (code === undefined || codeOf(d) === code));
}

export function describeDiagnostics(uri: vscode.Uri): string {
  const all = vscode.languages.getDiagnostics(uri);
  return all.length
    ? all
        .map(
          (d) =>
            `${d.source}:${codeOf(d)}@${d.range.start.line}:${d.range.start.character} ${d.message}`,
        )
        .join('; ')
    : '(none)';
}

/** Reverts a document's unsaved changes (shows it first: revert works on the active editor). */
export async function revert(doc: vscode.TextDocument | vscode.NotebookDocument): Promise<void> {
  if ('notebookType' in doc) await vscode.window.showNotebookDocument(doc);
  else await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

/** Closes every editor, reverting unsaved changes first so that no save dialog blocks the run. */
export async function closeAllEditors(): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (!tab.isDirty) continue;
      const input = tab.input;
      if (input instanceof vscode.TabInputNotebook) {
        await revert(await vscode.workspace.openNotebookDocument(input.uri));
      } else if (input instanceof vscode.TabInputText) {
        await revert(await vscode.workspace.openTextDocument(input.uri));
      }
    }
  }
  await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
}

/** The extension's internal command: (message?, target?) → what the dashboard panel did. */
const DASHBOARD = '_rnnlab.dashboard';

export interface DashboardState {
  open: boolean;
  restored: boolean;
  notebook: string | null;
  runs: Array<{ runId: string; status: string; model: string }>;
  received: Record<string, number>;
  exported: string[];
}

export const dashboard = (message?: unknown, target?: vscode.Uri) =>
  vscode.commands.executeCommand<DashboardState>(DASHBOARD, message, target);

/** The editor of the code cell matching `pattern`, focused, with the cursor before `at`. */
export async function cellEditor(
  nb: vscode.NotebookDocument,
  pattern: RegExp,
  at: string,
): Promise<vscode.TextEditor> {
  const cell = nb
    .getCells()
    .find((c) => c.kind === vscode.NotebookCellKind.Code && pattern.test(c.document.getText()));
  assert.ok(cell, `a cell matching ${pattern}`);
  await vscode.window.showNotebookDocument(nb, {
    selections: [new vscode.NotebookRange(cell.index, cell.index + 1)],
  });
  const editor = await vscode.window.showTextDocument(cell.document);
  const offset = cell.document.getText().indexOf(at);
  assert.ok(offset >= 0, `${at} in ${cell.document.getText()}`);
  const position = cell.document.positionAt(offset);
  editor.selection = new vscode.Selection(position, position);
  return editor;
}

/** Closes the untitled notebooks a test opened, discarding them: no save prompt. */
export async function discardUntitled(): Promise<void> {
  for (const nb of vscode.workspace.notebookDocuments.filter((n) => n.isUntitled && !n.isClosed)) {
    await vscode.window.showNotebookDocument(nb);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}
