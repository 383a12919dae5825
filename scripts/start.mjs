// `npm start`: build, lint and summarise the bundled examples, then serve a real VS Code
// (code-server, installed on first use by test/integration/setup.mjs into ~/.cache/rnnlab-e2e)
// on 127.0.0.1 with RNN Lab loaded and a working copy of examples/ open (outside the repository,
// see scripts/examples-copy.mjs), until Ctrl-C, which is a clean exit (package.json runs it with
// `exec`, so that no shell stands between npm and this process to turn exit 0 into 130).
// RNNLAB_PORT=8080 picks the port (default: 8080, or a free one); --no-serve stops after the lint.
// `npm start -- --web`: build, then serve the web playground (dist/web/) on 127.0.0.1 with the
// cross-origin isolation headers (scripts/serve-web.mjs) instead: no code-server, no Node 24, no
// Chromium; open the printed URL in any browser.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) =>
  spawnSync(process.execPath, args, { stdio: 'inherit', cwd: repo }).status ?? 1;
if (run(['scripts/build.mjs']) !== 0) process.exit(1);
if (process.argv.includes('--web')) await serveWebPlayground();
console.log('\n== rnnlab lint examples\n');
const lint = run(['dist/cli.js', 'lint', 'examples']);
console.log('\n== rnnlab summary examples\n');
const summary = run(['dist/cli.js', 'summary', 'examples']);
// Findings are the point of the lint, so they do not fail the command; crashes do.
if (lint === 2 || summary !== 0) process.exit(1);
if (process.argv.includes('--no-serve') || process.env.RNNLAB_NO_SERVE) process.exit(0);

console.log('\n== VS Code with RNN Lab\n');
const { ensureTools, SetupError } = await import('../test/integration/setup.mjs');
const { startCodeServer, freePort } = await import('../test/integration/server.mjs');
let tools;
try {
  tools = ensureTools({ quiet: true });
} catch (e) {
  console.error(e.message);
  process.exit(e instanceof SetupError ? 1 : 2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-start-'));
// The repo is the extension: link it into the fresh extensions folder under its id.
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
fs.mkdirSync(path.join(tmp, 'extensions'), { recursive: true });
fs.symlinkSync(repo, path.join(tmp, 'extensions', `${pkg.publisher}.${pkg.name}-${pkg.version}`));

async function pickPort() {
  if (process.env.RNNLAB_PORT) return Number(process.env.RNNLAB_PORT);
  const net = await import('node:net');
  const free = await new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false));
    s.listen(8080, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  return free ? 8080 : freePort();
}

const { examplesDir, syncExamples, describeSync } = await import('./examples-copy.mjs');
const folder = examplesDir();
for (const line of describeSync(folder, syncExamples(path.join(repo, 'examples'), folder)))
  console.log(line);
let server;
let stopping = false;
// Ctrl-C reaches code-server too (same process group); either way it is the user's clean exit.
const stop = async () => {
  stopping = true;
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
try {
  server = await startCodeServer({ tools, tmp, folder, port: await pickPort() });
} catch (e) {
  console.error(e.message);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}
console.log(
  `VS Code (code-server) with RNN Lab and the examples (${folder}) open:\n\n  ${server.origin}/?folder=${encodeURI(folder)}\n`,
);
console.log('Open it in a browser (SSH: forward the port). Ctrl-C stops the server.');
const { code, signal } = await server.exited;
if (stopping || signal === 'SIGINT' || signal === 'SIGTERM') await new Promise(() => {}); // stop() exits
console.error(`code-server stopped unexpectedly (${signal ?? `exit code ${code}`})`);
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(1);

/** `--web`: the playground's static files until Ctrl-C (8080, or a free port when it is taken). */
async function serveWebPlayground() {
  const { serveWeb } = await import('./serve-web.mjs');
  const root = path.join(repo, 'dist', 'web');
  const listen = (port) => serveWeb({ root, port });
  let web;
  try {
    web = await listen(process.env.RNNLAB_PORT ? Number(process.env.RNNLAB_PORT) : 8080);
  } catch (e) {
    if (process.env.RNNLAB_PORT || e.code !== 'EADDRINUSE') {
      console.error(`cannot serve the web playground: ${e.message}`);
      process.exit(1);
    }
    web = await listen(0);
  }
  console.log(`\n== RNN Lab web playground (${root})\n\n  ${web.url}\n`);
  console.log('Open it in a browser (SSH: forward the port). Ctrl-C stops the server.');
  const stop = () => web.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => {}); // until a signal
}
