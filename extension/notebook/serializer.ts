/** The `rnnlab` notebook serializer: nbformat.ts does the work, this maps it onto VS Code types. */
import * as vscode from 'vscode';
import {
  CELL_LANGUAGE,
  isTextMime,
  NotebookFormatError,
  RAW_LANGUAGE,
  readNotebook,
  writeNotebook,
  type Cell,
  type CellOutput,
  type JsonObject,
  type Notebook,
  type OutputMetadata,
} from '../../notebook/nbformat';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function itemBytes(mime: string, value: string): Uint8Array {
  return isTextMime(mime) ? encoder.encode(value) : Buffer.from(value, 'base64');
}

function itemValue(item: vscode.NotebookCellOutputItem): string {
  return isTextMime(item.mime)
    ? decoder.decode(item.data)
    : Buffer.from(item.data).toString('base64');
}

function toCellData(cell: Cell): vscode.NotebookCellData {
  const data =
    cell.kind === 'markdown'
      ? new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, cell.source, 'markdown')
      : new vscode.NotebookCellData(
          vscode.NotebookCellKind.Code,
          cell.source,
          cell.kind === 'raw' ? RAW_LANGUAGE : CELL_LANGUAGE,
        );
  data.metadata = cell.metadata;
  if (cell.kind === 'code') {
    data.outputs = cell.outputs.map(
      (o) =>
        new vscode.NotebookCellOutput(
          o.items.map((i) => new vscode.NotebookCellOutputItem(itemBytes(i.mime, i.value), i.mime)),
          { ...o.metadata },
        ),
    );
    if (cell.executionCount !== null)
      data.executionSummary = { executionOrder: cell.executionCount };
  }
  return data;
}

/** A parsed notebook as VS Code's NotebookData. */
export function toNotebookData(nb: Notebook): vscode.NotebookData {
  const data = new vscode.NotebookData(nb.cells.map(toCellData));
  data.metadata = nb.metadata;
  return data;
}

function outputMetadata(output: vscode.NotebookCellOutput): OutputMetadata {
  const m = (output.metadata ?? {}) as Partial<OutputMetadata>;
  const type = m.outputType;
  if (type === 'stream' || type === 'display_data' || type === 'execute_result' || type === 'error')
    return { ...m, outputType: type };
  return { outputType: 'display_data' };
}

function fromCellData(cell: vscode.NotebookCellData): Cell {
  const kind =
    cell.kind === vscode.NotebookCellKind.Markup
      ? 'markdown'
      : cell.languageId === RAW_LANGUAGE
        ? 'raw'
        : 'code';
  const outputs: CellOutput[] =
    kind === 'code'
      ? (cell.outputs ?? []).map((o) => ({
          items: o.items.map((i) => ({ mime: i.mime, value: itemValue(i) })),
          metadata: outputMetadata(o),
        }))
      : [];
  return {
    kind,
    source: cell.value,
    metadata: (cell.metadata ?? {}) as JsonObject,
    executionCount: kind === 'code' ? (cell.executionSummary?.executionOrder ?? null) : null,
    outputs,
  };
}

/** VS Code's NotebookData as a notebook to write. */
export function fromNotebookData(data: vscode.NotebookData): Notebook {
  return {
    cells: data.cells.map(fromCellData),
    metadata: (data.metadata ?? {}) as JsonObject,
  };
}

export class PlaygroundSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      throw new NotebookFormatError(
        'This file is not UTF-8 text, so it is not a notebook — the file was not changed',
      );
    }
    // Throws with what is wrong: VS Code shows the message and opens no editor to save over it.
    return toNotebookData(readNotebook(text));
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return encoder.encode(writeNotebook(fromNotebookData(data)));
  }
}
