/**
 * Correct, idiomatic Keras models (test/fixtures/lint/clean) must produce no finding at all under
 * the default target, and no warning or error under any target (tf-keras2 and tfjs may explain
 * themselves with info findings such as DR111).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import { clean, findings, noProblems, show } from './lint-helpers';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'lint', 'clean');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.py'))
  .sort();

test('at least 20 clean models', () => {
  assert.ok(files.length >= 20, `only ${files.length}`);
});

for (const file of files) {
  describe(file, () => {
    const src = readFileSync(join(DIR, file), 'utf8');

    test('the analyzer sees a model with known shapes (so silence means something)', () => {
      const a = analyze(src);
      assert.ok(a.models.length >= 1, 'no model');
      for (const m of a.models) {
        assert.notEqual(m.inputSource, null, `${m.name} has no input shape`);
        assert.equal(m.opaque, false, `${m.name} is opaque`);
        for (const c of m.calls) {
          assert.equal(c.issue, null, `${c.layer.name}: ${c.issue?.message}`);
          assert.ok(c.outputs[0]?.shape, `${c.layer.name} has no output shape`);
        }
      }
    });

    test('no finding under the default target', () => clean(src));

    for (const target of ['keras3', 'tf-keras2', 'tfjs'] as const) {
      test(`no warning or error under ${target}`, () => noProblems(src, { target }));
    }

    test('no warning or error as a playground cell', () => {
      const fs = findings(src, { playground: true }).filter((f) => f.severity !== 'info');
      assert.deepEqual(fs, [], show(fs, src));
    });
  });
}
