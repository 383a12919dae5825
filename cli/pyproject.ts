/** Finds and reads the nearest pyproject.toml's `[tool.rnnlab]` table. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { readProjectConfig, type ProjectConfig } from '../lint/config';
import { UsageError } from './files';

/** The nearest pyproject.toml at or above `start` (a file or folder), or null. */
export function findPyproject(start: string): string | null {
  let dir = resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (;;) {
    const candidate = join(dir, 'pyproject.toml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Reads `[tool.rnnlab]` from a pyproject.toml; a broken file is a usage error naming the line. */
export function loadProjectConfig(path: string | null): ProjectConfig & { path: string | null } {
  if (!path) return { options: {}, failOn: null, errors: [], path };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof TomlError)
      throw new UsageError(
        `${path}:${e.line}:${e.column}: invalid TOML: ${e.message.split('\n')[0]}`,
      );
    throw new UsageError(`${path}: cannot read (${(e as Error).message})`);
  }
  const tool = (doc as { tool?: Record<string, unknown> }).tool;
  const config = readProjectConfig(tool?.['rnnlab']);
  return { ...config, path };
}
