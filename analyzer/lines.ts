/**
 * The one mapping between offsets and lines. A line ends at `\r\n`, `\n` or a lone `\r`, as VS Code
 * and the Language Server Protocol count lines; columns are UTF-16 code units, as JavaScript
 * strings, VS Code and LSP count them. Every surface (linter, editor, CLI, notebooks) reads lines
 * through this class, so that no two of them disagree on where a line ends.
 */
export class LineIndex {
  /** Offset of each line's first character. */
  private readonly starts: number[] = [0];
  /** Offset where each line's content ends, before its line break. */
  private readonly ends: number[] = [];

  private static last: LineIndex | null = null;

  /**
   * The index of a text, reusing the previous one when the text is the same (the rules and fixes
   * of one lint run ask about the same text many times; building an index is linear).
   */
  static of(text: string): LineIndex {
    if (LineIndex.last?.text !== text) LineIndex.last = new LineIndex(text);
    return LineIndex.last;
  }

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      this.ends.push(i);
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      this.starts.push(i + 1);
    }
    this.ends.push(text.length);
  }

  /** How many lines the text has (an empty text, or one ending in a break, has an empty last line). */
  get lineCount(): number {
    return this.starts.length;
  }

  /** The 0-based line holding an offset (clamped into the text; a break belongs to its line). */
  lineAt(offset: number): number {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private clampLine(line: number): number {
    return Math.max(0, Math.min(line, this.starts.length - 1));
  }

  /** Offset of a line's first character. */
  lineStart(line: number): number {
    return this.starts[this.clampLine(line)]!;
  }

  /** Offset where a line's content ends (before its line break). */
  lineEnd(line: number): number {
    return this.ends[this.clampLine(line)]!;
  }

  /** Offset just past a line's break (the next line's start, or the end of the text). */
  lineEndInclusive(line: number): number {
    const l = this.clampLine(line);
    return l + 1 < this.starts.length ? this.starts[l + 1]! : this.text.length;
  }

  /** A line's content, without its break. */
  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  /**
   * The 0-based line and UTF-16 character of an offset. An offset inside a `\r\n` break is the
   * end of its line, as VS Code has it.
   */
  position(offset: number): { line: number; character: number } {
    const at = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineAt(at);
    return { line, character: Math.min(at, this.ends[line]!) - this.starts[line]! };
  }

  /** The offset of a 0-based line and character, clamped into the text and into the line. */
  offsetAt(line: number, character: number): number {
    const l = this.clampLine(line);
    const start = this.starts[l]!;
    return start + Math.max(0, Math.min(character, this.ends[l]! - start));
  }
}
