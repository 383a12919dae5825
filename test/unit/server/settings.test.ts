/** Settings: the client's section read defensively, pyproject under it, the walk up. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_SETTINGS,
  lintOptions,
  parentOf,
  ProjectSettings,
  readSettings,
} from '../../../server/settings';

describe('readSettings', () => {
  test('garbage gives the defaults; wrong types fall back key by key', () => {
    assert.deepEqual(readSettings(null), DEFAULT_SETTINGS);
    assert.deepEqual(readSettings('x'), DEFAULT_SETTINGS);
    const s = readSettings({
      lint: { enable: 'yes', pythonFiles: false },
      target: 'keras9',
      rules: { severity: { dr101: 'error', CU301: 'loud' }, select: ['DR', 3] },
      inlayHints: { outputShapes: 'always' },
    });
    assert.equal(s.lint.enable, true);
    assert.equal(s.lint.pythonFiles, false);
    assert.equal(s.target, null);
    assert.deepEqual(s.rules.severity, { DR101: 'error' });
    assert.deepEqual(s.rules.select, ['DR']);
    assert.equal(s.inlayHints.outputShapes, 'always');
  });

  test('lint.delay: 300 ms by default, clamped to 0..5000 as package.json declares it', () => {
    assert.equal(DEFAULT_SETTINGS.lint.delay, 300);
    assert.equal(readSettings({ lint: { delay: 0 } }).lint.delay, 0);
    assert.equal(readSettings({ lint: { delay: 1200 } }).lint.delay, 1200);
    assert.equal(readSettings({ lint: { delay: -5 } }).lint.delay, 0);
    assert.equal(readSettings({ lint: { delay: 1e9 } }).lint.delay, 5000);
    assert.equal(readSettings({ lint: { delay: '50' } }).lint.delay, 300);
    assert.equal(readSettings({ lint: { delay: Number.NaN } }).lint.delay, 300);
  });

  test('lintOptions: pyproject first, settings on top, keras3 when neither says', () => {
    const project = {
      target: 'tfjs' as const,
      severity: { DR101: 'info' as const, CU301: 'off' as const },
    };
    const settings = readSettings({ rules: { severity: { DR101: 'error' } } });
    assert.deepEqual(lintOptions(settings, project), {
      target: 'tfjs',
      severity: { DR101: 'error', CU301: 'off' },
    });
    assert.equal(lintOptions(readSettings({ target: 'tf-keras2' }), project).target, 'tf-keras2');
    assert.equal(lintOptions(DEFAULT_SETTINGS, {}).target, 'keras3');
  });
});

describe('ProjectSettings', () => {
  test('parentOf walks URIs up to the root', () => {
    assert.equal(parentOf('file:///a/b/c.py'), 'file:///a/b');
    assert.equal(parentOf('file:///a'), 'file://');
    assert.equal(parentOf('file://'), null);
    assert.equal(parentOf('not a uri'), null);
  });

  test('the nearest pyproject.toml inside the workspace folder; sent texts come first', async () => {
    const files = new Map([
      ['file:///ws/pyproject.toml', '[tool.rnnlab]\ntarget = "tfjs"\n'],
      ['file:///pyproject.toml', '[tool.rnnlab]\ntarget = "tf-keras2"\n'],
    ]);
    const read: string[] = [];
    const logs: string[] = [];
    const p = new ProjectSettings(
      async (uri) => {
        read.push(uri);
        return files.get(uri) ?? null;
      },
      (m) => logs.push(m),
    );
    p.setRoots(['file:///ws']);
    assert.deepEqual(await p.forUri('file:///ws/src/deep/m.py'), { target: 'tfjs' });
    assert.deepEqual(read, [
      'file:///ws/src/deep/pyproject.toml',
      'file:///ws/src/pyproject.toml',
      'file:///ws/pyproject.toml',
    ]);
    assert.deepEqual(await p.forUri('file:///elsewhere/m.py'), {}, 'outside every folder');
    p.setText('file:///ws/src/pyproject.toml', '[tool.rnnlab]\nbogus = 1\n');
    assert.deepEqual(await p.forUri('file:///ws/src/deep/m.py'), {});
    assert.match(logs.join('\n'), /unknown key "bogus"/);
    p.setText('file:///ws/src/pyproject.toml', 'not = [toml');
    assert.deepEqual(await p.forUri('file:///ws/src/m.py'), {});
    assert.match(logs.at(-1)!, /invalid TOML/);
  });

  test('no workspace folder at all: the walk goes up to the root, as the CLI does', async () => {
    const p = new ProjectSettings(
      async (uri) => (uri === 'file:///pyproject.toml' ? '[tool.rnnlab]\ntarget = "tfjs"\n' : null),
      () => {},
    );
    assert.deepEqual(await p.forUri('file:///a/b/m.py'), { target: 'tfjs' });
  });
});
