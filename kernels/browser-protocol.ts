/**
 * Messages between the web playground's page and its kernel Web Worker (kernels/worker-browser.ts)
 * besides the kernel protocol itself (../protocol.ts, RunCell and MemoryQuery, which pass through
 * unchanged): a Web Worker has no `workerData`, so the page starts it with Start, and it has no
 * file system, so the page sends the files the user uploaded with Files.
 */
import type { KernelOptions } from './protocol';

/** One uploaded file as the kernel reads it (`datasets.csv('name.csv', ...)`). */
export interface UploadedFile {
  name: string;
  text: string;
}

/**
 * Sent by the page once, first: the kernel's options (the stop flag only when the page is
 * cross-origin isolated) and the uploads so far. The worker answers with the kernel's Ready.
 */
export interface Start {
  type: 'start';
  options: KernelOptions;
  files: UploadedFile[];
}

/** Sent by the page whenever the uploads change: the whole list (it replaces the previous one). */
export interface Files {
  type: 'files';
  files: UploadedFile[];
}

export type ToBrowserWorker = Start | Files;

const isFiles = (v: unknown): v is UploadedFile[] =>
  Array.isArray(v) &&
  v.every(
    (f) =>
      typeof f === 'object' &&
      f !== null &&
      typeof (f as UploadedFile).name === 'string' &&
      typeof (f as UploadedFile).text === 'string',
  );

/** Validates a Start or Files message; null for any other message, a string for a bad one. */
export function parseToBrowserWorker(msg: unknown): ToBrowserWorker | string | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (m['type'] === 'start') {
    const o = m['options'] as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || typeof o['seed'] !== 'number')
      return 'start.options needs a seed';
    if (!isFiles(m['files'])) return 'start.files should be a list of {name, text}';
    return m as unknown as Start;
  }
  if (m['type'] === 'files')
    return isFiles(m['files'])
      ? (m as unknown as Files)
      : 'files.files should be a list of {name, text}';
  return null;
}

/** The folder the uploads appear in for the kernel (`datasets.csv` resolves paths against it). */
export const UPLOADS_DIR = '/uploads';
