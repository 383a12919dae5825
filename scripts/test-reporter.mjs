// The unit tests' report: a dot per test while they run (F for a failure), then one line per test
// file (tests, failures, time), every failure in full (its name, where, and the error), and the
// totals. A node:test custom reporter (`--test-reporter=./scripts/test-reporter.mjs`).
import path from 'node:path';
import { inspect } from 'node:util';

const cwd = process.cwd();
const rel = (file) =>
  file ? path.relative(cwd, file.startsWith('file:') ? new URL(file).pathname : file) : '?';
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);

function describeError(error) {
  const cause = error?.cause ?? error;
  if (cause && typeof cause === 'object' && 'message' in cause) {
    const stack = typeof cause.stack === 'string' ? cause.stack : String(cause.message);
    const diff =
      'actual' in cause &&
      'expected' in cause &&
      cause.code === 'ERR_ASSERTION' &&
      !stack.includes('+ actual')
        ? `\n  actual:   ${inspect(cause.actual, { depth: 4 })}\n  expected: ${inspect(cause.expected, { depth: 4 })}`
        : '';
    return `${stack}${diff}`;
  }
  return inspect(cause, { depth: 4 });
}

export default async function* reporter(source) {
  const files = new Map();
  const failures = [];
  const started = Date.now();
  const fileOf = (data) => {
    const f = rel(data.file);
    if (!files.has(f)) files.set(f, { tests: 0, failed: 0, skipped: 0, ms: 0 });
    return files.get(f);
  };
  let dots = 0;
  const dot = (c) => `${c}${++dots % 80 === 0 ? '\n' : ''}`;
  for await (const event of source) {
    const { type, data } = event;
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const entry = fileOf(data);
    if (data.nesting === 0 && rel(data.file) === rel(data.name)) {
      // A file that fails outside any test (a crash, a failing hook) is a failure of its own.
      if (type === 'test:fail') {
        entry.failed++;
        failures.push({
          file: rel(data.file),
          name: '(the file itself)',
          error: data.details?.error,
        });
        yield dot(paint('31', 'F'));
      }
      continue;
    }
    if (data.details?.type === 'suite') {
      if (type === 'test:fail' && data.details?.error?.failureType !== 'subtestsFailed') {
        entry.failed++;
        failures.push({ file: rel(data.file), name: data.name, error: data.details?.error });
      }
      continue;
    }
    entry.tests++;
    entry.ms += data.details?.duration_ms ?? 0;
    if (data.skip || data.todo) entry.skipped++;
    if (type === 'test:fail') {
      entry.failed++;
      failures.push({
        file: rel(data.file),
        name: data.name,
        line: data.line,
        error: data.details?.error,
      });
      yield dot(paint('31', 'F'));
    } else yield dot(data.skip || data.todo ? 's' : '.');
  }
  yield dots % 80 ? '\n\n' : '\n';
  for (const [file, entry] of [...files].sort(([a], [b]) => (a < b ? -1 : 1)))
    yield line(file, entry);
  let tests = 0;
  let failed = 0;
  let skipped = 0;
  for (const e of files.values()) {
    tests += e.tests;
    failed += e.failed;
    skipped += e.skipped;
  }
  for (const f of failures) {
    yield `\n${paint('31;1', '✖ FAIL')} ${f.file} › ${f.name}\n${describeError(f.error)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}\n`;
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const summary = `${tests} test${tests === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'}: ${tests - failed - skipped} passed, ${failed} failed, ${skipped} skipped (${secs} s)`;
  yield `\n${failed ? paint('31;1', summary) : paint('32', summary)}\n`;
}

function line(file, e) {
  const mark = e.failed ? paint('31', '✖') : paint('32', '✔');
  const counts = `${e.tests} test${e.tests === 1 ? '' : 's'}${e.failed ? `, ${e.failed} failed` : ''}${e.skipped ? `, ${e.skipped} skipped` : ''}`;
  return `${mark} ${file}  ${paint('2', `${counts}, ${(e.ms / 1000).toFixed(1)} s`)}\n`;
}
