/**
 * Exporting a playground for real Keras: a Python script (`# %%` cells) or a Jupyter notebook.
 * Code cells are kept as written; the playground's own module (`from rnnlab import datasets`)
 * is replaced by numpy versions of the data sets the notebook uses (and `compare` by a Keras loop
 * over seeds and variants, `compare-python.ts`); markdown becomes comments in the script. No
 * vscode here: the commands only choose where to write.
 */
import {
  readNotebook,
  splitLines,
  stringifyJupyter,
  type CellKind,
  type Json,
  type JsonObject,
} from '../notebook/nbformat';
import { PYTHON_DATASETS, pythonDatasets, type PythonDataset } from './data/python';
import { PYTHON_COMPARE } from './compare-python';

export interface ExportCell {
  kind: CellKind;
  source: string;
  /** The nbformat cell's other keys (its `metadata`, `id`), kept in an exported notebook. */
  metadata?: JsonObject;
}

export interface ExportSource {
  /** The playground's name without extension: the header's title, the suggested file name. */
  name: string;
  /**
   * What the header says the script was exported from: the playground's file name
   * (`sine.rnnlab`) or an unsaved one's title. Default: `<name>.rnnlab`.
   */
  from?: string;
  cells: ExportCell[];
  /** The playground's notebook-level metadata (the `metadata` key of the file). */
  metadata?: JsonObject;
}

/**
 * The names of an export of the playground at `path`: a file's path, or an unsaved playground's
 * title (`Untitled-1`, as its tab shows it).
 */
export function exportNames(path: string, untitled: boolean): { name: string; from: string } {
  const file = path.replace(/^.*[/\\]/, '');
  const name = file.replace(/\.[^.]+$/, '') || 'playground';
  return { name, from: untitled ? `the unsaved playground ${name}` : file };
}

/** A playground file's text as an export source. */
export function exportSource(text: string, name: string): ExportSource {
  const nb = readNotebook(text, name);
  const meta = nb.metadata['metadata'];
  return {
    ...exportNames(name, false),
    cells: nb.cells.map((c) => ({ kind: c.kind, source: c.source, metadata: c.metadata })),
    metadata: typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? meta : {},
  };
}

// ---- rewriting the playground's imports -------------------------------------------------------

/** A code cell with its rnnlab imports rewritten, and what it needs from the data sets. */
export interface Rewritten {
  code: string;
  /** Whether the cell imported the playground's module. */
  importsRnnlab: boolean;
}

/** What `import rnnlab` becomes: the data sets, and `compare` where the notebook uses it. */
const namespace = (compare: boolean) =>
  `types.SimpleNamespace(datasets=datasets${compare ? ', compare=compare' : ''})`;

/** Whether code calls or imports `compare` (`rnnlab.compare(...)`, `from rnnlab import compare`). */
export function usesCompare(code: string): boolean {
  return /(^|[^\w])compare\s*\(|^\s*from\s+rnnlab\s+import\b[^\n]*\bcompare\b/m.test(code);
}

/** `a as b, c` → [[a, b], [c, c]]. */
function importNames(list: string): Array<[string, string]> {
  return list
    .replace(/[()]/g, ' ')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([\w.*]+)(?:\s+as\s+(\w+))?$/.exec(s);
      return m ? [m[1]!, m[2] ?? m[1]!] : [s, s];
    });
}

/** Replacement lines for one import statement of the rnnlab module (null: not one). */
function rewriteImport(statement: string, compare: boolean): string[] | null {
  const from = /^from\s+(rnnlab(?:\.datasets)?)\s+import\s+([\s\S]+)$/.exec(statement);
  const was = `# was: ${statement.replace(/\s+/g, ' ')}`;
  if (from) {
    const module = from[1]!;
    const out: string[] = [];
    for (const [name, alias] of importNames(from[2]!)) {
      if (module === 'rnnlab') {
        if (name === 'datasets') {
          if (alias !== 'datasets') out.push(`${alias} = datasets`);
        } else if (name === '*') {
          // Only `datasets` is public in the playground module.
        } else if (name === 'compare') {
          // Defined above, with the data sets.
          if (alias !== name) out.push(`${alias} = compare`);
        } else if (name === 'show_masks' && alias === name) {
          out.push(`# ${name}: RNN Lab playground only; its calls below are comments`);
        } else out.push(`${alias} = None  # rnnlab.${name} exists only in the RNN Lab playground`);
      } else if (name === '*') {
        for (const n of [...PYTHON_DATASETS, 'load_csv']) out.push(`${n} = datasets.${n}`);
      } else out.push(`${alias} = datasets.${name}`);
    }
    return out.length === 0
      ? [`${was}  (\`datasets\` is defined with numpy above)`]
      : [`${was}  (\`datasets\` is defined with numpy above)`, ...out];
  }
  const imp = /^import\s+([\s\S]+)$/.exec(statement);
  if (!imp) return null;
  const parts = importNames(imp[1]!);
  if (!parts.some(([m]) => m === 'rnnlab' || m.startsWith('rnnlab.'))) return null;
  const kept = parts.filter(([m]) => !(m === 'rnnlab' || m.startsWith('rnnlab.')));
  const out: string[] = [was];
  if (kept.length > 0)
    out.push(`import ${kept.map(([m, a]) => (m === a ? m : `${m} as ${a}`)).join(', ')}`);
  let needsTypes = true;
  for (const [module, alias] of parts) {
    if (!(module === 'rnnlab' || module.startsWith('rnnlab.'))) continue;
    const aliased = alias !== module;
    if (module === 'rnnlab.datasets' && aliased) out.push(`${alias} = datasets`);
    else {
      if (needsTypes) out.push('import types');
      needsTypes = false;
      out.push(`${aliased ? alias : 'rnnlab'} = ${namespace(compare)}`);
    }
  }
  return out;
}

/** A statement that calls `show_masks` (`rnnlab.show_masks(model, x)`, `show_masks(...)`). */
const MASK_CALL = /^[ \t]*(?:\w+\s*=\s*)?(?:\w+\.)?show_masks\s*\(/;

/**
 * A `show_masks(...)` statement (over as many lines as its parentheses span) as comments, with a
 * line that says why: Keras has no such call. Returns the index of its last line.
 */
function commentMaskCall(lines: string[], from: number, out: string[]): number {
  const indent = /^[ \t]*/.exec(lines[from]!)![0];
  out.push(
    `${indent}# RNN Lab playground only: show_masks draws the dropout masks one training-mode forward pass applies (Keras has no such call).`,
  );
  let depth = 0;
  let i = from;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line.trim() === '' ? `${indent}#` : `${indent}# ${line.slice(indent.length)}`);
    for (const c of line.replace(/#.*$/, '')) depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth <= 0) break;
  }
  // Inside a block the comments alone would leave it empty.
  if (indent) out.push(`${indent}pass`);
  return Math.min(i, lines.length - 1);
}

/**
 * Rewrites the rnnlab imports of a cell; `show_masks` calls, IPython magics and shell escapes
 * become comments.
 */
export function rewriteCell(code: string, compare = usesCompare(code)): Rewritten {
  const lines = code.split('\n');
  const out: string[] = [];
  let importsRnnlab = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = /^([ \t]*)((?:from\s+|import\s+(?:[\w.]+(?:\s+as\s+\w+)?\s*,\s*)*)rnnlab\b.*)$/.exec(
      line,
    );
    if (m) {
      const indent = m[1]!;
      let statement = m[2]!.replace(/\s+#.*$/, '');
      // A parenthesised name list may continue over several lines.
      if (statement.includes('(') && !statement.includes(')')) {
        while (i + 1 < lines.length && !statement.includes(')')) {
          statement += ` ${lines[++i]!.replace(/\s+#.*$/, '').trim()}`;
        }
      }
      const replaced = rewriteImport(statement.trim(), compare);
      if (replaced) {
        importsRnnlab = true;
        out.push(...replaced.map((l) => indent + l));
        continue;
      }
    }
    if (MASK_CALL.test(line)) {
      i = commentMaskCall(lines, i, out);
      continue;
    }
    // Magics: the playground does not run them either, but a pasted cell may have them.
    if (/^[ \t]*[%!]/.test(line)) {
      out.push(line.replace(/^([ \t]*)/, '$1# (IPython only) '));
      continue;
    }
    out.push(line);
  }
  return { code: out.join('\n'), importsRnnlab };
}

/** The data sets a notebook's code calls (all of them when it uses the module some other way). */
export function datasetsUsed(code: string): PythonDataset[] {
  const used = new Set<PythonDataset>();
  for (const name of PYTHON_DATASETS) {
    const call = new RegExp(`(^|[^\\w])${name}\\s*\\(`, 'm');
    if (call.test(code)) used.add(name);
  }
  if (/(^|[^\w])load_csv\s*\(/m.test(code)) used.add('csv');
  if (/\bimport\s+\*/.test(code) || (used.size === 0 && /\brnnlab\b/.test(code)))
    return [...PYTHON_DATASETS];
  return PYTHON_DATASETS.filter((n) => used.has(n));
}

function codeOf(src: ExportSource): string {
  return src.cells
    .filter((c) => c.kind === 'code')
    .map((c) => c.source)
    .join('\n');
}

/** The numpy data sets a notebook needs, or null when it does not import rnnlab. */
function preamble(src: ExportSource): string | null {
  const code = codeOf(src);
  if (!src.cells.some((c) => c.kind === 'code' && rewriteCell(c.source).importsRnnlab)) return null;
  const data = pythonDatasets(datasetsUsed(code)).trimEnd();
  return usesCompare(code) ? `${data}\n\n\n${PYTHON_COMPARE.trimEnd()}` : data;
}

// ---- Python script ----------------------------------------------------------------------------

function comment(text: string): string {
  return text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => (l.trim() === '' ? '#' : `# ${l}`.trimEnd()))
    .join('\n');
}

/** The playground as a runnable Keras script, its cells marked with `# %%`. */
export function toKerasScript(src: ExportSource): string {
  const blocks: string[] = [
    [
      `# ${src.name}: a Keras script exported by RNN Lab from ${src.from ?? `${src.name}.rnnlab`}.`,
      '# Run it with Python 3, numpy and Keras 3 on any backend (pip install numpy keras tensorflow).',
      '# "# %%" marks the playground\'s cells (VS Code, Spyder and Jupytext run them one by one).',
    ].join('\n'),
  ];
  let data = preamble(src);
  for (const cell of src.cells) {
    if (cell.kind === 'markdown' || cell.kind === 'raw') {
      if (cell.source.trim() === '') continue;
      blocks.push(`# %% [${cell.kind}]\n${comment(cell.source)}`);
      continue;
    }
    const { code, importsRnnlab } = rewriteCell(cell.source, usesCompare(codeOf(src)));
    if (importsRnnlab && data) {
      blocks.push(`# %%\n${data}`);
      data = null;
    }
    blocks.push(`# %%\n${code.replace(/\s+$/, '')}`);
  }
  return `${blocks.join('\n\n\n')}\n`;
}

// ---- Jupyter notebook -------------------------------------------------------------------------

const PYTHON_METADATA: JsonObject = {
  kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
  language_info: { name: 'python' },
};

/** The playground as a Python (Keras) Jupyter notebook, without outputs. */
export function toJupyterNotebook(src: ExportSource): string {
  const ids = new Set<string>();
  const idFor = (wanted: Json | undefined, fallback: string): string => {
    let id = typeof wanted === 'string' && /^[\w-]{1,64}$/.test(wanted) ? wanted : fallback;
    for (let k = 2; ids.has(id); k++) id = `${fallback}-${k}`;
    ids.add(id);
    return id;
  };
  const cellMeta = (c: ExportCell): JsonObject => {
    const m = c.metadata?.['metadata'];
    return typeof m === 'object' && m !== null && !Array.isArray(m) ? m : {};
  };
  const cells: JsonObject[] = [];
  let data = preamble(src);
  src.cells.forEach((cell, i) => {
    const id = idFor(cell.metadata?.['id'], `cell-${i + 1}`);
    if (cell.kind !== 'code') {
      cells.push({ cell_type: cell.kind, id, metadata: cellMeta(cell), source: cell.source });
      return;
    }
    const { code, importsRnnlab } = rewriteCell(cell.source, usesCompare(codeOf(src)));
    if (importsRnnlab && data) {
      cells.push(codeCell(idFor(undefined, 'rnnlab-datasets'), {}, data));
      data = null;
    }
    cells.push(codeCell(id, cellMeta(cell), code));
  });
  const metadata: JsonObject = { ...(src.metadata ?? {}), ...PYTHON_METADATA };
  const nb: JsonObject = {
    cells: cells.map((c) => ({ ...c, source: splitLines(c['source'] as string) })),
    metadata,
    nbformat: 4,
    nbformat_minor: 5,
  };
  return stringifyJupyter(nb);
}

function codeCell(id: string, metadata: JsonObject, source: string): JsonObject {
  return { cell_type: 'code', execution_count: null, id, metadata, outputs: [], source };
}
