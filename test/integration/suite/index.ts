/**
 * The extensionTestsPath module: VS Code's extension host calls `run()` and reports its outcome
 * to the page (window.codeAutomationExit). Runs every bundled `*.test.js` beside this file with
 * mocha (tdd UI), in name order. Mocha comes from the repo's node_modules (a devDependency).
 *
 * Two phases: run.mjs loads the workbench, and when it has run, loads it again (a window reload)
 * with `<results>.reload` present; the first phase runs the suites but `*.reload.test.js`, the
 * second only those, writing its results to `<results>.reload`.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type MochaType from 'mocha';

declare const __RNNLAB_REPO__: string;

interface Result {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  ms?: number;
  error?: string;
}

export function run(): Promise<void> {
  const Mocha = createRequire(path.join(__RNNLAB_REPO__, 'package.json'))(
    'mocha',
  ) as typeof MochaType;
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    reporter: 'spec',
    timeout: Number(process.env['RNNLAB_E2E_TEST_TIMEOUT_MS'] || 180_000),
    ...(process.env['RNNLAB_E2E_GREP'] ? { grep: process.env['RNNLAB_E2E_GREP'] } : {}),
  });
  const resultsFile = process.env['RNNLAB_E2E_RESULTS'];
  const afterReload = !!resultsFile && fs.existsSync(`${resultsFile}.reload`);
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.test.js') && f.endsWith('.reload.test.js') === afterReload)
      mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    const results: Result[] = [];
    const runner = mocha.run((failures) => {
      const out = afterReload ? `${resultsFile}.reload` : resultsFile;
      if (out) fs.writeFileSync(out, JSON.stringify({ failures, results }, null, 2));
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
      else resolve();
    });
    runner.on('pass', (t) =>
      results.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }),
    );
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }));
    runner.on('fail', (t, err: Error) =>
      results.push({ title: t.fullTitle(), state: 'failed', error: String(err?.message ?? err) }),
    );
  });
}
