/** `rnnlab lint` as CI and terminals use it: formats, exit codes, configuration. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { main } from '../../../cli/main';
import { writeTree } from '../helpers';
import { wantsColor } from '../../../cli/output';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { log: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

function lintCli(args: string[], color = false) {
  const c = capture();
  const code = main(['lint', ...args], { ...c.io, color }) as number;
  return { code, stdout: c.out.join('\n'), stderr: c.err.join('\n') };
}

const BAD = `import keras
from keras import layers
model = keras.Sequential([
    keras.Input(shape=(50, 128)),
    layers.LSTM(128, return_sequences=True),
    layers.Dropout(0.5),
    layers.GRU(64),
    layers.Dense(1),
])
`;

const ERROR = `import keras
from keras import layers
model = keras.Sequential([keras.Input((10, 3)), layers.LSTM(8), layers.LSTM(4)])
`;

// Every folder of these tests lives under one root, removed at the end (also after a failure).
const root = mkdtempSync(join(tmpdir(), 'rnnlab-lint-'));
after(() => rmSync(root, { recursive: true, force: true }));

const project = (files: Record<string, string>) => writeTree(root, files);

describe('rnnlab lint', () => {
  test('each text line names its severity and code, as ruff and eslint do', () => {
    const dir = project({ 'model.py': BAD, 'error.py': ERROR });
    const r = lintCli([dir]);
    const lines = r.stdout.split('\n').filter((l) => /:\d+:\d+: /.test(l));
    assert.ok(lines.length >= 2, r.stdout);
    for (const line of lines) assert.match(line, /:\d+:\d+: (error|warning|info) [A-Z]{2}\d{3} \S/);
    assert.ok(
      lines.some((l) => / error SH201 /.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => / warning DR101 /.test(l)),
      r.stdout,
    );
    assert.ok(!r.stdout.includes('\x1b['), 'no colour when piped');
  });

  test('colour on a terminal: severity in its colour, the code bold; NO_COLOR turns it off', () => {
    const dir = project({ 'error.py': ERROR });
    const r = lintCli([dir], true);
    assert.ok(
      r.stdout.includes('\x1b[31merror\x1b[0m \x1b[1mSH201\x1b[0m'),
      JSON.stringify(r.stdout),
    );
    assert.equal(wantsColor(true, {}), true);
    assert.equal(wantsColor(false, {}), false, 'piped');
    assert.equal(wantsColor(true, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor(true, { TERM: 'dumb' }), false);
    assert.equal(wantsColor(false, { FORCE_COLOR: '1' }), true);
  });

  test('LF, CRLF and CR files: the same finding at the same place, and an unrelated noqa silences nothing', () => {
    const withNoqa = BAD.replace(
      'keras.Input(shape=(50, 128)),',
      'keras.Input(shape=(50, 128)),  # noqa',
    );
    const where: string[] = [];
    for (const eol of ['\n', '\r\n', '\r']) {
      const py = withNoqa.replace(/\n/g, eol);
      const cells = [
        `import keras${eol}from keras import layers`,
        py.split(eol).slice(2).join(eol),
      ];
      const nb = JSON.stringify({
        cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, source, outputs: [] })),
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      });
      const dir = project({ 'model.py': py, 'model.ipynb': nb });
      const r = lintCli(['--format', 'json', join(dir, 'model.py'), join(dir, 'model.ipynb')]);
      const found = JSON.parse(r.stdout) as Array<{
        code: string;
        cell?: number;
        line: number;
        column: number;
      }>;
      where.push(JSON.stringify(found.map((f) => [f.code, f.cell ?? null, f.line, f.column])));
    }
    assert.equal(
      where[0],
      JSON.stringify([
        ['DR101', null, 6, 5],
        ['DR101', 2, 4, 5],
      ]),
    );
    assert.deepEqual(where, [where[0], where[0], where[0]]);
  });

  test('text output is file:line:col: CODE message, and a warning alone exits 0', () => {
    const dir = project({ 'model.py': BAD });
    const r = lintCli([join(dir, 'model.py')]);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      new RegExp(
        `^${join(dir, 'model.py').replace(/[.]/g, '\\.')}:6:5: warning DR101 Dropout\\(0\\.5\\) on a \\(None, 50, 128\\) sequence`,
        'm',
      ),
    );
    assert.match(r.stdout, /Found 1 problem \(0 errors, 1 warning, 0 infos\)/);
  });

  test('--fail-on warning turns warnings into exit 1; errors exit 1 by default', () => {
    const dir = project({ 'model.py': BAD, 'broken.py': ERROR });
    assert.equal(lintCli(['--fail-on', 'warning', join(dir, 'model.py')]).code, 1);
    const r = lintCli([join(dir, 'broken.py')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /SH201/);
  });

  test('JSON: documented fields, 1-based positions, fixes as line/column edits', () => {
    const dir = project({ 'model.py': BAD });
    const r = lintCli(['--format', 'json', join(dir, 'model.py')]);
    const findings = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.equal(findings.length, 1);
    const f = findings[0]!;
    assert.deepEqual(
      [f['file'], f['line'], f['column'], f['endLine'], f['endColumn'], f['code'], f['severity']],
      [join(dir, 'model.py'), 6, 5, 6, 24, 'DR101', 'warning'],
    );
    const fixes = f['fixes'] as Array<{
      title: string;
      isPreferred: boolean;
      edits: Array<Record<string, unknown>>;
    }>;
    assert.ok(fixes.length >= 2);
    assert.equal(fixes.filter((x) => x.isPreferred).length, 1);
    for (const e of fixes[0]!.edits) {
      for (const k of ['line', 'column', 'endLine', 'endColumn', 'newText']) assert.ok(k in e, k);
    }
  });

  test('SARIF 2.1.0 with rules, results and locations', () => {
    const dir = project({ 'model.py': BAD });
    const r = lintCli(['--format', 'sarif', join(dir, 'model.py')]);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'rnnlab');
    assert.ok(run.tool.driver.rules.some((x: { id: string }) => x.id === 'DR101'));
    const result = run.results[0];
    assert.equal(result.ruleId, 'DR101');
    assert.equal(result.level, 'warning');
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, 'DR101');
    assert.deepEqual(result.locations[0].physicalLocation.region, {
      startLine: 6,
      startColumn: 5,
      endLine: 6,
      endColumn: 24,
    });
  });

  test('--select and --ignore take codes and prefixes; unknown codes are usage errors', () => {
    const dir = project({ 'model.py': BAD });
    assert.doesNotMatch(lintCli(['--ignore', 'DR', join(dir, 'model.py')]).stdout, /DR101/);
    assert.doesNotMatch(lintCli(['--select', 'CU,SH', join(dir, 'model.py')]).stdout, /DR101/);
    assert.match(lintCli(['--select', 'DR1', join(dir, 'model.py')]).stdout, /DR101/);
    const bad = lintCli(['--ignore', 'XX999', join(dir, 'model.py')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown rule code XX999/);
  });

  test('[tool.rnnlab] in the nearest pyproject.toml configures the run; flags override it', () => {
    const dir = project({
      'pyproject.toml':
        '[project]\nname = "x"\n\n[tool.rnnlab]\nignore = ["SH"]\nfail-on = "warning"\n\n[tool.rnnlab.severity]\nDR101 = "error"\n',
      'src/model.py': BAD,
      'src/broken.py': ERROR,
    });
    const r = lintCli(['--format', 'json', join(dir, 'src')]);
    const findings = JSON.parse(r.stdout) as Array<{ code: string; severity: string }>;
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity]),
      [['DR101', 'error']],
    );
    assert.equal(r.code, 1);
    assert.equal(
      lintCli(['--fail-on', 'error', '--ignore', 'DR', join(dir, 'src')]).code,
      1,
      'a flag replaces the configured list',
    );
    assert.equal(lintCli(['--fail-on', 'error', '--ignore', 'DR,SH', join(dir, 'src')]).code, 0);
  });

  test('a broken pyproject.toml is a usage error naming the file and line', () => {
    const dir = project({ 'pyproject.toml': '[tool.rnnlab]\ntarget = \n', 'm.py': BAD });
    const r = lintCli([join(dir, 'm.py')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pyproject\.toml:2:\d+: invalid TOML/);
    const dir2 = project({ 'pyproject.toml': '[tool.rnnlab]\ntarget = "keras4"\n', 'm.py': BAD });
    const r2 = lintCli([join(dir2, 'm.py')]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /target must be one of keras3, tf-keras2, keras2-multibackend, tfjs/);
  });

  test('notebook findings print as path.ipynb:cellN:line:col and JSON carries "cell"', () => {
    const nb = {
      cells: [
        { cell_type: 'markdown', source: ['# Forecast\n'] },
        {
          cell_type: 'code',
          source: ['%matplotlib inline\n', 'import keras\n', 'from keras import layers\n'],
        },
        {
          cell_type: 'code',
          source:
            'model = keras.Sequential([\n    keras.Input(shape=(50, 128)),\n    layers.LSTM(128, return_sequences=True),\n    layers.Dropout(0.5),\n    layers.GRU(64),\n])',
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    const dir = project({ 'nb.ipynb': JSON.stringify(nb) });
    const file = join(dir, 'nb.ipynb');
    assert.match(
      lintCli([file]).stdout,
      new RegExp(`${file.replace(/[.]/g, '\\.')}:cell3:4:5: warning DR101`),
    );
    const json = JSON.parse(lintCli(['--format', 'json', file]).stdout) as Array<{
      cell: number;
      line: number;
    }>;
    assert.deepEqual([json[0]!.cell, json[0]!.line], [3, 4]);
  });

  test('missing paths and unknown options exit 2 with a message', () => {
    const r = lintCli(['/no/such/place.py']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\/no\/such\/place\.py: no such file or folder/);
    assert.equal(lintCli(['--colour', 'x', '.']).code, 2);
    assert.equal(lintCli([]).code, 2);
    assert.equal(lintCli(['--format', 'xml', '.']).code, 2);
  });

  test('folders skip virtualenvs and node_modules', () => {
    const dir = project({
      'a/model.py': BAD,
      'node_modules/x/m.py': BAD,
      '.venv/lib/m.py': BAD,
      'env2/pyvenv.cfg': '',
      'env2/m.py': BAD,
    });
    const json = JSON.parse(lintCli(['--format', 'json', dir]).stdout) as Array<{ file: string }>;
    assert.deepEqual(
      json.map((f) => f.file),
      [join(dir, 'a/model.py')],
    );
  });
});
