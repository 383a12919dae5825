/**
 * .vscode/launch.json (F5) names tasks, npm scripts and built paths; no desktop VS Code runs here,
 * so this checks that each of them exists, and that the build it relies on produces the paths.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

/** JSON with // comments, as VS Code reads its launch and task files. */
function jsonc(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Record<
    string,
    unknown
  >;
}

interface Configuration {
  name: string;
  preLaunchTask?: string;
  args?: string[];
  runtimeArgs?: string[];
}

const launch = jsonc('.vscode/launch.json') as { configurations: Configuration[] };
const tasks = jsonc('.vscode/tasks.json') as { tasks: Array<{ type: string; script: string }> };
const scripts = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts;
const out = mkdtempSync(join(tmpdir(), 'rnnlab-launch-'));
after(() => rmSync(out, { recursive: true, force: true }));

describe('.vscode/launch.json', () => {
  test('has the extension host, the integration suites and the unit tests', () => {
    assert.deepEqual(
      launch.configurations.map((c) => c.name),
      ['Run Extension', 'Extension Tests', 'Unit Tests'],
    );
  });

  test('every preLaunchTask is a task of tasks.json running an npm script that exists', () => {
    for (const c of launch.configurations) {
      if (!c.preLaunchTask) continue;
      const m = /^npm: (.+)$/.exec(c.preLaunchTask);
      assert.ok(m, `${c.name}: ${c.preLaunchTask} is an npm task`);
      assert.ok(
        tasks.tasks.some((t) => t.type === 'npm' && t.script === m[1]),
        `${m[1]} in tasks.json`,
      );
      assert.ok(scripts[m[1]!], `npm script ${m[1]}`);
    }
    for (const t of tasks.tasks) assert.ok(scripts[t.script], `npm script ${t.script}`);
  });

  test('the Unit Tests configuration runs an npm script that exists', () => {
    const unit = launch.configurations.find((c) => c.name === 'Unit Tests')!;
    assert.equal(unit.runtimeArgs?.[0], 'run');
    assert.ok(scripts[unit.runtimeArgs![1]!], unit.runtimeArgs![1]);
  });

  test('Extension Tests opens paths that its build task produces', () => {
    const tests = launch.configurations.find((c) => c.name === 'Extension Tests')!;
    const paths = (tests.args ?? [])
      .map((a) => /\$\{workspaceFolder\}\/(.*)$/.exec(a)?.[1])
      .filter((p): p is string => p !== undefined);
    assert.ok(paths.length >= 2, paths.join(', '));
    // The build task's second step, into a temp folder standing in for dist/test.
    assert.match(scripts['build:integration']!, /scripts\/build-integration\.mjs/);
    execFileSync(process.execPath, ['scripts/build-integration.mjs', '--out', out], {
      stdio: 'pipe',
    });
    for (const p of paths) {
      if (!p.startsWith('dist/test/')) {
        assert.ok(existsSync(p), `${p} exists in the repository`);
        continue;
      }
      const built = join(out, p.slice('dist/test/'.length));
      assert.ok(existsSync(built), `${p} is produced by npm run build:integration`);
    }
    assert.ok(existsSync(join(out, 'workspace', 'fixtures')), 'the workspace holds the fixtures');
  });
});
