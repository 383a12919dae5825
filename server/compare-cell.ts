/**
 * "Compare Dropout Placements": the code of an `rnnlab.compare(...)` cell for one model of the
 * analysed text. The variants are the model as written, one per dropout quick fix the linter
 * offers on it (the fix applied to a copy of the code that builds and compiles the model), and a
 * control without any dropout. Pure: text in, text out.
 *
 * The copy is the run of whole lines from the model's first statement (its constructor, an
 * `Input`, a layer it uses) to its last (`compile`, the last layer); each copy binds the model to
 * a variable of its own (`model_gru_dropout`), so the copies can stand one after another in a cell.
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import type { LayerNode, ModelNode } from '../analyzer/graph';
import { activationName, outputLayer } from '../analyzer/graph';
import { parsePython } from '../analyzer/python/parse';
import type { Span } from '../analyzer/python/values';
import { asInt, asString } from '../analyzer/python/values';
import {
  applyEdits,
  argFor,
  lineEndInclusive,
  lineStart,
  removeArgs,
  removeLayer,
  topLevelItems,
} from '../lint/edits';
import { DROPOUT_LAYERS, recurrentCore } from '../lint/model';
import type { Edit, Finding } from '../lint/types';
import { modelVariable } from './lenses';
import { emptyNotebook, type Notebook } from '../notebook/nbformat';
import { cell } from '../notebook/template';

/** One model of the comparison. */
export interface ComparisonVariant {
  /** The key in the `compare({...})` dict: `as_written`, `gru_dropout`, `no_dropout`... */
  key: string;
  /** What it is: `As written`, the quick fix's title, `No dropout at all`. */
  title: string;
  /** The variable the cell binds it to. */
  variable: string;
  /** The code that builds and compiles it; null when the variable already holds it (as written). */
  source: string | null;
}

/** The `fit(...)` arguments found for the model, as source text. */
export interface FitArgs {
  x: string;
  y: string;
  /** `validation_data=` as written, or null. */
  validation: string | null;
  epochs: string | null;
  batchSize: string | null;
}

export interface ComparisonPlan {
  /** The model's Keras name. */
  model: string;
  /** The variable that holds the model as written. */
  variable: string;
  variants: ComparisonVariant[];
  /** The code that builds (and compiles) the model as written, dedented. */
  region: string;
  /** The analysed-text span of that code. */
  span: Span;
  /** Import lines the variants need that the fixes add elsewhere in the text. */
  extraImports: string[];
  /** The model's `fit(...)` later in the text, if any. */
  fit: FitArgs | null;
  /** The model's input shape without the batch axis (null entries: unknown sizes), or null. */
  inputShape: (number | null)[] | null;
  /** The output layer's units and activation, and the compiled loss, where known. */
  output: { units: number | null; activation: string | null; loss: string | null };
  /** Names the code uses that it does not define (defined elsewhere in the text, or unknown). */
  freeNames: string[];
  /** The `compile(...)` call every copy gets when the model as written has none, else null. */
  addedCompile: string | null;
  /** What a new playground needs before the copies: the text's Keras imports and constants. */
  preamble: Preamble;
}

export interface Preamble {
  /** Top-level import statements of keras, tensorflow or tf_keras, as written. */
  imports: string[];
  /** Top-level assignments of free names with literal values (`T = 50`), in order. */
  constants: string[];
  /** Free names with no such assignment: what the text binds them to (or null). */
  missing: Array<{ name: string; written: string | null }>;
}

export type PlanResult = { plan: ComparisonPlan } | { error: string };

const IDENT = /^[A-Za-z_]\w*$/;

/** `text` with every whole-word use of `from` as a name (not an attribute, not in a string or comment) renamed. */
export function renameVariable(text: string, from: string, to: string): string {
  const { tree } = parsePython(text);
  const edits: Edit[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.name !== 'VariableName') return;
      if (text.slice(n.from, n.to) === from)
        edits.push({ span: { from: n.from, to: n.to }, newText: to });
    },
  });
  return applyEdits(text, edits);
}

/** Removes the common leading indentation of a block of lines. */
export function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

/** The spans that belong to the model's code. */
function modelSpans(model: ModelNode): Span[] {
  const spans: Span[] = [model.site.span];
  if (model.compile) spans.push(model.compile.span);
  if (model.inputLayer) spans.push(model.inputLayer.site.span);
  for (const l of model.layers) spans.push(l.site.span);
  for (const c of model.calls) spans.push(c.span);
  return spans;
}

/** The variable a model is bound to: its `compile` call's receiver, else the assignment target. */
function variableOf(text: string, model: ModelNode): string | null {
  if (model.compile) {
    const m = /^([A-Za-z_]\w*)\s*\.\s*compile\b/.exec(text.slice(model.compile.span.from));
    if (m) return m[1]!;
  }
  return modelVariable(text, model);
}

/** A key for a fix's variant, from what the fix does. */
function keyOfFix(title: string): string {
  const move = /^Move the rate into (\w+)\(dropout=/.exec(title);
  if (move) return `${move[1]!.toLowerCase()}_dropout`;
  if (/SpatialDropout1D/.test(title)) return 'spatial_dropout';
  if (/noise_shape/.test(title)) return 'noise_shape';
  const remove = /^Remove (\w+)/.exec(title);
  if (remove) return `without_${remove[1]!.toLowerCase()}`;
  const words = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .slice(0, 3);
  return words.join('_') || 'variant';
}

/** Layers that drop or perturb values in training only. */
const NOISE_LAYERS = new Set([...DROPOUT_LAYERS, 'GaussianDropout', 'AlphaDropout']);
const isDropout = (l: LayerNode) => NOISE_LAYERS.has(l.type);

/** The edits that remove every dropout of the model, or null when one cannot be removed safely. */
function withoutDropout(text: string, model: ModelNode): Edit[] | null {
  const edits: Edit[] = [];
  for (const layer of model.layers) {
    if (
      isDropout(layer) ||
      (layer.type === 'TimeDistributed' && layer.inner && isDropout(layer.inner))
    ) {
      const e = removeLayer(text, layer);
      if (!e) return null;
      edits.push(e);
      continue;
    }
    const core = recurrentCore(layer);
    if (!core) continue;
    const args = ['dropout', 'recurrent_dropout']
      .map((p) => argFor(core.site, p))
      .filter((a): a is NonNullable<typeof a> => a !== undefined);
    if (args.some((a) => a.keyword === null || a.splat || a.fromSplat)) return null;
    edits.push(...removeArgs(core.site, args));
  }
  return edits;
}

/** Whether a layer of the model applies dropout in training (a layer, or dropout= on a recurrent one). */
function hasDropout(model: ModelNode): boolean {
  return model.layers.some((l: LayerNode) => {
    if (isDropout(l) || (l.type === 'TimeDistributed' && l.inner && isDropout(l.inner)))
      return true;
    const core = recurrentCore(l);
    return !!core && (argFor(core.site, 'dropout') || argFor(core.site, 'recurrent_dropout'));
  });
}

const isImportInsertion = (e: Edit) =>
  e.span.from === e.span.to && /^\s*(from|import)\s/.test(e.newText);

/** The arguments of the first `variable.fit(...)` at or after `from`, as source text. */
export function fitArgs(
  text: string,
  variable: string,
  from: number,
  tree: Tree = parsePython(text).tree,
): FitArgs | null {
  let found: FitArgs | null = null;
  tree.iterate({
    enter: (n) => {
      if (found) return false;
      if (n.name !== 'CallExpression' || n.from < from) return undefined;
      const callee = n.node.firstChild;
      if (!callee || text.slice(callee.from, callee.to).replace(/\s+/g, '') !== `${variable}.fit`)
        return undefined;
      const argList = n.node.getChild('ArgList');
      if (argList) found = readFit(text, argList);
      return false;
    },
  });
  return found;
}

function readFit(text: string, argList: SyntaxNode): FitArgs | null {
  const positional: string[] = [];
  const named = new Map<string, string>();
  let pendingName: string | null = null;
  for (let c = argList.firstChild; c; c = c.nextSibling) {
    if (['(', ')', ','].includes(c.name)) continue;
    if (c.name === 'AssignOp') continue;
    const src = text.slice(c.from, c.to);
    if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') {
      pendingName = src;
      continue;
    }
    if (pendingName !== null) {
      named.set(pendingName, src);
      pendingName = null;
    } else positional.push(src);
  }
  const x = named.get('x') ?? positional[0];
  const y = named.get('y') ?? positional[1];
  if (!x || !y) return null;
  return {
    x,
    y,
    validation: named.get('validation_data') ?? null,
    epochs: named.get('epochs') ?? positional[3] ?? null,
    batchSize: named.get('batch_size') ?? positional[2] ?? null,
  };
}

const BUILTINS = new Set([
  'True',
  'False',
  'None',
  'print',
  'range',
  'len',
  'int',
  'float',
  'str',
  'list',
  'tuple',
  'dict',
  'min',
  'max',
  'abs',
  'round',
  'sum',
  'zip',
  'enumerate',
]);

/** Names the code reads but neither assigns nor imports (nor are builtins). */
export function freeNames(code: string, known: ReadonlySet<string>): string[] {
  const { tree } = parsePython(code);
  const assigned = new Set<string>();
  const used: string[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.name === 'AssignStatement') {
        for (let c = n.node.firstChild; c && c.name !== 'AssignOp'; c = c.nextSibling)
          if (c.name === 'VariableName') assigned.add(code.slice(c.from, c.to));
      }
      if (n.name === 'ImportStatement') {
        for (let c = n.node.firstChild; c; c = c.nextSibling)
          if (c.name === 'VariableName') assigned.add(code.slice(c.from, c.to));
        return false;
      }
      if (n.name === 'VariableName') {
        const parent = n.node.parent;
        // A keyword argument's name, or a lambda/comprehension binding, is not a read.
        if (parent?.name === 'ArgList' && n.node.nextSibling?.name === 'AssignOp') return;
        used.push(code.slice(n.from, n.to));
      }
      return undefined;
    },
  });
  return [...new Set(used)].filter((u) => !assigned.has(u) && !known.has(u) && !BUILTINS.has(u));
}

/** Names bound by import statements anywhere in the text. */
function importedNames(text: string, tree: Tree): Set<string> {
  const out = new Set<string>();
  tree.iterate({
    enter: (n) => {
      if (n.name !== 'ImportStatement') return undefined;
      let afterAs = false;
      let lastName: string | null = null;
      for (let c = n.node.firstChild; c; c = c.nextSibling) {
        const src = text.slice(c.from, c.to);
        if (c.name === 'as') afterAs = true;
        if (c.name === 'VariableName') {
          if (afterAs && lastName) out.delete(lastName);
          out.add(src);
          lastName = src;
          afterAs = false;
        }
      }
      // `import keras.layers` binds `keras`.
      const m = /^\s*import\s+([A-Za-z_]\w*)/.exec(text.slice(n.from, n.to));
      if (m) out.add(m[1]!);
      return false;
    },
  });
  return out;
}

/**
 * The plan for comparing `model`'s dropout placements. `findings` are the linter's on the same
 * text (offsets into it). An error, in a sentence a user can act on, when the model's code
 * cannot be copied or it has nothing to compare.
 */
export function planComparison(
  text: string,
  findings: readonly Finding[],
  model: ModelNode,
  sameUnit: (a: number, b: number) => boolean = () => true,
): PlanResult {
  const name = model.name;
  const variable = variableOf(text, model);
  if (!variable || !IDENT.test(variable))
    return {
      error: `Model "${name}" is not bound to a variable (as in model = keras.Sequential(...)): RNN Lab cannot copy its code into a comparison.`,
    };
  const spans = modelSpans(model);
  const from = lineStart(text, Math.min(...spans.map((s) => s.from)));
  const to = lineEndInclusive(text, Math.max(...spans.map((s) => s.to)));
  if (!sameUnit(from, Math.max(from, to - 1)))
    return {
      error: `Model "${name}" is built across several cells: put the code that builds it into one cell, then compare again.`,
    };
  if (!hasDropout(model))
    return {
      error: `Model "${name}" has no dropout: there is no placement to compare. Add a Dropout layer or dropout= to a recurrent layer first.`,
    };
  const region = text.slice(from, to);
  const inRegion = (s: Span) => s.from >= from && s.to <= to;

  const extraImports: string[] = [];
  const variants: ComparisonVariant[] = [];
  const seen = new Set<string>([region]);
  const taken = new Set<string>();
  const add = (key: string, title: string, edits: Edit[], layerName: string | null = null) => {
    const inside = edits.filter((e) => inRegion(e.span));
    const outside = edits.filter((e) => !inRegion(e.span));
    if (!outside.every(isImportInsertion)) return;
    const shifted = inside.map((e) => ({
      span: { from: e.span.from - from, to: e.span.to - from },
      newText: e.newText,
    }));
    const code = applyEdits(region, shifted);
    if (seen.has(code) && edits.length > 0) return;
    seen.add(code);
    let k = taken.has(key) && layerName ? `${key}_${layerName}` : key;
    for (let i = 2; taken.has(k); i++) k = `${key}_${i}`;
    taken.add(k);
    for (const e of outside) {
      for (const line of e.newText.split('\n').map((l) => l.trim()))
        if (line && !extraImports.includes(line)) extraImports.push(line);
    }
    const v = `${variable}_${k}`;
    const copy = dedent(renameVariable(code, variable, v)).trimEnd();
    const source = addedCompile ? `${copy}\n${v}.${addedCompile}` : copy;
    variants.push({ key: k, title, variable: v, source });
  };

  // compare() needs compiled models: a model without compile() gets one in every copy.
  const addedCompile = model.compile ? null : defaultCompile(model);
  if (addedCompile) add('as_written', 'As written', []);
  else variants.push({ key: 'as_written', title: 'As written', variable, source: null });
  taken.add('as_written');
  const ours = findings.filter((f) => f.code.startsWith('DR') && inRegion(f.span));
  for (const f of ours) {
    const layer = model.layers.find(
      (l) => l.site.span.from <= f.span.from && f.span.to <= l.site.span.to,
    );
    for (const fix of f.fixes) add(keyOfFix(fix.title), fix.title, fix.edits, layer?.name ?? null);
  }
  const none = withoutDropout(text, model);
  if (none) add('no_dropout', 'No dropout at all', none);
  if (variants.length < 2)
    return {
      error: `RNN Lab has no other placement to offer for model "${name}": none of its dropout findings has a quick fix, and its dropout cannot be removed safely.`,
    };

  const input = model.inputs[0]?.shape ?? null;
  const out = outputLayer(model);
  const units = out ? (out.config['units'] ? asInt(out.config['units']) : null) : null;
  const loss = model.compile ? asString(model.compile.loss) : null;
  // The whole text is parsed once for the imports, the fit and the preamble.
  const { tree } = parsePython(text);
  const known = importedNames(text, tree);
  const dedented = dedent(region);
  const free = freeNames(dedented, known).filter((n) => n !== variable);
  return {
    plan: {
      model: name,
      variable,
      variants,
      region: dedented,
      span: { from, to },
      extraImports,
      fit: fitArgs(text, variable, to, tree),
      inputShape: input ? input.slice(1) : null,
      output: {
        units,
        activation: out ? activationName(out.config['activation']) : null,
        loss,
      },
      freeNames: free,
      addedCompile,
      preamble: preambleOf(text, free, from, tree),
    },
  };
}

const KERAS_IMPORT = /\b(keras|tensorflow|tf_keras)\b/;
const LITERAL = /^[\s\d.+\-*/%(),[\]eE]*$/;

/**
 * The imports and constants a copy of the model's code needs outside its own text: Keras imports
 * at the top level, and for each free name its last top-level assignment before `before` when
 * the value is a literal or arithmetic of other such constants (`units = 2 * T`).
 */
export function preambleOf(
  text: string,
  free: readonly string[],
  before: number,
  tree: Tree = parsePython(text).tree,
): Preamble {
  const imports: string[] = [];
  const assigns = new Map<string, string>();
  for (let n = tree.topNode.firstChild; n; n = n.nextSibling) {
    const src = text.slice(n.from, n.to);
    if (n.name === 'ImportStatement' && KERAS_IMPORT.test(src)) imports.push(src);
    if (n.name === 'AssignStatement' && n.to <= before) {
      const m = /^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=\s*([^\n]+)$/.exec(src);
      if (!m) continue;
      const targets = m[1]!.split(',').map((t) => t.trim());
      const value = m[2]!.replace(/\s+#.*$/, '').trim();
      // `T, F = 50, 128`: one value each, split at the top-level commas.
      const values = targets.length === 1 ? [value] : topLevelItems(value);
      if (values.length === targets.length) targets.forEach((t, i) => assigns.set(t, values[i]!));
    }
  }
  const constants: string[] = [];
  const missing: Preamble['missing'] = [];
  const done = new Set<string>();
  const resolve = (name: string, depth: number): boolean => {
    if (done.has(name)) return true;
    const value = assigns.get(name);
    if (value === undefined || depth > 8) return false;
    const stripped = value.replace(/'[^']*'|"[^"]*"/g, '0');
    const names = stripped.match(/[A-Za-z_]\w*/g) ?? [];
    const literal = LITERAL.test(stripped.replace(/[A-Za-z_]\w*/g, '0'));
    if (!literal || !names.filter((x) => !/^[eE]\d*$/.test(x)).every((x) => resolve(x, depth + 1)))
      return false;
    done.add(name);
    constants.push(`${name} = ${value}`);
    return true;
  };
  for (const name of free)
    if (!resolve(name, 0)) missing.push({ name, written: assigns.get(name) ?? null });
  return { imports, constants, missing };
}

/** A compile call for a model written without one: Adam and the loss its output layer suggests. */
function defaultCompile(model: ModelNode): string {
  const out = outputLayer(model);
  const activation = out ? activationName(out.config['activation']) : null;
  const units = out?.config['units'] ? asInt(out.config['units']) : null;
  const loss =
    activation === 'sigmoid'
      ? 'binary_crossentropy'
      : activation === 'softmax' && units !== 1
        ? 'sparse_categorical_crossentropy'
        : 'mse';
  return `compile(optimizer="adam", loss="${loss}")  # added by RNN Lab: the model had no compile()`;
}

/** Options of the generated `compare(...)` call. */
export interface CellOptions {
  /** The data arguments as source text. */
  x: string;
  y: string;
  validation: string;
  epochs: string;
  batchSize: string;
  seeds: number;
  /** Include the model as written (a new playground from a .py file has no cell that builds it). */
  includeOriginal: boolean;
}

/** The comparison cell's code. */
export function comparisonSource(plan: ComparisonPlan, o: CellOptions): string {
  const lines: string[] = [
    `# Dropout placements of "${plan.model}": the model as written, the variants RNN Lab's quick`,
    `# fixes make of it and a control without dropout, ${o.seeds} seeds each (docs/compare.md).`,
    'import rnnlab',
    ...plan.extraImports,
    '',
  ];
  if (o.includeOriginal && plan.variants[0]?.source === null)
    lines.push('# As written.', plan.region.trimEnd(), '');
  for (const v of plan.variants) {
    if (v.source === null) continue;
    lines.push(`# ${v.title}.`, v.source.trimEnd(), '');
  }
  lines.push(
    'rnnlab.compare(',
    '    {',
    ...plan.variants.map((v) => `        "${v.key}": ${v.variable},`),
    '    },',
    `    ${o.x}, ${o.y},`,
    `    validation_data=${o.validation},`,
    `    epochs=${o.epochs}, batch_size=${o.batchSize},`,
    `    seeds=${o.seeds},`,
    ')',
  );
  return lines.join('\n');
}

/** The comparison's options where the model's own `fit(...)` gives none. */
export function cellOptions(plan: ComparisonPlan, includeOriginal: boolean): CellOptions {
  const fit = plan.fit;
  return {
    x: fit?.x ?? 'x_train',
    y: fit?.y ?? 'y_train',
    validation: fit?.validation ?? '(x_val, y_val)',
    epochs: fit?.epochs ?? '10',
    batchSize: fit?.batchSize ?? '32',
    seeds: 5,
    includeOriginal,
  };
}

/**
 * A new playground comparing the placements of a model from a Python file or Jupyter notebook
 * (`origin`, as `train.py:12`): an introduction, the imports and constants, the data (`dataCode`:
 * a built-in data set of matching shape, or a placeholder to fill in), and the comparison.
 */
export function comparisonPlayground(
  plan: ComparisonPlan,
  dataCode: string,
  origin: string,
): Notebook {
  const { imports, constants, missing } = plan.preamble;
  const keys = plan.variants.map((v) => `\`${v.key}\``).join(', ');
  const intro = [
    `# Dropout placements of "${plan.model}"`,
    '',
    `The model from ${origin}, copied as written and as RNN Lab's dropout quick fixes would change it, with a control without dropout: ${keys}. Every variant trains for ${cellOptions(plan, true).seeds} seeds from the same initial weights, and a paired test over the seeds says which differences are larger than the noise (docs/compare.md).`,
    '',
    'The data below stands in for yours: replace it with data of the same shapes to compare on your task. Delete the variants you do not need from the last cell; each costs one fit per seed.',
  ].join('\n');
  const setup = [
    ...(imports.length ? imports : ['import keras', 'from keras import layers']),
    'import rnnlab',
    'from rnnlab import datasets',
    '',
    ...constants,
    ...missing.map(
      (m) =>
        `# ${m.name} = ...  # set it: ${m.written === null ? 'the model uses it, and the file does not give it a value here' : `the file computes it as ${m.written}`}`,
    ),
    ...(constants.length || missing.length ? [''] : []),
    dataCode,
  ].join('\n');
  const nb = emptyNotebook();
  nb.cells = [
    cell('markdown', intro),
    cell('code', setup),
    cell(
      'code',
      comparisonSource(plan, {
        ...cellOptions(plan, true),
        // The data set of the setup cell, not the names of the original file.
        x: 'x_train',
        y: 'y_train',
        validation: '(x_val, y_val)',
      }),
    ),
  ];
  return nb;
}
