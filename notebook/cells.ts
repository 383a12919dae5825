/**
 * The analysed text of an editor document: one file, or the code cells of a notebook joined in
 * order with '\n' (so imports and constants of earlier cells are known in later ones), and the way
 * back from offsets in that text to (cell, line, character) with VS Code's 0-based lines and
 * UTF-16 characters. Pure: no vscode import.
 */
import type { Span } from '../analyzer/python/values';
import { blankMagics } from '../analyzer/lines';

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
  /** Offsets (relative to the part) where each of its lines starts. */
  lineStarts: number[];
  /** Offsets (relative to the part) where each line's content ends (before its line break). */
  lineEnds: number[];
}

/** Line starts and content ends of a text; `\r\n`, `\n` and a lone `\r` all end a line. */
function lines(text: string): { starts: number[]; ends: number[] } {
  const starts = [0];
  const ends: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 && text.charCodeAt(i + 1) === 10) {
      ends.push(i);
      starts.push(i + 2);
      i++;
    } else if (ch === 10 || ch === 13) {
      ends.push(i);
      starts.push(i + 1);
    }
  }
  ends.push(text.length);
  return { starts, ends };
}

/** Index of the last element of a sorted list that is <= value (0 when none is). */
function lastAtOrBelow(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
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
      const { starts, ends } = lines(raw);
      cells.push({
        cell: i,
        offset: text.length,
        length: source.length,
        lineStarts: starts,
        lineEnds: ends,
      });
      text += source;
    });
    if (cells.length === 0) {
      cells.push({ cell: 0, offset: 0, length: 0, lineStarts: [0], lineEnds: [0] });
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
    const local = Math.max(0, Math.min(offset - slice.offset, slice.length));
    const line = lastAtOrBelow(slice.lineStarts, local);
    const start = slice.lineStarts[line]!;
    // An offset inside a line break (between \r and \n) is the end of the line, as in VS Code.
    const character = Math.min(local, slice.lineEnds[line]!) - start;
    return { line, character };
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
    const line = Math.max(0, Math.min(position.line, slice.lineStarts.length - 1));
    const start = slice.lineStarts[line]!;
    const character = Math.max(0, Math.min(position.character, slice.lineEnds[line]! - start));
    return slice.offset + start + character;
  }
}
