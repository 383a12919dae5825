// The working copy of examples/ that `npm start` serves, outside the repository, so that Run All
// and exports write there and the clone stays clean. Made on first start and kept between starts;
// on later starts the copies the user has not changed are refreshed from the repository and the
// changed ones are kept (and named). A manifest records what was copied (sha-256 per file).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MANIFEST = '.rnnlab-copied.json';

/** Where the working copy lives: $RNNLAB_EXAMPLES_DIR, else $XDG_DATA_HOME/rnnlab/examples. */
export function examplesDir(env = process.env) {
  if (env.RNNLAB_EXAMPLES_DIR) return path.resolve(env.RNNLAB_EXAMPLES_DIR);
  const data = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'rnnlab', 'examples');
}

const hash = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function readManifest(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8'));
  } catch {
    return {};
  }
}

/**
 * Brings the working copy `dir` up to date with the repository's `source` folder (its files, not
 * subfolders). Returns what happened to each file: created, updated, kept (changed by the user),
 * or unchanged.
 */
export function syncExamples(source, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const manifest = readManifest(dir);
  const result = { created: [], updated: [], kept: [], unchanged: [] };
  for (const name of fs.readdirSync(source).sort()) {
    const from = path.join(source, name);
    if (!fs.statSync(from).isFile()) continue;
    const to = path.join(dir, name);
    const want = hash(from);
    if (!fs.existsSync(to)) {
      fs.copyFileSync(from, to);
      manifest[name] = want;
      result.created.push(name);
      continue;
    }
    const have = hash(to);
    if (have === want) {
      manifest[name] = want;
      result.unchanged.push(name);
    } else if (have === manifest[name]) {
      // The user has not touched it since it was copied: take the repository's newer version.
      fs.copyFileSync(from, to);
      manifest[name] = want;
      result.updated.push(name);
    } else {
      result.kept.push(name);
    }
  }
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return result;
}

/** One line per kind of change, for the start-up log. */
export function describeSync(dir, r) {
  const lines = [];
  if (r.created.length) lines.push(`copied ${r.created.length} example(s) into ${dir}`);
  if (r.updated.length) lines.push(`refreshed from the repository: ${r.updated.join(', ')}`);
  if (r.kept.length)
    lines.push(
      `kept your changed ${r.kept.join(', ')} (delete a file there to get the repository's version again)`,
    );
  if (!lines.length) lines.push(`examples in ${dir} are up to date`);
  return lines;
}
