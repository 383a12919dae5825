/**
 * Windowed time-series datasets from a CSV file, like `keras.utils.timeseries_dataset_from_array`:
 * x[i] = rows i .. i+window-1 of the feature columns, y[i] = the target column at row
 * i+window-1+horizon. The split is chronological: the last windows validate.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import {
  checkInt,
  checkSize,
  checkSplit,
  checkString,
  DatasetError,
  show,
  splitCounts,
} from './errors';
import type { Dataset } from './types';

/** Files larger than this are refused before reading. */
export const MAX_CSV_BYTES = 100 * 1024 * 1024;

export interface CsvOptions {
  /** Rows per window (timesteps). */
  window: number;
  /** How many rows after a window's last row the target is read; 0 = that last row. */
  horizon?: number;
  /** The column to predict. */
  target: string;
  /** Input columns; default: every numeric column (the target included). */
  features?: string[] | string | null;
  validation_split?: number;
  /** When given, `path` resolves against it and must stay inside it (symlinks included). */
  workspace?: string;
}

/** One CSV record and the file line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * RFC 4180-style parsing: commas, double-quoted fields ("" is a quote; commas and newlines may be
 * quoted), \n, \r\n or \r line ends, a leading BOM. Blank lines are skipped.
 */
export function parseCsv(text: string, file = 'the file'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const endRecord = () => {
    fields.push(field);
    const blank = fields.length === 1 && !quoted && field.trim() === '';
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    quoted = false;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '"' && !quoted && field.trim() === '') {
      const start = line;
      field = '';
      quoted = true;
      i++;
      for (;;) {
        if (i >= n) {
          throw new DatasetError(`${file}: unterminated quoted field starting on line ${start}`);
        }
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n' || (q === '\r' && text[i + 1] !== '\n')) line++;
        field += q;
        i++;
      }
    } else if (c === ',') {
      fields.push(field);
      field = '';
      quoted = false;
      i++;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += c;
      i++;
    }
  }
  if (fields.length > 0 || field !== '' || quoted) endRecord();
  return records;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | null {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : null;
}

/** Resolves and vets the path: inside the workspace (when given), exists, a file, not too big. */
function openPath(path: string, workspace: string | undefined): { full: string; size: number } {
  const base = workspace === undefined ? process.cwd() : resolve(workspace);
  const full = resolve(base, path);
  const inside = (root: string, p: string) => {
    const rel = relative(root, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  const refuse = () =>
    new DatasetError(
      `refusing to read ${show(path)}: it is outside the workspace ${show(base)}`,
      'path',
    );
  if (workspace !== undefined && !inside(base, full)) throw refuse();
  let stat;
  try {
    stat = statSync(full);
  } catch {
    throw new DatasetError(`CSV file not found: ${show(path)} (looked for ${show(full)})`, 'path');
  }
  if (workspace !== undefined) {
    // Symlinks may point elsewhere: compare real paths too.
    let realBase = base;
    try {
      realBase = realpathSync(base);
    } catch {
      // A missing workspace cannot contain the file; the comparison below refuses it.
    }
    if (!inside(realBase, realpathSync(full))) throw refuse();
  }
  if (!stat.isFile()) throw new DatasetError(`${show(path)} is not a file`, 'path');
  if (stat.size > MAX_CSV_BYTES) {
    throw new DatasetError(
      `${show(path)} is ${(stat.size / 1024 / 1024).toFixed(1)} MB; CSV files over ` +
        `${MAX_CSV_BYTES / 1024 / 1024} MB are refused (resample or trim it first)`,
      'path',
    );
  }
  return { full, size: stat.size };
}

/** Loads a CSV (header row, numeric columns) as a windowed regression dataset. */
export function loadCsv(path: string, options: CsvOptions): Dataset {
  checkString('path', path);
  const window = checkInt('window', options.window, 1, 100_000);
  const horizon = checkInt('horizon', options.horizon ?? 1, 0, 100_000);
  const target = checkString('target', options.target);
  const split = checkSplit(options.validation_split ?? 0.2);
  let wanted: string[] | null = null;
  const features = options.features ?? null;
  if (typeof features === 'string') wanted = [features];
  else if (Array.isArray(features) && features.every((f) => typeof f === 'string')) {
    if (features.length === 0) {
      throw new DatasetError('features must name at least one column (got [])', 'features');
    }
    wanted = [...features];
  } else if (features !== null) {
    throw new DatasetError(
      `features must be a list of column names (got ${show(features)})`,
      'features',
    );
  }

  const { full } = openPath(path, options.workspace ?? undefined);
  const name = basename(full);
  const records = parseCsv(readFileSync(full, 'utf8'), name);
  if (records.length === 0) throw new DatasetError(`${name} is empty`, 'path');
  const header = records[0]!.fields.map((h, i) => h.trim() || `column_${i + 1}`);
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h))
      throw new DatasetError(`${name}: duplicate column name ${show(h)} in the header`);
    seen.add(h);
  }
  const rows = records.slice(1);
  if (rows.length === 0) throw new DatasetError(`${name} has a header but no data rows`, 'path');
  rows.forEach((r, k) => {
    if (r.fields.length !== header.length) {
      throw new DatasetError(
        `${name}: data row ${k + 1} (line ${r.line}) has ${r.fields.length} fields but the ` +
          `header has ${header.length}`,
      );
    }
  });

  const available = () => `available columns: ${header.join(', ')}`;
  const column = (col: string, argument: string): number => {
    const c = header.indexOf(col);
    if (c < 0) {
      throw new DatasetError(`${name} has no column ${show(col)}; ${available()}`, argument);
    }
    return c;
  };
  const targetColumn = column(target, 'target');
  let featureColumns: number[];
  if (wanted) {
    featureColumns = wanted.map((f) => column(f, 'features'));
  } else {
    // Numeric = the first data row parses as a number; a later bad value is then an error.
    featureColumns = header.flatMap((_, c) =>
      parseNumber(rows[0]!.fields[c]!) === null ? [] : [c],
    );
    if (featureColumns.length === 0) {
      throw new DatasetError(`${name} has no numeric columns; ${available()}`, 'features');
    }
  }
  const values = (c: number): Float64Array => {
    const out = new Float64Array(rows.length);
    rows.forEach((r, k) => {
      const raw = r.fields[c]!;
      const v = parseNumber(raw);
      if (v === null) {
        const what = raw.trim() === '' ? 'empty value' : `non-numeric value ${show(raw)}`;
        throw new DatasetError(
          `${name}: ${what} in column ${show(header[c])} at data row ${k + 1} (line ${r.line}); ` +
            'columns used as features or target must be numeric',
        );
      }
      out[k] = v;
    });
    return out;
  };
  const y = values(targetColumn);
  const cols = featureColumns.map((c) => (c === targetColumn ? y : values(c)));

  const needed = window + horizon;
  const samples = rows.length - needed + 1;
  if (samples < 1) {
    throw new DatasetError(
      `window=${window} with horizon=${horizon} needs at least ${needed} data rows, but ${name} ` +
        `has ${rows.length}; use window at most ${Math.max(0, rows.length - horizon)}`,
      'window',
    );
  }
  const F = cols.length;
  checkSize(samples, window, F, 'use a smaller window or fewer features');
  const { train, val } = splitCounts(samples, split);
  const xs = [new Float32Array(train * window * F), new Float32Array(val * window * F)] as const;
  const ys = [new Float32Array(train), new Float32Array(val)] as const;
  for (let i = 0; i < samples; i++) {
    const part = i < train ? 0 : 1;
    const j = part === 0 ? i : i - train;
    const x = xs[part];
    let o = j * window * F;
    for (let t = 0; t < window; t++) for (let f = 0; f < F; f++) x[o++] = cols[f]![i + t]!;
    ys[part][j] = y[i + window - 1 + horizon]!;
  }
  const featureNames = featureColumns.map((c) => header[c]!);
  return {
    name,
    task: 'regression',
    train: { x: { data: xs[0], shape: [train, window, F] }, y: { data: ys[0], shape: [train, 1] } },
    val: { x: { data: xs[1], shape: [val, window, F] }, y: { data: ys[1], shape: [val, 1] } },
    description:
      `Windows of ${window} rows from ${name} (${rows.length} data rows): x (samples, ${window}, ` +
      `${F}) with columns ${featureNames.join(', ')}; y (samples, 1) is ${show(target)} ` +
      `${horizon} row(s) after each window's last row. Values are as in the file (not scaled). ` +
      `${train} training and ${val} validation windows; the split is chronological, the last ` +
      'windows validate.',
  };
}
