/** Helpers for the language-feature tests: apply cell ranges to cell texts as an editor would. */
import type { Edit } from '../../../lint/types';
import type { CellPosition, SourceMap } from '../../../notebook/cells';

/** The offset of a 0-based line/character in a text (`\r\n`, `\n` and `\r` end lines). */
export function offsetIn(text: string, p: CellPosition): number {
  let line = 0;
  let i = 0;
  while (line < p.line) {
    const ch = text[i];
    if (ch === undefined) throw new Error(`line ${p.line} is past the end`);
    i++;
    if (ch === '\r' && text[i] === '\n') i++;
    if (ch === '\n' || ch === '\r') line++;
  }
  return i + p.character;
}

/** Applies analysed-text edits to the cells through the source map (each lands in its cell). */
export function applyToCells(cells: string[], map: SourceMap, edits: Edit[]): string[] {
  const located = edits.map((e) => ({ at: map.range(e.span), newText: e.newText }));
  const out = [...cells];
  // Back to front within each cell, as an editor applies one workspace edit.
  located.sort(
    (a, b) =>
      a.at.cell - b.at.cell ||
      b.at.start.line - a.at.start.line ||
      b.at.start.character - a.at.start.character,
  );
  for (const { at, newText } of located) {
    // Offsets in the original cell stay valid: edits of a cell are applied back to front.
    const from = offsetIn(cells[at.cell]!, at.start);
    const to = offsetIn(cells[at.cell]!, at.end);
    out[at.cell] = out[at.cell]!.slice(0, from) + newText + out[at.cell]!.slice(to);
  }
  return out;
}
