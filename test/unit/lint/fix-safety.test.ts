/**
 * Every quick fix on every realistic file, under every target: the fixed text still compiles as
 * Python (`python3 -m py_compile`, which catches what a parser alone does not: an empty block, an
 * import above `from __future__`), every model keeps its parameter total (unless the fix says it
 * changes weights), and the finding it fixes is gone.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import { summarize } from '../../../analyzer/summary';
import { applyEdits, lint, TARGETS, type Finding, type Fix } from '../../../lint/index';

/** The realistic files, and files written to provoke unsafe fixes (test/fixtures/fixes). */
const FOLDERS = [
  'test/fixtures/models',
  'test/fixtures/lint/clean',
  'test/fixtures/fixes',
  'examples',
];

const files = FOLDERS.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .map((f) => join(dir, f)),
);

/** Fixes whose purpose is to change the weights (restoring reset_after, say). */
const CHANGES_WEIGHTS = /reset_after|use_bias|units/i;

interface Case {
  file: string;
  target: string;
  finding: Finding;
  fix: Fix;
  fixed: string;
}

/** `name: total` of each model (`?` when unknown). */
const totals = (text: string) =>
  analyze(text).models.map((m) => {
    const s = summarize(m);
    return `${s.name}: ${s.totalParams ?? '?'}`;
  });

/** The text of the line a finding starts on. */
const lineText = (text: string, f: Finding) =>
  text.split('\n')[text.slice(0, f.span.from).split('\n').length - 1]!.trim();

function cases(): Case[] {
  const out: Case[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const target of TARGETS) {
      for (const finding of lint(analyze(text), text, { target })) {
        for (const fix of finding.fixes)
          out.push({ file, target, finding, fix, fixed: applyEdits(text, fix.edits) });
      }
    }
  }
  return out;
}

test('the corpus has fixes to check', () => {
  assert.ok(files.length >= 40, `${files.length} files`);
  assert.ok(cases().length >= 20, `${cases().length} fixes`);
});

test('every fix on every fixture leaves valid Python (py_compile)', () => {
  const all = cases();
  const dir = mkdtempSync(join(tmpdir(), 'fix-safety-'));
  try {
    all.forEach((c, i) => writeFileSync(join(dir, `case${i}.py`), c.fixed));
    // One python3 for all of them: the indexes of the files that do not compile, and why.
    const out = execFileSync(
      'python3',
      [
        '-c',
        [
          'import json, py_compile, sys',
          'bad = {}',
          'for i in range(int(sys.argv[2])):',
          '    try:',
          '        py_compile.compile(f"{sys.argv[1]}/case{i}.py", doraise=True, cfile=f"{sys.argv[1]}/c{i}.pyc")',
          '    except py_compile.PyCompileError as e:',
          '        bad[i] = e.msg.strip().splitlines()[-1]',
          'print(json.dumps(bad))',
        ].join('\n'),
        dir,
        String(all.length),
      ],
      { encoding: 'utf8' },
    );
    const bad = JSON.parse(out) as Record<string, string>;
    const described = Object.entries(bad).map(([i, why]) => {
      const c = all[Number(i)]!;
      return `${c.file} [${c.target}] ${c.finding.code} "${c.fix.title}": ${why}`;
    });
    assert.deepEqual(described, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every fix keeps each model’s parameter total and removes the finding it fixes', () => {
  const problems: string[] = [];
  for (const c of cases()) {
    const text = readFileSync(c.file, 'utf8');
    const label = `${c.file} [${c.target}] ${c.finding.code} "${c.fix.title}"`;
    if (!CHANGES_WEIGHTS.test(c.fix.title)) {
      // A total that was unknown may become known (a fix of a shape error lets the model build).
      const before = totals(text);
      const after = totals(c.fixed);
      const same =
        before.length === after.length && before.every((b, i) => b.endsWith('?') || b === after[i]);
      if (!same) problems.push(`${label}: totals ${before.join(', ')} became ${after.join(', ')}`);
    }
    // The finding is gone: fewer findings of its code and message on a line like its line
    // (several lines of a file may read the same, and a fix may move lines).
    const before = lint(analyze(text), text, { target: c.target as never });
    const after = lint(analyze(c.fixed), c.fixed, { target: c.target as never });
    const at = lineText(text, c.finding);
    const count = (t: string, fs: Finding[]) =>
      fs.filter(
        (f) =>
          f.code === c.finding.code && f.message === c.finding.message && lineText(t, f) === at,
      ).length;
    if (count(c.fixed, after) >= count(text, before))
      problems.push(`${label}: the finding is still there`);
  }
  assert.deepEqual(problems, []);
});
