// Renders `rnnlab lint examples/dropout_pitfalls.py` as a terminal picture for the README.
// Needs Debian's chromium (apt-get install chromium). Usage: node scripts/readme-screenshot.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const run = spawnSync(process.execPath, ['dist/cli.js', 'lint', 'examples/dropout_pitfalls.py'], {
  encoding: 'utf8',
});
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const colour = { error: '#f48771', warning: '#cca700', info: '#75beff' };
const lines = run.stdout.split('\n').map((line) => {
  const m = /^(\S+?:\d+:\d+:) (error|warning|info) (\w\w\d{3}) (.*)$/.exec(line);
  if (!m) return escape(line);
  return `<span class="loc">${escape(m[1])}</span> <span style="color:${colour[m[2]]}">${m[2]}</span> <b>${m[3]}</b> ${escape(m[4])}`;
});
const html = `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#1e1e1e;color:#d4d4d4;font:14px/1.45 'DejaVu Sans Mono',monospace}
pre{margin:0;padding:18px 22px;white-space:pre-wrap;width:1180px}.loc{color:#9cdcfe}.p{color:#6a9955}
</style><pre><span class="p">$ rnnlab lint examples/dropout_pitfalls.py</span>\n${lines.join('\n')}</pre>`;
const dir = mkdtempSync(join(tmpdir(), 'rnnlab-shot-'));
writeFileSync(join(dir, 'index.html'), html);
execFileSync(
  'chromium',
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${join(dir, 'profile')}`,
    '--window-size=1230,345',
    `--screenshot=${resolve('docs/images/lint.png')}`,
    `file://${join(dir, 'index.html')}`,
  ],
  { stdio: 'ignore' },
);
console.log('wrote docs/images/lint.png');
