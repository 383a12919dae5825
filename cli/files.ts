/** Finding and reading the files the CLI analyses; never throws on bad input. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { NotebookFormatError } from '../notebook/nbformat';
import { SourceDoc } from '../notebook/cells';

/** Folders never searched: environments, caches and dependencies. */
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '__pycache__',
  'site-packages',
  '.venv',
  'venv',
  'env',
  '.env',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.ipynb_checkpoints',
  'dist',
  'build',
]);

/** Files larger than this are skipped with a message (the analyzer is linear, but output is not). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

const EXTENSIONS = new Set(['.py', '.ipynb', '.rnnlab']);

export class UsageError extends Error {}

/** Expands the paths given on the command line into analysable files, in a stable order. */
export function collectFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  } catch {
    throw new UsageError(`${dir}: cannot read this folder`);
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      // A folder with pyvenv.cfg is a virtualenv, whatever its name.
      if (SKIP_DIRS.has(e.name) || isVirtualenv(full)) continue;
      walk(full, out);
    } else if (e.isFile() && EXTENSIONS.has(extname(e.name))) out.push(full);
  }
}

function isVirtualenv(dir: string): boolean {
  try {
    return statSync(join(dir, 'pyvenv.cfg')).isFile();
  } catch {
    return false;
  }
}

export type Loaded =
  { ok: true; doc: SourceDoc; warning: string | null } | { ok: false; message: string };

/** Reads one file as a source document, or says in one line why it was skipped. */
export function loadFile(path: string): Loaded {
  let buf: Buffer;
  try {
    const st = statSync(path);
    if (st.size > MAX_FILE_BYTES) {
      return {
        ok: false,
        message: `skipped: ${(st.size / 1048576).toFixed(1)} MB is over the ${MAX_FILE_BYTES / 1048576} MB limit`,
      };
    }
    buf = readFileSync(path);
  } catch (e) {
    return {
      ok: false,
      message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    };
  }
  if (buf.subarray(0, 8192).includes(0))
    return { ok: false, message: 'skipped: binary file (contains NUL bytes)' };
  let text: string;
  let warning: string | null = null;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    text = new TextDecoder('utf-8').decode(buf);
    warning = 'not valid UTF-8: undecodable bytes were replaced; re-save the file as UTF-8';
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ext = extname(path);
  if (ext === '.ipynb' || ext === '.rnnlab') {
    // The editor opens a blank file as a new notebook; here it is nothing to analyse.
    if (text.trim() === '') return { ok: false, message: 'skipped: an empty file, not a notebook' };
    try {
      return { ok: true, doc: SourceDoc.notebook(text, 'the notebook'), warning };
    } catch (e) {
      if (e instanceof NotebookFormatError) return { ok: false, message: `skipped: ${e.message}` };
      throw e;
    }
  }
  return { ok: true, doc: SourceDoc.python(text), warning };
}
