// Installs npm dependencies when node_modules is missing or older than package-lock.json,
// so that `npm start` and `npm test` work on a fresh clone. Stops with a clear message otherwise.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

// package.json's engines.node, as a minimum (its tools, ESLint 10 among them, need 20.19).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(
    `RNN Lab needs Node.js 20.19 or newer (this is ${process.version}). Install a newer Node.js (https://nodejs.org, or your package manager), then run the command again.`,
  );
  process.exit(1);
}

const lock = readFileSync('package-lock.json');
const hash = createHash('sha256').update(lock).digest('hex');
const stamp = 'node_modules/.rnnlab-deps';
const current = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
if (current !== hash) {
  console.log(
    existsSync('node_modules')
      ? 'package-lock.json changed: running npm ci'
      : 'node_modules missing: running npm ci',
  );
  try {
    execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
  } catch {
    console.error(
      'npm ci failed: check your network access to the npm registry, then run `npm ci` yourself.',
    );
    process.exit(1);
  }
  writeFileSync(stamp, hash);
}
