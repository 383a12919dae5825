// Runs the integration suites (test/integration/suite/*.test.ts) inside a real VS Code extension
// host: code-server on 127.0.0.1, its workbench in headless Chromium, the repo as the extension
// under development and a temp copy of examples/ plus fixtures as the workspace.
//
//   node test/integration/run.mjs [--grep PATTERN]      (build dist/ first: node scripts/build.mjs)
//
// Env: RNNLAB_E2E_TIMEOUT_MS (whole run, default 600000), RNNLAB_E2E_GREP (mocha grep),
//      RNNLAB_SCREENSHOT=1 (save docs/images/playground.png of a run playground),
//      RNNLAB_E2E_KEEP=1 (keep the temp folder), RNNLAB_E2E_VERBOSE=1 (all logs),
//      RNNLAB_E2E_CACHE (tools cache, see setup.mjs).
// Exit code: what the workbench reports (0 pass, 1 failures), 2 timeout, 3 no server/browser,
//            4 tools missing and not installable.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import util from 'node:util';
import { bundleSuites, prepareWorkspace } from './bundle.mjs';
import { ensureTools, SetupError } from './setup.mjs';
import { startCodeServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const verbose = !!process.env.RNNLAB_E2E_VERBOSE;
const screenshot = process.env.RNNLAB_SCREENSHOT === '1';
const grepArg = process.argv.indexOf('--grep');
const grep = grepArg > 0 ? process.argv[grepArg + 1] : process.env.RNNLAB_E2E_GREP;
const timeoutMs = Number(process.env.RNNLAB_E2E_TIMEOUT_MS || 600_000);
const t0 = Date.now();
const log = (...a) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

// Log lines from the workbench that are expected offline and say nothing about the extension.
const NOISE =
  /open-vsx|ENOTFOUND|EAI_AGAIN|getaddrinfo|^\s+at |authentication provider|connection token|Creating a socket|grace time|AccountPolicyGate|AgentHost|Service Worker|builtin extensions cache|vsda|marketplace|gallery|github\.com|Failed to fetch|net::ERR|handleSaveError/;

let tools;
try {
  tools = ensureTools({ quiet: true });
} catch (e) {
  console.error(`[e2e] ${e.message}`);
  process.exit(e instanceof SetupError ? 4 : 1);
}
if (!fs.existsSync(path.join(repo, 'dist', 'extension.js'))) {
  console.error('[e2e] dist/extension.js is missing: run `node scripts/build.mjs` first.');
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-e2e-'));
const testsDir = path.join(tmp, 'tests');
const ws = path.join(tmp, 'workspace');
const resultsFile = path.join(tmp, 'results.json');

// 1. The suites, bundled for the extension host (vscode from the host, mocha from the repo).
await bundleSuites(testsDir, { screenshot });

// 2. The workspace: the examples and the fixtures.
prepareWorkspace(ws, { screenshot });

let server;
let browser;
let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  try {
    await Promise.race([browser?.close(), sleep(10_000)]);
  } catch {
    // closing a crashed browser
  }
  await server?.stop();
  if (process.env.RNNLAB_E2E_KEEP) log('kept', tmp);
  else fs.rmSync(tmp, { recursive: true, force: true });
  log(`exit code ${code}`);
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => finish(130));

let page;
const hardTimeout = setTimeout(async () => {
  log(`TIMEOUT after ${timeoutMs} ms`);
  const shot = path.join(os.tmpdir(), 'rnnlab-e2e-timeout.png');
  try {
    await page?.screenshot({ path: shot });
    log('screenshot of the stuck workbench:', shot);
  } catch {
    // no page
  }
  await finish(2);
}, timeoutMs);

// 3. The server.
try {
  server = await startCodeServer({
    tools,
    tmp,
    folder: ws,
    // Built VS Code honours ?payload= (extensionDevelopmentPath/extensionTestsPath) only when
    // the smoke-test driver is enabled.
    args: ['--vscode-option', 'enable-smoke-test-driver'],
    env: {
      RNNLAB_E2E_RESULTS: resultsFile,
      RNNLAB_E2E_SCREENSHOT: screenshot ? '1' : '0',
      ...(grep ? { RNNLAB_E2E_GREP: grep } : {}),
    },
    onOutput: (line) => {
      if (finishing) return;
      if (verbose || /error/i.test(line)) {
        if (verbose || !NOISE.test(line)) console.log('[server]', line);
      }
    },
  });
} catch (e) {
  log(e.message);
  await finish(3);
}
log(`code-server up on ${server.origin}`);

// 4. The workbench, headless, with the test payload.
try {
  const { chromium } = createRequire(path.join(tools.driver, 'package.json'))('playwright-core');
  browser = await chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
} catch (e) {
  log(`could not start Chromium (${tools.chromium}): ${e.message}`);
  await finish(3);
}

let reportExit;
const exitReported = new Promise((resolve) => (reportExit = resolve));
// The workbench calls these globals when it runs extension tests.
await page.exposeFunction('codeAutomationLog', (type, args) => {
  const text = util.format(...(Array.isArray(args) ? args : [args]));
  const lines = text.split('\n').filter((l) => verbose || !NOISE.test(l));
  if (lines.length && (verbose || !NOISE.test(text))) console.log(`[exthost] ${lines.join('\n')}`);
});
await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));
page.on('console', (m) => verbose && console.log('[page]', m.text()));
page.on('crash', () => {
  log('the workbench page crashed');
  finish(3);
});

const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
const payload = [
  ['extensionDevelopmentPath', remote(repo)],
  ['extensionTestsPath', remote(path.join(testsDir, 'index.js'))],
];
const url = `${server.origin}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
log('open workbench', verbose ? url : `${server.origin}/?folder=${ws}`);
await page.goto(url);
let code = await exitReported;
log(`workbench reported exit code ${code}`);

/** The results a phase wrote, or null when it did not run to its end. */
function readResults(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).results ?? null;
  } catch {
    return null;
  }
}
let results = readResults(resultsFile);
// 5. The suites named *.reload.test.ts ran after the first phase reloaded the window (see
//    suite/index.ts): their results are in a file of their own, and the code reported is theirs.
if (fs.existsSync(`${resultsFile}.phase2`)) {
  log('the window was reloaded for the *.reload.test.ts suites');
  const after = readResults(`${resultsFile}.reload`);
  if (after) results = [...(results ?? []), ...after];
  else log('no results after the reload: its suites did not run to the end');
  if (!after || results?.some((r) => r.state === 'failed')) code = Math.max(code, 1);
}
clearTimeout(hardTimeout);

// 6. Results, and the screenshot.
if (results) {
  const count = (s) => results.filter((r) => r.state === s).length;
  console.log(
    `\n== integration: ${count('passed')} passed, ${count('failed')} failed, ${count('pending')} skipped`,
  );
  for (const r of results.filter((r) => r.state === 'failed')) {
    console.log(`  FAIL ${r.title}\n       ${r.error.split('\n').join('\n       ')}`);
  }
} else {
  log('no results file: the suites did not run to the end');
}
if (screenshot) {
  // Notebook outputs render in an iframe after the run; give them a moment.
  await sleep(4000);
  const out = path.join(repo, 'docs', 'images', 'playground.png');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  log('screenshot', path.relative(repo, out));
}
await finish(code);
