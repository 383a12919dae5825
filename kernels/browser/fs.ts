/**
 * The `node:fs` functions the kernel's shared modules use, over the page's files, for the browser
 * bundle of the kernel (the build maps `node:fs` here): the CSV files the user uploaded, under
 * UPLOADS_DIR, and the folder the WebAssembly binaries are served from (listed, never read: tfjs
 * fetches them itself). Anything else does not exist, with Node's ENOENT error.
 */
import { UPLOADS_DIR, type UploadedFile } from '../browser-protocol';
import { basename, resolve } from './path';

const files = new Map<string, string>();
const folders = new Map<string, string[]>();

/** Replaces the uploads (the page sends the whole list each time it changes). */
export function setUploads(list: readonly UploadedFile[]): void {
  files.clear();
  for (const f of list) files.set(`${UPLOADS_DIR}/${basename(f.name)}`, f.text);
  folders.set(
    UPLOADS_DIR,
    [...files.keys()].map((k) => basename(k)),
  );
}

/** The names of the uploads, for error messages. */
export function uploadNames(): string[] {
  return folders.get(UPLOADS_DIR) ?? [];
}

/** Declares a served folder (a URL ending in '/') and the file names it holds. */
export function setServedFolder(url: string, names: readonly string[]): void {
  folders.set(url, [...names]);
}

/** A folder key: URLs as given (with or without the slash), paths resolved. */
function key(p: string): string {
  if (/^[a-z]+:\/\//i.test(p)) return p.endsWith('/') ? p : `${p}/`;
  return resolve(p);
}

function missing(p: string, call: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${call} '${p}'`), {
    code: 'ENOENT',
  });
}

export function existsSync(p: string): boolean {
  const k = key(p);
  return files.has(k) || folders.has(k);
}

export function readdirSync(p: string): string[] {
  const names = folders.get(key(p));
  if (!names) throw missing(p, 'scandir');
  return [...names];
}

export function statSync(p: string): { isFile(): boolean; isDirectory(): boolean; size: number } {
  const k = key(p);
  const text = files.get(k);
  if (text === undefined && !folders.has(k)) throw missing(p, 'stat');
  return {
    isFile: () => text !== undefined,
    isDirectory: () => text === undefined,
    // The CSV loader's size limit is in bytes, as Node counts them.
    size: text === undefined ? 0 : new TextEncoder().encode(text).byteLength,
  };
}

/** No links in the page's files: a path is its own real path. */
export function realpathSync(p: string): string {
  if (!existsSync(p)) throw missing(p, 'realpath');
  return key(p);
}

/** Always text: the kernel reads uploads as UTF-8 (`readFileSync(path, 'utf8')`). */
export function readFileSync(p: string): string {
  const text = files.get(key(p));
  if (text === undefined) throw missing(p, 'open');
  return text;
}

export default { existsSync, readdirSync, statSync, realpathSync, readFileSync };
