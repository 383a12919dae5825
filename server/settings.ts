/**
 * The user's settings as the server sees them: the `rnnlab` section (from the client, validated
 * key by key, so a wrong type falls back to the default instead of breaking the server) over
 * `[tool.rnnlab]` in the nearest pyproject.toml. Pure apart from the injected file reader.
 */
import { parse } from 'smol-toml';
import { readProjectConfig } from '../lint/config';
import { SEVERITIES, TARGETS, type LintOptions, type Severity, type Target } from '../lint/types';
import type { SettingsSection } from './protocol';

export type HintMode = 'playground' | 'always' | 'off';

/** The settings of one scope (a document or notebook), every key resolved. */
export interface Settings {
  /** `delay`: milliseconds without a change before an edited unit is analysed again. */
  lint: { enable: boolean; pythonFiles: boolean; jupyterNotebooks: boolean; delay: number };
  /** Only when the user set it: it then overrides pyproject's target. */
  target: Target | null;
  rules: { severity: Record<string, Severity | 'off'>; select: string[]; ignore: string[] };
  inlayHints: { outputShapes: HintMode };
  symbols: { pythonFiles: boolean };
}

/** `lint.delay` in milliseconds, as package.json declares `rnnlab.lint.delay`. */
export const LINT_DELAY = { default: 300, min: 0, max: 5000 } as const;

export const DEFAULT_SETTINGS: Settings = {
  lint: { enable: true, pythonFiles: true, jupyterNotebooks: true, delay: LINT_DELAY.default },
  target: null,
  rules: { severity: {}, select: [], ignore: [] },
  inlayHints: { outputShapes: 'playground' },
  symbols: { pythonFiles: false },
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
const delay = (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v)
    ? Math.min(LINT_DELAY.max, Math.max(LINT_DELAY.min, v))
    : LINT_DELAY.default;
const strings = (v: unknown) =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Reads a client's `rnnlab` section (anything: null, a wrong shape) into settings. */
export function readSettings(section: unknown): Settings {
  const s = isObject(section) ? (section as SettingsSection & Record<string, unknown>) : {};
  const lint = isObject(s.lint) ? s.lint : {};
  const rules = isObject(s.rules) ? s.rules : {};
  const hints = isObject(s.inlayHints) ? s.inlayHints : {};
  const symbols = isObject(s.symbols) ? s.symbols : {};
  const severity: Record<string, Severity | 'off'> = {};
  if (isObject(rules.severity))
    for (const [code, level] of Object.entries(rules.severity))
      if (level === 'off' || (SEVERITIES as readonly unknown[]).includes(level))
        severity[code.toUpperCase()] = level as Severity | 'off';
  const mode = hints.outputShapes;
  return {
    lint: {
      enable: bool(lint.enable, true),
      pythonFiles: bool(lint.pythonFiles, true),
      jupyterNotebooks: bool(lint.jupyterNotebooks, true),
      delay: delay(lint.delay),
    },
    target: (TARGETS as readonly unknown[]).includes(s.target) ? (s.target as Target) : null,
    rules: { severity, select: strings(rules.select), ignore: strings(rules.ignore) },
    inlayHints: {
      outputShapes: mode === 'always' || mode === 'off' ? mode : 'playground',
    },
    symbols: { pythonFiles: bool(symbols.pythonFiles, false) },
  };
}

/** Lint options as the extension computes them: pyproject first, then the settings on top. */
export function lintOptions(
  settings: Settings,
  project: Partial<LintOptions>,
): Partial<LintOptions> {
  const options: Partial<LintOptions> = { ...project };
  options.target = settings.target ?? project.target ?? 'keras3';
  options.severity = { ...(project.severity ?? {}), ...settings.rules.severity };
  if (settings.rules.select.length) options.select = settings.rules.select;
  if (settings.rules.ignore.length) options.ignore = settings.rules.ignore;
  return options;
}

/** Reads a file by URI: its text, or null when there is none (or it cannot be read). */
export type ReadFile = (uri: string) => Promise<string | null>;

/** Where a problem with a pyproject.toml is reported (the server's log). */
export type Log = (message: string) => void;

/** The folder URI of a URI (`file:///a/b/c.py` → `file:///a/b`), or null at the root. */
export function parentOf(uri: string): string | null {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(\/.*)$/i.exec(uri.replace(/[?#].*$/, ''));
  if (!m) return null;
  const path = m[2]!.replace(/\/+$/, '');
  if (path === '') return null;
  return `${m[1]}${path.slice(0, path.lastIndexOf('/')) || ''}`;
}

/** At most this many folders are walked up looking for pyproject.toml (deep trees, loops). */
const MAX_FOLDERS_UP = 64;

/**
 * `[tool.rnnlab]` of the nearest pyproject.toml, cached per folder: files the client sent
 * (virtual workspaces) come first, then the injected reader. The walk stops at the workspace
 * folder holding the document; a document outside every folder has none; a client that names no
 * folder at all (single-file mode in other editors) gets a walk up to the root, as the CLI does.
 */
export class ProjectSettings {
  private readonly cache = new Map<string, Promise<Partial<LintOptions>>>();
  /** pyproject texts the client sent, by the file's URI (null: deleted). */
  private readonly sent = new Map<string, string | null>();
  private roots: string[] = [];

  constructor(
    private readonly readFile: ReadFile | null,
    private readonly log: Log,
  ) {}

  /** The workspace folders' URIs (the walk's upper bounds). */
  setRoots(roots: readonly string[]): void {
    this.roots = roots.map((r) => r.replace(/\/+$/, ''));
    this.cache.clear();
  }

  /** Workspace folders were added or removed. */
  changeRoots(added: readonly string[], removed: readonly string[]): void {
    const gone = new Set(removed.map((r) => r.replace(/\/+$/, '')));
    this.setRoots([...this.roots.filter((r) => !gone.has(r)), ...added]);
  }

  /** A pyproject.toml's text from the client (null: it was deleted). */
  setText(uri: string, text: string | null): void {
    this.sent.set(uri, text);
    this.cache.clear();
  }

  /** Forgets every cached file (a pyproject.toml changed on disk). */
  reset(): void {
    this.cache.clear();
  }

  /** The project options for a document or notebook URI. */
  forUri(uri: string): Promise<Partial<LintOptions>> {
    const dir = parentOf(uri);
    if (dir === null) return Promise.resolve({});
    let found = this.cache.get(dir);
    if (!found) {
      found = this.read(dir).catch((e: unknown) => {
        this.log(`pyproject.toml lookup from ${dir} failed: ${(e as Error).message}`);
        return {};
      });
      this.cache.set(dir, found);
    }
    return found;
  }

  private async read(start: string): Promise<Partial<LintOptions>> {
    const root = this.roots
      .filter((r) => start === r || start.startsWith(`${r}/`))
      .sort((a, b) => b.length - a.length)[0];
    // As in VS Code: a file outside every workspace folder has no project settings.
    if (this.roots.length > 0 && root === undefined) return {};
    let dir: string | null = start;
    for (let i = 0; dir !== null && i < MAX_FOLDERS_UP; i++) {
      const candidate = `${dir}/pyproject.toml`;
      const text = this.sent.has(candidate)
        ? this.sent.get(candidate)!
        : this.readFile
          ? await this.readFile(candidate)
          : null;
      if (text !== null) return this.interpret(candidate, text);
      if (dir === root) break;
      dir = parentOf(dir);
    }
    return {};
  }

  private interpret(uri: string, text: string): Partial<LintOptions> {
    let doc: { tool?: Record<string, unknown> };
    try {
      doc = parse(text) as typeof doc;
    } catch (e) {
      this.log(
        `${uri}: invalid TOML, [tool.rnnlab] ignored until it is fixed: ${(e as Error).message.split('\n')[0]}`,
      );
      return {};
    }
    const config = readProjectConfig(doc.tool?.['rnnlab']);
    for (const e of config.errors) this.log(`${uri}: [tool.rnnlab] ${e}`);
    return config.options;
  }
}
