/**
 * The analysed text of an editor document: one file, or the code cells of a notebook joined in
 * order with '\n' (so imports and constants of earlier cells are known in later ones), and the way
 * back from offsets in that text to (cell, line, character) with VS Code's 0-based lines and
 * UTF-16 characters. Pure: no vscode import.
 */
import { LineIndex } from '../analyzer/lines';
import type { Span } from '../analyzer/python/values';
import { readNotebook } from './nbformat';

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

/** A 0-based line and UTF-16 character, as VS Code counts them. */
export interface CellPosition {
  line: number;
  character: number;
}

/** A range inside one cell (or the one document: cell 0). */
export interface CellRange {
  /** Index into the parts the map was built from. */
  cell: number;
  start: CellPosition;
  end: CellPosition;
}

/** Where one part (cell) sits in the analysed text. */
export interface CellSlice {
  /** Index into the parts the map was built from. */
  cell: number;
  /** Offset of the part's first character in the analysed text. */
  offset: number;
  length: number;
  /** The part's own lines (offsets relative to the part). */
  lines: LineIndex;
}

export interface SourceOptions {
  /** Blank IPython magics (notebook cells; not Python files). */
  magics: boolean;
}

export class SourceMap {
  private constructor(
    /** The text the analyzer and the linter see. */
    readonly text: string,
    readonly cells: CellSlice[],
  ) {}

  /** One document: its whole text is cell 0. */
  static ofDocument(text: string, options: SourceOptions = { magics: false }): SourceMap {
    return SourceMap.ofCells([text], options);
  }

  /** Code cells in order, joined with '\n' (every cell, even an empty one, gets its own slice). */
  static ofCells(parts: readonly string[], options: SourceOptions = { magics: true }): SourceMap {
    let text = '';
    const cells: CellSlice[] = [];
    parts.forEach((raw, i) => {
      const source = options.magics ? blankMagics(raw) : raw;
      if (i > 0) text += '\n';
      cells.push({
        cell: i,
        offset: text.length,
        length: source.length,
        lines: new LineIndex(raw),
      });
      text += source;
    });
    if (cells.length === 0) {
      cells.push({ cell: 0, offset: 0, length: 0, lines: new LineIndex('') });
    }
    return new SourceMap(text, cells);
  }

  /** The slice that holds an offset; the '\n' joining two cells belongs to the earlier one. */
  sliceAt(offset: number): CellSlice {
    let lo = 0;
    let hi = this.cells.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.cells[mid]!.offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.cells[lo]!;
  }

  /** The slice of a cell index, if the map has it. */
  slice(cell: number): CellSlice | undefined {
    return this.cells[cell];
  }

  /** The span a cell covers in the analysed text. */
  cellSpan(cell: number): Span | null {
    const s = this.cells[cell];
    return s ? { from: s.offset, to: s.offset + s.length } : null;
  }

  private positionIn(slice: CellSlice, offset: number): CellPosition {
    return slice.lines.position(Math.max(0, Math.min(offset - slice.offset, slice.length)));
  }

  /** The cell, line and character of an offset. */
  position(offset: number): { cell: number } & CellPosition {
    const slice = this.sliceAt(offset);
    return { cell: slice.cell, ...this.positionIn(slice, offset) };
  }

  /**
   * The cell range of a span. A span never leaves the cell it starts in: its end is clamped to that
   * cell's end (a whole-line deletion at a cell's last line takes the joining '\n' with it).
   */
  range(span: Span): CellRange {
    const slice = this.sliceAt(span.from);
    const end = Math.max(span.from, Math.min(span.to, slice.offset + slice.length));
    return {
      cell: slice.cell,
      start: this.positionIn(slice, span.from),
      end: this.positionIn(slice, end),
    };
  }

  /** The offset in the analysed text of a position in a cell (clamped into the cell). */
  offsetAt(cell: number, position: CellPosition): number | null {
    const slice = this.cells[cell];
    if (!slice) return null;
    return slice.offset + slice.lines.offsetAt(position.line, position.character);
  }
}

/** A place as terminals and compilers print it: 1-based line and UTF-16 column (and cell). */
export interface Position {
  line: number;
  column: number;
  /** 1-based cell number among all cells of the notebook (markdown cells count too). */
  cell?: number;
}

/**
 * A file the CLI and the kernel analyse: a Python file, or a notebook whose code cells are
 * analysed together, with the way back from offsets to 1-based (cell,) line and column.
 */
export class SourceDoc {
  private constructor(
    readonly map: SourceMap,
    /** For notebooks: the 1-based notebook cell number of each part of the map. */
    private readonly cellNumbers: number[] | null,
  ) {}

  /** The text the analyzer sees. */
  get text(): string {
    return this.map.text;
  }

  /** Whether this is a notebook's code cells (positions then name a cell). */
  get isNotebook(): boolean {
    return this.cellNumbers !== null;
  }

  /** A Python file (or a single cell's code). */
  static python(text: string): SourceDoc {
    return new SourceDoc(SourceMap.ofDocument(text), null);
  }

  /**
   * The code cells of an nbformat notebook (`.ipynb`, `.rnnlab`), magics blanked. Throws
   * NotebookFormatError (with line and column for broken JSON) when the text is no notebook.
   */
  static notebook(json: string, name?: string): SourceDoc {
    const numbers: number[] = [];
    const parts: string[] = [];
    readNotebook(json, name).cells.forEach((c, i) => {
      if (c.kind !== 'code') return;
      numbers.push(i + 1);
      parts.push(c.source);
    });
    return new SourceDoc(SourceMap.ofCells(parts, { magics: true }), numbers);
  }

  /** The 1-based position of an offset. */
  position(offset: number): Position {
    const p = this.map.position(offset);
    const at = { line: p.line + 1, column: p.character + 1 };
    const cell = this.cellNumbers?.[p.cell];
    return cell === undefined ? at : { ...at, cell };
  }
}
