/**
 * Source documents: a Python file, or a notebook whose code cells are analysed together.
 * Maps offsets in the analysed text back to 1-based (cell,) line and UTF-16 column.
 */

export interface CellRange {
  /** 1-based index among all cells of the notebook (markdown cells count too). */
  index: number;
  /** Offset of the cell's first character in the combined text. */
  offset: number;
  length: number;
}

export interface SourceDoc {
  text: string;
  /** Present for notebooks: where each code cell sits in `text`. */
  cells: CellRange[] | null;
}

export interface Position {
  /** 1-based line (within the cell, for notebooks). */
  line: number;
  /** 1-based UTF-16 column. */
  column: number;
  /** 1-based cell index, for notebooks. */
  cell?: number;
}

export function pythonSource(text: string): SourceDoc {
  return { text, cells: null };
}

/** A notebook that could not be read as nbformat JSON. */
export class NotebookError extends Error {}

/**
 * Reads an nbformat notebook (`.ipynb`, `.rnnlab`). IPython magics and shell escapes (`%`, `!`)
 * are blanked with spaces so that offsets stay true.
 */
export function notebookSource(json: string): SourceDoc {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch (e) {
    throw new NotebookError(`not valid notebook JSON (${(e as Error).message})`);
  }
  const cells = (nb as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) throw new NotebookError('not a notebook: no "cells" list');
  let text = '';
  const ranges: CellRange[] = [];
  cells.forEach((cell: unknown, i) => {
    const c = cell as { cell_type?: unknown; source?: unknown };
    if (c?.cell_type !== 'code') return;
    const raw = Array.isArray(c.source)
      ? c.source.filter((s) => typeof s === 'string').join('')
      : c.source;
    const source = typeof raw === 'string' ? blankMagics(raw) : '';
    if (text.length > 0) text += '\n';
    ranges.push({ index: i + 1, offset: text.length, length: source.length });
    text += source;
  });
  return { text, cells: ranges };
}

/** Cell magics whose body is Python (IPython runs it); any other `%%magic` cell is not Python. */
const PYTHON_CELL_MAGICS = new Set([
  'time',
  'timeit',
  'capture',
  'prun',
  'debug',
  'python',
  'python3',
]);

/**
 * Blanks IPython magics and shell escapes (lines starting with `%`, `!` or `?`) with spaces, line
 * breaks kept, so that every offset stays true. A cell whose first line is a `%%bash`-like cell
 * magic is blanked whole: its body is not Python.
 */
export function blankMagics(source: string): string {
  const cellMagic = /^%%([A-Za-z_][\w-]*)/.exec(source);
  if (cellMagic && !PYTHON_CELL_MAGICS.has(cellMagic[1]!)) return source.replace(/[^\r\n]/g, ' ');
  return source.replace(
    /^([ \t]*)([%!?][^\r\n]*)/gm,
    (_m, indent: string, rest: string) => indent + ' '.repeat(rest.length),
  );
}

/** Offsets of line starts, for binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly doc: SourceDoc) {
    const t = doc.text;
    for (let i = 0; i < t.length; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 10) this.starts.push(i + 1);
      else if (ch === 13 && t.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The position of an offset in the combined text. */
  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.doc.text.length));
    const line = this.lineOf(clamped);
    const column = clamped - this.starts[line]! + 1;
    const cells = this.doc.cells;
    if (!cells || cells.length === 0) return { line: line + 1, column };
    let cell = cells[0]!;
    for (const c of cells) if (c.offset <= clamped) cell = c;
    const cellLine = this.lineOf(cell.offset);
    return { line: line - cellLine + 1, column, cell: cell.index };
  }

  /** The offset of a 1-based line/column (in a cell, for notebooks). */
  offset(p: Position): number {
    let base = 0;
    if (this.doc.cells && p.cell !== undefined) {
      const cell = this.doc.cells.find((c) => c.index === p.cell);
      if (cell) base = this.lineOf(cell.offset);
    }
    const start = this.starts[base + p.line - 1] ?? this.doc.text.length;
    return start + p.column - 1;
  }
}
