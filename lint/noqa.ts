/** The "Ignore CODE on this line" edit: add or extend a `# noqa` comment. Pure. */
import { LineIndex } from '../analyzer/lines';
import type { Edit } from './types';

/** The linter's own reading of a `# noqa` comment (lint/index.ts). */
const NOQA = /#\s*noqa\b(?::\s*([A-Za-z0-9_, \t]+))?/;

/**
 * The edit that silences `code` on the line holding `anchor` (the line the linter reads `# noqa`
 * on): `  # noqa: CODE` appended, or `, CODE` added to an existing `# noqa: A`. Null when the line
 * is already silenced for the code, or ends in a `\` continuation (a comment there is a syntax
 * error).
 */
export function noqaEdit(text: string, anchor: number, code: string): Edit | null {
  const lines = LineIndex.of(text);
  const n = lines.lineAt(anchor);
  const start = lines.lineStart(n);
  const end = lines.lineEnd(n);
  const line = text.slice(start, end);
  const m = NOQA.exec(line);
  if (m) {
    const list = m[1];
    if (list === undefined || list.trim() === '') return null; // a blanket `# noqa` silences all
    const codes = list
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((c) => c.toUpperCase());
    if (codes.some((c) => code.toUpperCase().startsWith(c))) return null;
    const kept = list.replace(/[\s,]+$/, '');
    const insertAt = start + m.index + m[0].length - (list.length - kept.length);
    return { span: { from: insertAt, to: insertAt }, newText: `, ${code}` };
  }
  const content = line.replace(/[ \t]+$/, '');
  if (content.endsWith('\\')) return null;
  return {
    span: { from: start + content.length, to: end },
    newText: `${content.length > 0 ? '  ' : ''}# noqa: ${code}`,
  };
}
