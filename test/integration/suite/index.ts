/**
 * The extensionTestsPath module: VS Code's extension host calls `run()` and reports its outcome
 * to the page (window.codeAutomationExit). Runs every bundled `*.test.js` beside this file with
 * mocha (tdd UI), in name order. Mocha comes from the repo's node_modules (a devDependency).
 *
 * Two phases, for what must survive a window reload: the first runs every suite but
 * `*.reload.test.js`, writes its results, leaves the marker `<results>.phase2` and reloads the
 * window as "Developer: Reload Window" does (the workbench saves its state first); the reloaded
 * window runs this module again, which sees the marker, runs only `*.reload.test.js`, writes
 * `<results>.reload` and reports to run.mjs. No reload in the screenshot run (its last stage
 * closes every editor) or when there is no reload suite.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type MochaType from 'mocha';
import * as vscode from 'vscode';

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
  const marker = `${resultsFile}.phase2`;
  const afterReload = !!resultsFile && fs.existsSync(marker);
  const files = fs.readdirSync(__dirname).sort();
  const reloadNext =
    !afterReload &&
    !!resultsFile &&
    process.env['RNNLAB_E2E_SCREENSHOT'] !== '1' &&
    files.some((f) => f.endsWith('.reload.test.js'));
  for (const f of files) {
    if (f.endsWith('.test.js') && f.endsWith('.reload.test.js') === afterReload)
      mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    const results: Result[] = [];
    const runner = mocha.run((failures) => {
      const out = afterReload ? `${resultsFile}.reload` : resultsFile;
      if (out) fs.writeFileSync(out, JSON.stringify({ failures, results }, null, 2));
      if (reloadNext) {
        // Not settled: the reloaded window's run reports for both phases.
        fs.writeFileSync(marker, '');
        void vscode.commands.executeCommand('workbench.action.reloadWindow');
        return;
      }
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
