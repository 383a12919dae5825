/**
 * The `node:path` functions the kernel's shared modules use (kernels/data/csv.ts,
 * kernels/tfjs/backend.ts), POSIX semantics, for the browser bundle of the kernel: the build maps
 * `node:path` here. Paths are those of the page's file system (./fs.ts): `/uploads/x.csv`.
 */

/** `..` and `.` resolved, duplicate slashes removed; keeps a leading slash. */
function normalize(p: string): string {
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  const body = out.join('/');
  return absolute ? `/${body}` : body || '.';
}

export const sep = '/';

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== '').join('/'));
}

/** Right to left until a path is absolute; the page's working folder is `/`. */
export function resolve(...parts: string[]): string {
  let out = '';
  for (let i = parts.length - 1; i >= 0 && !out.startsWith('/'); i--) {
    const p = parts[i]!;
    if (p) out = out ? `${p}/${out}` : p;
  }
  return normalize(out.startsWith('/') ? out : `/${out}`);
}

export function relative(from: string, to: string): string {
  const a = resolve(from).split('/').filter(Boolean);
  const b = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

/** As Node's: the part before the last slash, not normalised. */
export function dirname(p: string): string {
  const n = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const i = n.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : n.slice(0, i);
}

export function basename(p: string): string {
  const n = p.replace(/\/+$/, '');
  return n.slice(n.lastIndexOf('/') + 1);
}

export default { sep, isAbsolute, join, resolve, relative, dirname, basename };
