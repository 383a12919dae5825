/** Text edits that quick fixes are made of: add, set or remove one argument, remove a layer. */
import { kerasTail } from '../analyzer/python/keras';
import type { Arg, CallSite, LayerNode } from '../analyzer/graph';
import { LineIndex } from '../analyzer/lines';
import type { Span } from '../analyzer/python/values';
import type { Edit } from './types';

/** Inserts `argText` as the last argument of a call (after a trailing comma if there is one). */
export function insertArg(site: CallSite, argText: string): Edit {
  const last = site.args[site.args.length - 1];
  if (!last)
    return { span: { from: site.argList.from + 1, to: site.argList.from + 1 }, newText: argText };
  return { span: { from: last.span.to, to: last.span.to }, newText: `, ${argText}` };
}

/** The argument bound to a parameter (keyword or positional), if written. */
export function argFor(site: CallSite, param: string): Arg | undefined {
  return site.args.find((a) => a.param === param);
}

/** Sets a parameter: replaces the written value, or adds `param=value`. */
export function setArg(site: CallSite, param: string, valueText: string): Edit {
  const arg = argFor(site, param);
  if (arg) return { span: arg.valueSpan, newText: valueText };
  return insertArg(site, `${param}=${valueText}`);
}

/** Removes one argument together with the comma that separates it. */
export function removeArg(site: CallSite, arg: Arg): Edit {
  const i = site.args.indexOf(arg);
  const next = site.args[i + 1];
  const prev = site.args[i - 1];
  if (next) return { span: { from: arg.span.from, to: next.span.from }, newText: '' };
  if (prev) return { span: { from: prev.span.to, to: arg.span.to }, newText: '' };
  return { span: arg.span, newText: '' };
}

/** The start of the line that holds `offset`. */
export function lineStart(text: string, offset: number): number {
  const lines = LineIndex.of(text);
  return lines.lineStart(lines.lineAt(offset));
}

/** The offset just past the end of the line that holds `offset` (after its line break). */
export function lineEndInclusive(text: string, offset: number): number {
  const lines = LineIndex.of(text);
  return lines.lineEndInclusive(lines.lineAt(offset));
}

/** True when only whitespace stands between the line start and `offset`. */
function firstOnLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

/** True when only whitespace or a comment follows `offset` on its line. */
function lastOnLine(text: string, offset: number): boolean {
  const lines = LineIndex.of(text);
  return /^[ \t]*(#.*)?$/.test(text.slice(offset, lines.lineEnd(lines.lineAt(offset))));
}

/** The lines a statement occupies, without blank lines and comments. */
function codeLines(text: string): CodeLine[] {
  if (linesOf.text === text) return linesOf.lines;
  const out: CodeLine[] = [];
  let from = 0;
  for (const line of text.split(/(?<=\n)/)) {
    const code = line.replace(/#.*$/, '').trimEnd();
    if (code.trim()) out.push({ from, indent: code.length - code.trimStart().length, code });
    from += line.length;
  }
  linesOf = { text, lines: out };
  return out;
}

/** The index of the first line starting at or after `offset` (binary search; lines in order). */
function firstFrom(lines: readonly CodeLine[], offset: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.from < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface CodeLine {
  from: number;
  indent: number;
  code: string;
}

/** The last text's code lines: the rules of one lint run ask about the same text many times. */
let linesOf: { text: string; lines: CodeLine[] } = { text: '', lines: [] };

/**
 * Deletes whole lines [from, to) of a statement; when they are the only statement of their
 * block (under an `if`, a `def`, a loop), `pass` takes their place, so the code still compiles.
 */
export function removeLines(text: string, from: number, to: number): Edit {
  const lines = codeLines(text);
  const first = firstFrom(lines, from);
  const own = lines[first];
  if (!own || own.indent === 0) return { span: { from, to }, newText: '' };
  const before = lines[first - 1];
  const after = lines.find((l) => l.from >= to);
  const opensBlock = !!before && before.indent < own.indent && before.code.endsWith(':');
  const closesBlock = !after || after.indent < own.indent;
  const newText = opensBlock && closesBlock ? `${' '.repeat(own.indent)}pass\n` : '';
  return { span: { from, to }, newText };
}

/**
 * True when the statement at `offset` sits in an `if`/`elif`/`else`/`try`/`except` block that
 * the code at `other` is not in: moving something from there to there would change when it runs.
 */
export function conditionalBlock(text: string, offset: number, other: number): boolean {
  const lines = codeLines(text);
  const headers = (at: number) => {
    const i = firstFrom(lines, at + 1) - 1;
    const out: number[] = [];
    let indent = lines[i]?.indent ?? 0;
    for (let j = i - 1; j >= 0 && indent > 0; j--) {
      const l = lines[j]!;
      if (l.indent < indent && l.code.endsWith(':')) {
        out.push(l.from);
        indent = l.indent;
      }
    }
    return out;
  };
  const theirs = new Set(headers(other));
  return headers(offset).some(
    (h) =>
      !theirs.has(h) &&
      /^\s*(if|elif|else|try|except|finally|match|case)\b/.test(
        text.slice(h, text.indexOf('\n', h)),
      ),
  );
}

/** How a layer sits in the model's code: a Sequential list item, a `model.add(...)`, or a call. */
export type Placement =
  | { kind: 'list'; span: Span }
  | { kind: 'add'; span: Span }
  | { kind: 'call'; span: Span; input: Span | null };

/** Finds how a layer was placed in its model, from the text around its constructor. */
export function placement(text: string, layer: LayerNode): Placement {
  const call = layer.calls[0];
  if (call && (call.span.from !== layer.site.span.from || call.span.to !== layer.site.span.to)) {
    const input = call.inputs.length === 1 ? inputText(text, call.span, layer.site.span) : null;
    return { kind: 'call', span: call.span, input };
  }
  const before = text.slice(Math.max(0, layer.site.span.from - 200), layer.site.span.from);
  const addMatch = /\.add\(\s*$/.exec(before);
  if (addMatch) {
    // The whole `model.add(...)` statement.
    const stmtStart = layer.site.span.from - addMatch[0].length;
    const from = lineStart(text, stmtStart);
    const close = text.indexOf(')', layer.site.span.to);
    return { kind: 'add', span: { from, to: close < 0 ? layer.site.span.to : close + 1 } };
  }
  return { kind: 'list', span: layer.site.span };
}

/** For `layer(args)(x)`: the span of `x` when it is the single argument of the application. */
function inputText(text: string, callSpan: Span, ctorSpan: Span): Span | null {
  if (callSpan.from !== ctorSpan.from) return null;
  const inner = text.slice(ctorSpan.to, callSpan.to);
  const m = /^\s*\(\s*([A-Za-z_][\w.]*)\s*\)$/.exec(inner);
  if (!m) return null;
  const from = ctorSpan.to + inner.indexOf(m[1]!);
  return { from, to: from + m[1]!.length };
}

/**
 * Removes a layer from its model: the list item with its comma, the `model.add(...)` line, or, for
 * `x = layers.Dropout(0.5)(x)`, the whole statement (elsewhere the call is replaced by its input).
 * Null when the layer's placement cannot be edited safely.
 */
export function removeLayer(text: string, layer: LayerNode): Edit | null {
  const p = placement(text, layer);
  if (p.kind === 'add') {
    if (!lastOnLine(text, p.span.to)) return null;
    return removeLines(text, p.span.from, lineEndInclusive(text, p.span.to));
  }
  if (p.kind === 'call') {
    if (!p.input) return null;
    const inputName = text.slice(p.input.from, p.input.to);
    const stmtStart = lineStart(text, p.span.from);
    const head = text.slice(stmtStart, p.span.from);
    const assign = /^[ \t]*([A-Za-z_]\w*)\s*=\s*$/.exec(head);
    if (assign && assign[1] === inputName && lastOnLine(text, p.span.to)) {
      return removeLines(text, stmtStart, lineEndInclusive(text, p.span.to));
    }
    return { span: p.span, newText: inputName };
  }
  // A list item: take the following comma; take whole lines when the item has its own line.
  let to = p.span.to;
  const after = /^\s*,/.exec(text.slice(to));
  let from = p.span.from;
  if (after) to += after[0].length;
  else {
    const before = /,\s*$/.exec(text.slice(Math.max(0, from - 200), from));
    if (!before) return null;
    from -= before[0].length;
    return { span: { from, to }, newText: '' };
  }
  if (firstOnLine(text, p.span.from) && lastOnLine(text, to)) {
    return {
      span: { from: lineStart(text, p.span.from), to: lineEndInclusive(text, to) },
      newText: '',
    };
  }
  const spaces = /^[ \t]*/.exec(text.slice(to))![0].length;
  return { span: { from, to: to + spaces }, newText: '' };
}

/** The text of the layer's code unit (list item or `model.add` line) for moving it elsewhere. */
export function layerUnit(
  text: string,
  layer: LayerNode,
): { kind: Placement['kind']; text: string; start: number } {
  const p = placement(text, layer);
  if (p.kind === 'add')
    return {
      kind: 'add',
      text: text.slice(p.span.from, lineEndInclusive(text, p.span.to)),
      start: p.span.from,
    };
  return {
    kind: p.kind,
    text: text.slice(p.span.from, p.span.to),
    start:
      p.kind === 'list' && firstOnLine(text, p.span.from)
        ? lineStart(text, p.span.from)
        : p.span.from,
  };
}

/** Applies edits to a text (as an editor would: all against the original offsets). */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.span.from - a.span.from || b.span.to - a.span.to);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.span.from) + e.newText + out.slice(e.span.to);
  return out;
}

/** The items of a written tuple such as `(None, 1, F)`, as source text, or null. */
export function tupleItems(text: string, span: Span): string[] | null {
  const src = text.slice(span.from, span.to).trim();
  const m = /^[([]([\s\S]*)[)\]]$/.exec(src);
  if (!m) return null;
  return topLevelItems(m[1]!);
}

/** The comma-separated items of an expression list, split outside brackets and strings. */
export function topLevelItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of list) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0 && !quote) {
      items.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) items.push(cur.trim());
  return items;
}

/** The source text of a span. */
export function textOf(text: string, span: Span): string {
  return text.slice(span.from, span.to);
}

/**
 * The public layers module of the package a layer's path is in (`keras.layers`,
 * `tensorflow.keras.layers`, `tf_keras.layers`): every Keras version has each layer class there,
 * where submodules (`keras.layers.core`, `keras.src.layers.regularization`) differ by version.
 */
function publicLayersModule(path: string): string | null {
  const tail = kerasTail(path);
  if (tail === null) return null;
  const prefix = path.slice(0, path.length - tail.length);
  const published: Record<string, string> = {
    'keras.src.': 'keras.',
    'keras.api.': 'keras.',
    'tensorflow.python.keras.': 'tensorflow.keras.',
  };
  return `${published[prefix] ?? prefix}layers`;
}

/**
 * How to write another class of the same Keras package at this call: `layers.Dropout` gives
 * `layers.SpatialDropout1D`; a bare imported name gives the bare name plus an import edit. A new
 * name is imported from the package's public layers module, never from the submodule the old
 * one came from (`keras.layers.core` has no SpatialDropout1D from Keras 2.9 on, Keras 3 has no
 * `keras.layers.core` at all).
 */
export function calleeFor(
  text: string,
  layer: LayerNode,
  newType: string,
): { callee: string; edits: Edit[] } {
  const callee = textOf(text, layer.site.callee);
  const module = layer.path.split('.').slice(0, -1).join('.');
  const published = publicLayersModule(layer.path);
  if (callee.includes('.') && (published === null || module === published))
    return { callee: callee.replace(/\w+$/, newType), edits: [] };
  const source = published ?? module;
  const imported = new RegExp(`^\\s*(from\\s+\\S+\\s+)?import\\b[^\\n]*\\b${newType}\\b`, 'm').test(
    text,
  );
  if (imported || !source) return { callee: newType, edits: [] };
  // Before the first import, but after `from __future__` imports (Python wants those first).
  const future = [...text.matchAll(/^from\s+__future__\s+import\b.*(\r?\n|$)/gm)].at(-1);
  const firstImport = /^(from|import)\s/m.exec(text);
  const at = future ? future.index + future[0].length : firstImport ? firstImport.index : 0;
  return {
    callee: newType,
    edits: [{ span: { from: at, to: at }, newText: `from ${source} import ${newType}\n` }],
  };
}

/** Removes several arguments of one call without overlapping edits. */
export function removeArgs(site: CallSite, remove: Arg[]): Edit[] {
  const gone = new Set(remove);
  const edits: Edit[] = [];
  const args = site.args;
  let i = 0;
  while (i < args.length) {
    if (!gone.has(args[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < args.length && gone.has(args[j + 1]!)) j++;
    const next = args[j + 1];
    const prev = args[i - 1];
    if (next) edits.push({ span: { from: args[i]!.span.from, to: next.span.from }, newText: '' });
    else if (prev) edits.push({ span: { from: prev.span.to, to: args[j]!.span.to }, newText: '' });
    else edits.push({ span: { from: args[i]!.span.from, to: args[j]!.span.to }, newText: '' });
    i = j + 1;
  }
  return edits;
}
