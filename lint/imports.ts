/**
 * Imports a fix leaves unused. A fix that removes the last use of a name imported with
 * `from keras.layers import GRU, Dropout` (the Dropout it deletes or folds into GRU(dropout=))
 * also removes the name from the import, as ruff's and Pylance's fixes do, so that the fixed file
 * has no unused import.
 */
import type { SyntaxNode } from '@lezer/common';
import { LineIndex } from '../analyzer/lines';
import { parsePython } from '../analyzer/python/parse';
import type { Span } from '../analyzer/python/values';
import type { Edit } from './types';

/** One name bound by a `from ... import` statement. */
interface Binding {
  /** The local name (the alias for `A as B`). */
  name: string;
  /** The item in the import list: `Dropout` or `Dropout as D`. */
  item: Span;
  statement: SyntaxNode;
}

interface ImportTable {
  bindings: Binding[];
  /** Offsets where each name is used outside import statements. */
  uses: Map<string, number[]>;
}

let cached: { text: string; table: ImportTable } | null = null;
let cachedNames: { text: string; names: Set<string> } | null = null;

/** Identifiers not preceded by a dot (`Dropout` in `Dropout(0.5)`, not in `layers.Dropout`). */
const BARE_NAME = /(?:^|[^\w.])[A-Za-z_]\w*/g;
const FROM_IMPORT = /\bfrom\s+[\w.]+\s+import\s*(\([^)]*\)|[^\r\n]*)/g;

/** A quick over-approximation of the names `from ... import` statements bind. */
function importedNames(text: string): Set<string> {
  if (cachedNames?.text === text) return cachedNames.names;
  const names = new Set<string>();
  for (const m of text.matchAll(FROM_IMPORT))
    for (const w of m[1]!.match(/\w+/g) ?? []) names.add(w);
  cachedNames = { text, names };
  return names;
}

function importTable(text: string): ImportTable {
  if (cached?.text === text) return cached.table;
  const bindings: Binding[] = [];
  const uses = new Map<string, number[]>();
  parsePython(text).tree.iterate({
    enter(n) {
      if (n.name === 'ImportStatement') {
        // Only top-level imports are cleaned: removing the last line of a `try:` or `if` body
        // would leave an empty block, which is a syntax error.
        if (n.node.parent?.name === 'Script') bindings.push(...fromImportBindings(text, n.node));
        return false; // nothing inside an import statement is a use
      }
      if (n.name === 'VariableName') {
        const name = text.slice(n.from, n.to);
        const at = uses.get(name);
        if (at) at.push(n.from);
        else uses.set(name, [n.from]);
      }
      return undefined;
    },
  });
  const table = { bindings, uses };
  cached = { text, table };
  return table;
}

/** The bindings of `from X import a, b as c` (none for `import X` or `from X import *`). */
function fromImportBindings(text: string, statement: SyntaxNode): Binding[] {
  const children: SyntaxNode[] = [];
  for (let c = statement.firstChild; c; c = c.nextSibling) children.push(c);
  if (children[0]?.name !== 'from') return [];
  const at = children.findIndex((c) => c.name === 'import');
  if (at < 0) return [];
  const items: Array<{ name: string; span: Span }> = [];
  let current: { first: SyntaxNode; last: SyntaxNode } | null = null;
  const flush = () => {
    if (!current) return;
    items.push({
      name: text.slice(current.last.from, current.last.to),
      span: { from: current.first.from, to: current.last.to },
    });
    current = null;
  };
  for (const c of children.slice(at + 1)) {
    if (c.name === 'VariableName') {
      if (current) current.last = c;
      else current = { first: c, last: c };
    } else if (c.name === ',' || c.name === ')') flush();
    else if (c.name === '*') return [];
  }
  flush();
  return items.map((i) => ({ name: i.name, item: i.span, statement }));
}

/**
 * The edit that takes these bindings (all of one statement) out of it: the whole statement line
 * when none is left, else the list rewritten without them.
 */
function removeFrom(text: string, statement: SyntaxNode, all: Binding[], gone: Binding[]): Edit {
  if (gone.length === all.length) {
    const lines = LineIndex.of(text);
    const first = lines.lineAt(statement.from);
    const own = lines.lineStart(first) === statement.from;
    return own
      ? {
          span: { from: statement.from, to: lines.lineEndInclusive(lines.lineAt(statement.to)) },
          newText: '',
        }
      : { span: { from: statement.from, to: statement.to }, newText: 'pass' };
  }
  if (gone.length === 1) {
    // `A, B, C`: take B with the comma and space after it; the last item with those before it.
    const items = all.map((b) => b.item);
    const i = items.findIndex((s) => s.from === gone[0]!.item.from);
    const next = items[i + 1];
    if (next) return { span: { from: items[i]!.from, to: next.from }, newText: '' };
    return { span: { from: items[i - 1]!.to, to: items[i]!.to }, newText: '' };
  }
  const kept = all.filter((b) => !gone.includes(b)).map((b) => text.slice(b.item.from, b.item.to));
  return {
    span: { from: all[0]!.item.from, to: all[all.length - 1]!.item.to },
    newText: kept.join(', '),
  };
}

const inside = (offset: number, edits: readonly Edit[]) =>
  edits.some((e) => e.span.from <= offset && offset < e.span.to);

/**
 * The fix's edits, plus the removal of every `from ... import` name whose only uses the edits
 * delete (and that no inserted text names again). Names that were unused already stay.
 */
export function withUnusedImportsRemoved(text: string, edits: readonly Edit[]): Edit[] {
  if (!edits.some((e) => e.span.to > e.span.from)) return [...edits];
  // Parsing costs as much as the analysis: only when a deleted name is imported by name at all.
  const imported = importedNames(text);
  const deleted = edits.flatMap((e) => text.slice(e.span.from, e.span.to).match(BARE_NAME) ?? []);
  if (!deleted.some((w) => imported.has(w.replace(/^[^\w]/, '')))) return [...edits];
  const table = importTable(text);
  const gone = table.bindings.filter((b) => {
    const uses = table.uses.get(b.name);
    if (!uses || !uses.every((u) => inside(u, edits))) return false;
    const word = new RegExp(`(^|[^\\w.])${b.name}\\b`);
    if (edits.some((e) => word.test(e.newText))) return false;
    return !edits.some((e) => e.span.from < b.statement.to && b.statement.from < e.span.to);
  });
  const statements = [...new Set(gone.map((b) => b.statement))];
  const extra = statements.map((st) =>
    removeFrom(
      text,
      st,
      table.bindings.filter((b) => b.statement === st),
      gone.filter((b) => b.statement === st),
    ),
  );
  return [...edits, ...extra];
}
