/**
 * Playground files (`.rnnlab`) are Jupyter nbformat 4 JSON. This module reads and writes them
 * without VS Code: a file becomes cells with text sources and outputs as (mime, text) items, in
 * the shape VS Code's NotebookData wants, and goes back to JSON the way Jupyter writes it
 * (sorted keys, one-space indentation, sources as lists of lines), so saved files diff cleanly.
 *
 * A file that cannot be read throws a NotebookFormatError saying what is wrong and where: the
 * editor must never open it as an empty notebook that a save would write over.
 */

import { LineIndex } from '../analyzer/lines';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** VS Code's mime types for streams and errors (NotebookCellOutputItem.stdout/stderr/error). */
export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';
export const ERROR_MIME = 'application/vnd.code.notebook.error';

/** The cell language of playground code cells. */
export const CELL_LANGUAGE = 'rnnlab';
/** The language raw cells get in the editor (they are code cells nobody runs). */
export const RAW_LANGUAGE = 'raw';

/** One representation of an output: text for textual mimes, base64 for binary ones (images). */
export interface OutputItem {
  mime: string;
  value: string;
}

export type OutputType = 'stream' | 'display_data' | 'execute_result' | 'error';

/** What the editor keeps about an output besides its items, to write it back as it was. */
export interface OutputMetadata {
  outputType: OutputType;
  /** The nbformat output's own `metadata` (display_data, execute_result). */
  metadata?: JsonObject;
  /** execute_result's execution_count. */
  executionCount?: number | null;
}

export interface CellOutput {
  items: OutputItem[];
  metadata: OutputMetadata;
}

export type CellKind = 'code' | 'markdown' | 'raw';

export interface Cell {
  kind: CellKind;
  source: string;
  /**
   * Everything of the nbformat cell except cell_type, source, outputs and execution_count: its
   * `metadata`, `id`, `attachments`, and any other key, kept so they are written back.
   */
  metadata: JsonObject;
  /** Code cells: the execution count (null when never run). */
  executionCount: number | null;
  outputs: CellOutput[];
}

export interface Notebook {
  cells: Cell[];
  /** Every top-level key except `cells`: nbformat, nbformat_minor, metadata, ... */
  metadata: JsonObject;
}

/** A file that is not an nbformat 4 notebook; the message says what is wrong. */
export class NotebookFormatError extends Error {
  override name = 'NotebookFormatError';
}

/** Metadata of a new playground. */
export function playgroundMetadata(): JsonObject {
  return {
    kernelspec: { display_name: 'RNN Lab', language: 'rnnlab', name: 'rnnlab' },
    language_info: { name: 'rnnlab' },
  };
}

export function emptyNotebook(): Notebook {
  return {
    cells: [],
    metadata: { metadata: playgroundMetadata(), nbformat: 4, nbformat_minor: 5 },
  };
}

// ---- mime types -------------------------------------------------------------------------------

/** JSON mime types: their nbformat value is a JSON value, not a string. */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

/** Mimes whose data is text (the rest, images and the like, are base64 in nbformat). */
export function isTextMime(mime: string): boolean {
  return (
    mime.startsWith('text/') ||
    isJsonMime(mime) ||
    mime.endsWith('+xml') ||
    mime === 'application/xml' ||
    mime === 'application/javascript' ||
    mime === STDOUT_MIME ||
    mime === STDERR_MIME ||
    mime === ERROR_MIME
  );
}

/** Mimes Jupyter writes as lists of lines (nbformat's `_split_mimebundle`). */
function splitsLines(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'image/svg+xml' || mime === 'application/javascript';
}

// ---- reading ----------------------------------------------------------------------------------

const SUFFIX = ' — the file was not changed';

function fail(name: string, what: string): never {
  throw new NotebookFormatError(`${name} ${what}${SUFFIX}`);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  return `${typeof v === 'number' ? 'the number' : 'the value'} ${String(v)}`;
}

/** nbformat's multiline string: a string, or a list of strings to concatenate. */
function multiline(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.join('');
  return null;
}

/**
 * Reads a notebook. `name` is how messages refer to the file (a path, or "This file").
 * Empty or blank text is an empty notebook (nothing can be lost by saving over it).
 */
export function readNotebook(text: string, name = 'This file'): Notebook {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return emptyNotebook();
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    const where = locateJsonError(body);
    if (!where) fail(name, `is not valid JSON: ${(e as Error).message}`);
    const p = new LineIndex(body).position(where.offset);
    const [line, column] = [p.line + 1, p.character + 1];
    fail(name, `is not valid JSON at line ${line} column ${column}: ${where.reason}`);
  }
  if (!isObject(raw))
    fail(name, `is not an nbformat 4 notebook: the top level is ${kindOf(raw)}, not an object`);
  if (!('nbformat' in raw))
    fail(name, 'is not an nbformat 4 notebook: it has no "nbformat" version');
  if (raw['nbformat'] !== 4) {
    const v = raw['nbformat'];
    fail(
      name,
      typeof v === 'number'
        ? `is an nbformat ${v} notebook; RNN Lab reads nbformat 4 (convert it with \`jupyter nbconvert --to notebook --nbformat 4\`)`
        : `is not an nbformat 4 notebook: "nbformat" is ${kindOf(v)}`,
    );
  }
  const cells = raw['cells'];
  if (!Array.isArray(cells))
    fail(
      name,
      `is not an nbformat 4 notebook: "cells" is ${cells === undefined ? 'missing' : kindOf(cells)}, not a list`,
    );
  if (raw['metadata'] !== undefined && !isObject(raw['metadata']))
    fail(
      name,
      `is not an nbformat 4 notebook: "metadata" is ${kindOf(raw['metadata'])}, not an object`,
    );
  const { cells: _cells, ...metadata } = raw;
  void _cells;
  if (!isObject(metadata['metadata'])) metadata['metadata'] = {};
  if (typeof metadata['nbformat_minor'] !== 'number') metadata['nbformat_minor'] = 5;
  return { cells: cells.map((c, i) => readCell(c, i + 1, name)), metadata };
}

function readCell(raw: unknown, n: number, name: string): Cell {
  if (!isObject(raw)) fail(name, `has a broken cell ${n}: it is ${kindOf(raw)}, not an object`);
  const type = raw['cell_type'];
  if (type !== 'code' && type !== 'markdown' && type !== 'raw') {
    fail(
      name,
      `has a broken cell ${n}: cell_type is ${type === undefined ? 'missing' : JSON.stringify(type)} (expected "code", "markdown" or "raw")`,
    );
  }
  const source = raw['source'] === undefined ? '' : multiline(raw['source']);
  if (source === null)
    fail(
      name,
      `has a broken cell ${n}: source is ${kindOf(raw['source'])}, not text or a list of lines`,
    );
  if (raw['metadata'] !== undefined && !isObject(raw['metadata']))
    fail(name, `has a broken cell ${n}: metadata is ${kindOf(raw['metadata'])}, not an object`);
  const {
    cell_type: _type,
    source: _source,
    outputs: rawOutputs,
    execution_count: count,
    ...metadata
  } = raw;
  void _type;
  void _source;
  if (metadata['metadata'] === undefined) metadata['metadata'] = {};
  let outputs: CellOutput[] = [];
  let executionCount: number | null = null;
  if (type === 'code') {
    if (rawOutputs !== undefined && !Array.isArray(rawOutputs))
      fail(name, `has a broken cell ${n}: outputs is ${kindOf(rawOutputs)}, not a list`);
    outputs = (rawOutputs ?? []).map((o, j) => readOutput(o, n, j + 1, name));
    executionCount = typeof count === 'number' ? count : null;
  }
  return { kind: type, source, metadata, executionCount, outputs };
}

function readOutput(raw: unknown, n: number, k: number, name: string): CellOutput {
  const where = `cell ${n}, output ${k}`;
  if (!isObject(raw)) fail(name, `has a broken ${where}: it is ${kindOf(raw)}, not an object`);
  const type = raw['output_type'];
  switch (type) {
    case 'stream': {
      const text = multiline(raw['text']);
      if (text === null)
        fail(name, `has a broken ${where}: the stream text is ${kindOf(raw['text'])}`);
      const mime = raw['name'] === 'stderr' ? STDERR_MIME : STDOUT_MIME;
      return { items: [{ mime, value: text }], metadata: { outputType: 'stream' } };
    }
    case 'display_data':
    case 'execute_result': {
      const data = raw['data'] ?? {};
      if (!isObject(data))
        fail(name, `has a broken ${where}: data is ${kindOf(data)}, not an object`);
      const items: OutputItem[] = [];
      for (const [mime, value] of Object.entries(data)) {
        const text = isJsonMime(mime) ? null : multiline(value);
        items.push({ mime, value: text ?? JSON.stringify(value) });
      }
      const metadata: OutputMetadata = { outputType: type };
      if (isObject(raw['metadata'])) metadata.metadata = raw['metadata'];
      if (type === 'execute_result')
        metadata.executionCount =
          typeof raw['execution_count'] === 'number' ? raw['execution_count'] : null;
      return { items, metadata };
    }
    case 'error': {
      const traceback = Array.isArray(raw['traceback'])
        ? raw['traceback'].filter((l): l is string => typeof l === 'string')
        : [];
      const error: { name: string; message: string; stack?: string } = {
        name: typeof raw['ename'] === 'string' ? raw['ename'] : 'Error',
        message: typeof raw['evalue'] === 'string' ? raw['evalue'] : '',
      };
      if (traceback.length > 0) error.stack = traceback.join('\n');
      return {
        items: [{ mime: ERROR_MIME, value: JSON.stringify(error) }],
        metadata: { outputType: 'error' },
      };
    }
    default:
      return fail(
        name,
        `has a broken ${where}: output_type is ${type === undefined ? 'missing' : JSON.stringify(type)} (expected "stream", "display_data", "execute_result" or "error")`,
      );
  }
}

// ---- writing ----------------------------------------------------------------------------------

/** Splits text into nbformat's list of lines, each keeping its "\n". */
export function splitLines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((l) => l.length > 0);
}

/** JSON as Jupyter writes it: keys sorted at every level, one-space indent, a final newline. */
export function stringifyJupyter(value: Json): string {
  return `${JSON.stringify(sortKeys(value), null, 1)}\n`;
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = value[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

function parseError(value: string): { name: string; message: string; stack?: string } {
  try {
    const e = JSON.parse(value) as { name?: unknown; message?: unknown; stack?: unknown };
    return {
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: typeof e.message === 'string' ? e.message : '',
      ...(typeof e.stack === 'string' && e.stack !== '' ? { stack: e.stack } : {}),
    };
  } catch {
    return { name: 'Error', message: value };
  }
}

function writeData(items: OutputItem[]): JsonObject {
  const data: JsonObject = {};
  for (const { mime, value } of items) {
    if (isJsonMime(mime)) {
      try {
        data[mime] = JSON.parse(value) as Json;
      } catch {
        data[mime] = value;
      }
    } else data[mime] = splitsLines(mime) ? splitLines(value) : value;
  }
  return data;
}

/** One editor output → nbformat outputs (a stream output holds one stream). */
function writeOutput(output: CellOutput): JsonObject[] {
  const out: JsonObject[] = [];
  const rich: OutputItem[] = [];
  for (const item of output.items) {
    if (item.mime === STDOUT_MIME || item.mime === STDERR_MIME) {
      const name = item.mime === STDOUT_MIME ? 'stdout' : 'stderr';
      const last = out.at(-1);
      if (last?.['output_type'] === 'stream' && last['name'] === name) {
        (last['text'] as string[]).push(...splitLines(item.value));
      } else out.push({ name, output_type: 'stream', text: splitLines(item.value) });
    } else if (item.mime === ERROR_MIME) {
      const e = parseError(item.value);
      out.push({
        ename: e.name,
        evalue: e.message,
        output_type: 'error',
        traceback: e.stack === undefined ? [] : e.stack.split('\n'),
      });
    } else rich.push(item);
  }
  if (rich.length > 0) {
    const type =
      output.metadata.outputType === 'execute_result' ? 'execute_result' : 'display_data';
    const o: JsonObject = {
      data: writeData(rich),
      metadata: output.metadata.metadata ?? {},
      output_type: type,
    };
    if (type === 'execute_result') o['execution_count'] = output.metadata.executionCount ?? null;
    out.push(o);
  }
  // Consecutive pieces of one stream are one text: ["a\n", "b"] + ["c\n"] is ["a\n", "bc\n"].
  for (const o of out) {
    if (o['output_type'] === 'stream') o['text'] = splitLines((o['text'] as string[]).join(''));
  }
  return out;
}

/** The notebook as Jupyter would save it. */
export function writeNotebook(nb: Notebook): string {
  const seenIds = new Set<string>();
  const cells = nb.cells.map((cell) => {
    const c: JsonObject = { ...cell.metadata };
    // A copied cell carries its original's id; ids must be unique, so the copy loses it.
    if (typeof c['id'] === 'string') {
      if (seenIds.has(c['id'])) delete c['id'];
      else seenIds.add(c['id']);
    }
    if (!isObject(c['metadata'])) c['metadata'] = {};
    c['cell_type'] = cell.kind;
    c['source'] = splitLines(cell.source);
    if (cell.kind === 'code') {
      c['execution_count'] = cell.executionCount;
      c['outputs'] = cell.outputs.flatMap(writeOutput);
    } else {
      delete c['execution_count'];
      delete c['outputs'];
    }
    return c;
  });
  const top: JsonObject = { ...nb.metadata, cells };
  if (!isObject(top['metadata'])) top['metadata'] = {};
  top['nbformat'] = 4;
  if (typeof top['nbformat_minor'] !== 'number') top['nbformat_minor'] = 5;
  return stringifyJupyter(top);
}

// ---- JSON error location ----------------------------------------------------------------------

class JsonSyntax {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const MAX_NESTING = 2_000;

/**
 * Where JSON text first goes wrong, and why, in the same words on every Node version (the
 * messages of JSON.parse differ between V8 releases and some carry no position).
 */
export function locateJsonError(text: string): { offset: number; reason: string } | null {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++;
  };
  const err: (reason: string, at?: number) => never = (reason, at = i) => {
    throw new JsonSyntax(at, reason);
  };
  const end: (inside?: string) => never = (inside) =>
    err(
      inside
        ? `the file ends inside ${inside} (is it cut short?)`
        : 'the file ends where a value should be (is it cut short?)',
    );
  const describe = (ch: string | undefined) =>
    ch === undefined ? 'the end of the file' : `${JSON.stringify(ch)}`;
  const string = () => {
    const start = i;
    i++;
    for (;;) {
      if (i >= n) err("a string is not closed (a missing '\"')", start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32)
        err('a string holds a raw control character or line break (write it as \\n or \\t)');
      if (c === 92) {
        const e = text[i + 1];
        if (e === undefined) end('a string');
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            err('"\\u" must be followed by four hex digits');
          i += 6;
        } else if ('"\\/bfnrt'.includes(e!)) i += 2;
        else err(`"\\${e}" is not a JSON escape`);
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') err('a number is malformed');
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > MAX_NESTING) err('the values are nested too deeply');
    ws();
    const c = text[i];
    if (c === undefined) end();
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === undefined) end("an object: a closing '}' is missing");
        if (text[i] !== '"')
          err(
            text[i] === '}'
              ? "a comma before '}' (JSON allows no trailing comma)"
              : `expected a property name in double quotes, found ${describe(text[i])}`,
          );
        string();
        ws();
        if (text[i] !== ':') err(`expected ':' after a property name, found ${describe(text[i])}`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        if (text[i] === undefined) end("an object: a closing '}' is missing");
        err(`expected ',' or '}' after a property value, found ${describe(text[i])}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === ']') err("a comma before ']' (JSON allows no trailing comma)");
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        if (text[i] === undefined) end("a list: a closing ']' is missing");
        err(`expected ',' or ']' after a list item, found ${describe(text[i])}`);
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    err(
      c === "'"
        ? "strings must use double quotes, not '"
        : `expected a value (an object, list, string, number, true, false or null), found ${describe(c)}`,
    );
  };
  try {
    value(0);
    ws();
    if (i < n) err(`unexpected ${describe(text[i])} after the end of the notebook's JSON`);
    return null;
  } catch (e) {
    if (e instanceof JsonSyntax) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}
