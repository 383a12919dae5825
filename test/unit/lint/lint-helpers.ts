/** Helpers shared by the linter tests (test/unit/lint/*.test.ts). */
import assert from 'node:assert/strict';
import { applyEdits, lint, type Finding, type LintOptions } from '../../../lint/index';
import { analyze } from '../../../analyzer/python/evaluate';

export type Opts = Partial<LintOptions>;

/** Every finding of a text. */
export function findings(src: string, opts: Opts = {}): Finding[] {
  return lint(analyze(src), src, opts);
}

/** `CODE:severity` per finding, for assertion messages. */
export function show(fs: Finding[], src?: string): string {
  if (fs.length === 0) return '(no findings)';
  return fs
    .map(
      (f) =>
        `${f.code}:${f.severity}${src === undefined ? '' : ` ${JSON.stringify(src.slice(f.span.from, f.span.to))}`} ${f.message}`,
    )
    .join('\n');
}

export function codes(src: string, opts: Opts = {}): string[] {
  return findings(src, opts).map((f) => f.code);
}

/** The findings of one code. */
export function ofCode(src: string, code: string, opts: Opts = {}): Finding[] {
  return findings(src, opts).filter((f) => f.code === code);
}

/** The one finding of a code; fails when there are none or several. */
export function one(src: string, code: string, opts: Opts = {}): Finding {
  const all = findings(src, opts);
  const fs = all.filter((f) => f.code === code);
  assert.equal(fs.length, 1, `expected exactly one ${code}, got:\n${show(all, src)}`);
  return fs[0]!;
}

/** Asserts the code does not fire. */
export function silent(src: string, code: string, opts: Opts = {}): void {
  const all = findings(src, opts);
  assert.deepEqual(
    all.filter((f) => f.code === code).map((f) => f.code),
    [],
    `expected no ${code}, got:\n${show(all, src)}`,
  );
}

/** Asserts there is no warning and no error at all (info findings are allowed). */
export function noProblems(src: string, opts: Opts = {}): void {
  const bad = findings(src, opts).filter((f) => f.severity !== 'info');
  assert.deepEqual(
    bad.map((f) => f.code),
    [],
    `unexpected findings:\n${show(bad, src)}`,
  );
}

/** Asserts there is no finding at all (not even info). */
export function clean(src: string, opts: Opts = {}): void {
  const all = findings(src, opts);
  assert.deepEqual(
    all.map((f) => f.code),
    [],
    `unexpected findings:\n${show(all, src)}`,
  );
}

/** The source text a finding's range covers. */
export function spanText(src: string, f: { span: { from: number; to: number } }): string {
  return src.slice(f.span.from, f.span.to);
}

/** 1-based line of an offset. */
export function lineAt(src: string, offset: number): number {
  return src.slice(0, offset).split('\n').length;
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(src: string, needle: string): number {
  const i = src.indexOf(needle);
  assert.ok(i >= 0, `no ${JSON.stringify(needle)} in the text`);
  return lineAt(src, i);
}

/** Appends a comment to the (first) line that contains `needle`. */
export function commentLine(src: string, needle: string, comment: string): string {
  const i = src.indexOf(needle);
  assert.ok(i >= 0, `no ${JSON.stringify(needle)} in the text`);
  const nl = src.indexOf('\n', i);
  const end = nl < 0 ? src.length : nl;
  return `${src.slice(0, end)}  ${comment}${src.slice(end)}`;
}

function countBy(xs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

export interface FixResult {
  title: string;
  isPreferred: boolean;
  text: string;
  after: Finding[];
}

/**
 * Applies each fix of the (single) finding of `code`, then re-analyses and re-lints the result.
 * Asserts for every fix: the finding is gone (one fewer of that code), no warning or error appears
 * that was not there before, and the text still builds the same number of models.
 */
export function checkFixes(src: string, code: string, opts: Opts = {}): FixResult[] {
  const before = findings(src, opts);
  const target = before.filter((f) => f.code === code);
  assert.equal(target.length, 1, `expected exactly one ${code}, got:\n${show(before, src)}`);
  const finding = target[0]!;
  assert.ok(finding.fixes.length > 0, `${code} offers no fix`);
  const models = analyze(src).models.length;
  const beforeBad = countBy(
    before.filter((f) => f.severity !== 'info' && f.code !== code).map((f) => f.code),
  );
  return finding.fixes.map((fix) => {
    const text = applyEdits(src, fix.edits);
    const analysis = analyze(text);
    const after = lint(analysis, text, opts);
    const where = `fix "${fix.title}" gave:\n${text}\nfindings:\n${show(after, text)}`;
    assert.notEqual(text, src, `fix "${fix.title}" changes nothing`);
    assert.equal(analysis.models.length, models, `model count changed; ${where}`);
    assert.equal(
      after.filter((f) => f.code === code).length,
      0,
      `${code} still fires after the fix; ${where}`,
    );
    const afterBad = countBy(after.filter((f) => f.severity !== 'info').map((f) => f.code));
    for (const [c, n] of afterBad) {
      assert.ok(n <= (beforeBad.get(c) ?? 0), `new ${c} after the fix; ${where}`);
    }
    return { title: fix.title, isPreferred: fix.isPreferred, text, after };
  });
}

/** The fix whose title matches, from a list of fix results. */
export function fixNamed(results: FixResult[], pattern: RegExp): FixResult {
  const r = results.find((x) => pattern.test(x.title));
  assert.ok(r, `no fix matching ${pattern}; fixes: ${results.map((x) => x.title).join(' | ')}`);
  return r;
}

/** Exactly one fix is preferred; returns its title. */
export function preferredTitle(f: Finding): string {
  const p = f.fixes.filter((x) => x.isPreferred);
  assert.equal(
    p.length,
    1,
    `expected one preferred fix: ${f.fixes.map((x) => x.title).join(' | ')}`,
  );
  return p[0]!.title;
}

export const IMPORTS = 'import keras\nfrom keras import layers\n';

export type Spelling = 'Sequential list' | 'model.add' | 'functional';

/**
 * One model in three spellings: `keras.Sequential([...])`, `model.add(...)` and the functional API
 * (`x = layers.Dropout(0.5)(x)`). `layerCalls` are constructor calls such as `layers.LSTM(64)`.
 */
export function threeWays(
  shape: string,
  layerCalls: string[],
  head: string = IMPORTS,
): Array<[Spelling, string]> {
  const list = `${head}\nmodel = keras.Sequential([\n    keras.Input(shape=${shape}),\n${layerCalls
    .map((l) => `    ${l},\n`)
    .join('')}])\n`;
  const add = `${head}\nmodel = keras.Sequential()\nmodel.add(keras.Input(shape=${shape}))\n${layerCalls
    .map((l) => `model.add(${l})\n`)
    .join('')}`;
  const lines = layerCalls.map((l, i) => {
    const input = i === 0 ? 'inputs' : 'x';
    const output = i === layerCalls.length - 1 ? 'outputs' : 'x';
    return `${output} = ${l}(${input})\n`;
  });
  const functional = `${head}\ninputs = keras.Input(shape=${shape})\n${lines.join('')}model = keras.Model(inputs, outputs)\n`;
  return [
    ['Sequential list', list],
    ['model.add', add],
    ['functional', functional],
  ];
}

/** A Sequential-list model (the first of `threeWays`). */
export function seq(shape: string, layerCalls: string[], head: string = IMPORTS): string {
  return threeWays(shape, layerCalls, head)[0]![1];
}

/**
 * `# noqa` checks on the line that holds `needle` (the layer's name): `# noqa: CODE`, bare
 * `# noqa`, a list of codes, lower case; a different code does not silence it; `# rnnlab: noqa`
 * at the top or bottom of the file silences the whole file.
 */
export function checkNoqa(src: string, code: string, needle: string, opts: Opts = {}): void {
  one(src, code, opts);
  silent(commentLine(src, needle, `# noqa: ${code}`), code, opts);
  silent(commentLine(src, needle, '# noqa'), code, opts);
  silent(commentLine(src, needle, `# noqa: XX999, ${code}`), code, opts);
  silent(commentLine(src, needle, `# noqa:${code.toLowerCase()}`), code, opts);
  const other = code === 'TR402' ? 'TR401' : 'TR402';
  one(commentLine(src, needle, `# noqa: ${other}`), code, opts);
  assert.deepEqual(findings(`# rnnlab: noqa\n${src}`, opts), []);
  assert.deepEqual(findings(`${src}\n# rnnlab: noqa\n`, opts), []);
}

/** A file whose imports do not decide the target (`tensorflow.keras` follows the project). */
export const TF =
  'import tensorflow as tf\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n';
export const TF2: Opts = { target: 'tf-keras2' };
export const TFJS: Opts = { target: 'tfjs' };

/** Asserts that a finding's message states every given fact. */
export function includesAll(message: string, parts: string[]): void {
  for (const p of parts)
    assert.ok(message.includes(p), `message lacks ${JSON.stringify(p)}: ${message}`);
}
