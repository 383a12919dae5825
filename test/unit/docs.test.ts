/** The README and rule pages stay true to the catalog. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { docPath, RULES } from '../../lint/catalog';

const readme = readFileSync('README.md', 'utf8');

for (const rule of RULES) {
  test(`${rule.code} has a doc page and a README entry`, () => {
    assert.ok(existsSync(docPath(rule.code)), `${docPath(rule.code)} is missing`);
    const page = readFileSync(docPath(rule.code), 'utf8');
    assert.match(page, new RegExp(`^# ${rule.code}: ${rule.name}`, 'm'));
    assert.ok(
      readme.includes(`[${rule.code}](docs/rules/${rule.code}.md)`),
      `README does not link ${rule.code}`,
    );
  });
}

test('the README gives the two set-up commands and CI runs the same test command', () => {
  assert.match(readme, /^npm start\b/m);
  assert.match(readme, /^npm test\b/m);
  assert.match(readFileSync('.ci/run', 'utf8'), /^npm test$/m);
});
