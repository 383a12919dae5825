/**
 * Realistic Keras model files (scripts and notebooks) with hand-computed Keras 3 summaries.
 * Each fixture in test/fixtures/models has a NAME.expected.json next to it; the arithmetic
 * behind it is written at the end of the fixture. Where an expectation gives them, it also pins
 * why a total is unknown (`unknownReason`), the Keras 3 unbuilt hint (`unbuilt`) and the lint
 * findings of the file under the default target (`findings`, code and line).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import { SourceDoc } from '../../../notebook/cells';
import { summarize } from '../../../analyzer/summary';
import { lint } from '../../../lint/index';

interface ExpectedLayer {
  name: string;
  type: string;
  outputShape: string;
  params: number | null;
}

interface ExpectedModel {
  name: string;
  layers: ExpectedLayer[];
  totalParams: number | null;
  trainableParams: number | null;
  unknownReason?: string | null;
  unbuilt?: string | null;
}

interface ExpectedFinding {
  code: string;
  /** The 1-based notebook cell, for notebooks. */
  cell?: number;
  line: number;
}

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'models');

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.py') || f.endsWith('.ipynb'))
  .sort();

test('there are at least 35 realistic fixtures, including notebooks', () => {
  assert.ok(fixtures.length >= 35, `only ${fixtures.length} fixtures`);
  assert.ok(fixtures.filter((f) => f.endsWith('.ipynb')).length >= 2);
});

for (const file of fixtures) {
  test(`realistic fixture ${file}`, () => {
    const raw = readFileSync(join(DIR, file), 'utf8');
    const doc = file.endsWith('.ipynb') ? SourceDoc.notebook(raw) : SourceDoc.python(raw);
    const base = file.replace(/\.(py|ipynb)$/, '');
    const expected = JSON.parse(readFileSync(join(DIR, `${base}.expected.json`), 'utf8')) as {
      models: ExpectedModel[];
      findings?: ExpectedFinding[];
    };

    const analysis = analyze(doc.text);
    assert.deepEqual(
      analysis.notes.map((n) => n.message),
      [],
      'the analyzer should read the file without notes',
    );

    const actual = analysis.models.map((m) => {
      const s = summarize(m);
      return {
        name: s.name,
        layers: s.rows.map((r) => ({
          name: r.name,
          type: r.type,
          outputShape: r.outputShape,
          params: r.params,
        })),
        totalParams: s.totalParams,
        trainableParams: s.trainableParams,
        unknownReason: s.unknownReason,
        unbuilt: s.unbuilt,
      };
    });
    assert.deepEqual(
      actual.map((m) => m.name),
      expected.models.map((m) => m.name),
      'model names',
    );
    expected.models.forEach((want, i) => {
      const got = actual[i]!;
      assert.deepEqual(got.layers, want.layers, `layers of model ${want.name}`);
      assert.equal(got.totalParams, want.totalParams, `total params of ${want.name}`);
      assert.equal(got.trainableParams, want.trainableParams, `trainable params of ${want.name}`);
      if (want.unknownReason !== undefined)
        assert.equal(got.unknownReason, want.unknownReason, `why ${want.name} is unknown`);
      if (want.unbuilt !== undefined)
        assert.equal(got.unbuilt, want.unbuilt, `Keras 3 unbuilt hint of ${want.name}`);
    });
    if (expected.findings) {
      const found = lint(analysis, doc.text).map((f) => {
        const p = doc.position(f.span.from);
        return { code: f.code, ...(p.cell !== undefined ? { cell: p.cell } : {}), line: p.line };
      });
      assert.deepEqual(found, expected.findings, 'lint findings (default target)');
    }
  });
}
