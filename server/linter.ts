/**
 * Analysis and linting per unit and version, and the publishing of diagnostics. Stale work is
 * dropped: an edited unit is analysed once typing has paused for `lint.delay`, at its last
 * version, and a run overtaken by a newer one publishes nothing, so diagnostics never go back to
 * an older version. Requests (hover, code actions...) never wait for the delay: they analyse the
 * current text on demand.
 */
import type { Analysis } from '../analyzer/graph';
import { analyze } from '../analyzer/python/evaluate';
import { lint, type Finding, type LintOptions } from '../lint/index';
import { SourceMap } from '../notebook/cells';
import type { Settings } from './settings';
import type { Unit, Workspace } from './workspace';

/**
 * Units larger than this are not analysed (analysis and lint grow with the text: about 1.3 s for
 * 1,000,000 characters on one core of the development machine, blocking every request meanwhile). A 2,000-line script
 * is about 60,000 characters; a notebook counts its code cells together.
 */
export const MAX_ANALYSED_CHARS = 1_000_000;
/** Nor are units of more lines than this (the same limit for files of short lines). */
export const MAX_ANALYSED_LINES = 50_000;

/** The size of a unit that was too large to analyse. */
export interface TooLarge {
  chars: number;
  lines: number;
}

/** A unit's analysed text, source map and analysis at one version. */
export interface Analysed {
  version: string;
  source: SourceMap;
  analysis: Analysis;
  /** Set when the unit was over the size limit: nothing was analysed. */
  tooLarge: TooLarge | null;
}

/** The analysis and findings of a unit at one version. */
export interface Linted {
  unit: Unit;
  analysed: Analysed;
  settings: Settings;
  /** Empty when linting is off for the unit. */
  findings: Finding[];
}

/** A unit's settings and its lint options (pyproject under the client's settings). */
export interface Scope {
  settings: Settings;
  options: Partial<LintOptions>;
}

/** What the linter needs from the server around it. */
export interface LinterHost {
  scopeOf(unit: Unit): Promise<Scope>;
  /** Sends the diagnostics of one unit: one list per document of `linted.unit`. */
  publish(linted: Linted): void;
  /** Called after a unit was analysed again (inlay hints of its other cells may be stale). */
  analysed(linted: Linted): void;
  log(message: string): void;
}

const EMPTY: Analysis = { models: [], layers: [], notes: [], importRoots: [] };

/**
 * The analysed text of a unit's documents (a notebook's code cells joined in order, magics
 * blanked; a playground's single cell blanked too) and its analysis. The analyzer is meant never
 * to throw; if it does, `onError` hears of it and the unit is simply not analysed.
 */
export function analyseTexts(
  texts: readonly string[],
  shape: { notebook: boolean; kind: string },
  onError: (e: unknown) => void,
): { source: SourceMap; analysis: Analysis } {
  const source = shape.notebook
    ? SourceMap.ofCells(texts, { magics: true })
    : SourceMap.ofDocument(texts[0] ?? '', { magics: shape.kind === 'playground' });
  let analysis = EMPTY;
  try {
    analysis = analyze(source.text);
  } catch (e) {
    onError(e);
  }
  return { source, analysis };
}

/** Whether the settings lint this unit. */
export function lintEnabled(unit: Unit, settings: Settings): boolean {
  if (!settings.lint.enable) return false;
  if (unit.kind === 'python') return settings.lint.pythonFiles;
  if (unit.kind === 'jupyter') return settings.lint.jupyterNotebooks;
  return true;
}

/** The size of texts, or null when they are within the limits. */
export function oversize(texts: readonly string[]): TooLarge | null {
  let chars = 0;
  let lines = 0;
  for (const t of texts) {
    chars += t.length;
    // Lines as LSP counts them (\r\n, \n and a lone \r end a line); a text has one more.
    lines += 1 + (t.match(/\r\n?|\n/g)?.length ?? 0);
  }
  return chars > MAX_ANALYSED_CHARS || lines > MAX_ANALYSED_LINES ? { chars, lines } : null;
}

/** Waits `ms` (0: one turn of the event loop; messages already received are handled meanwhile). */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Linter {
  private readonly analyses = new Map<string, Analysed>();
  private readonly results = new Map<string, Linted & { generation: number }>();
  /** Bumped on every change of a unit: a run that sees another number was overtaken. */
  private readonly changes = new Map<string, number>();
  /** Units with a run waiting or in progress (a new change only bumps `changes`). */
  private readonly running = new Set<string>();
  /** When each unit was last edited (`performance.now()`): its analysis waits for `lint.delay`. */
  private readonly edited = new Map<string, number>();
  /** Bumped when settings change: cached findings are stale. */
  private generation = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly host: LinterHost,
  ) {}

  /**
   * Lints a unit again soon, once the changes already received have been taken in; after an edit
   * (`edit`: a didChange), once no further edit has come for the unit's `lint.delay`.
   */
  schedule(key: string, edit = false): void {
    this.changes.set(key, (this.changes.get(key) ?? 0) + 1);
    if (edit) this.edited.set(key, performance.now());
    if (this.running.has(key)) return;
    this.running.add(key);
    void this.run(key);
  }

  /** Settings changed: every cached result is stale, every unit is linted again. */
  settingsChanged(): void {
    this.generation++;
    this.results.clear();
    for (const key of this.workspace.keys()) this.schedule(key);
  }

  /** Forgets a closed unit's caches. */
  forget(key: string): void {
    this.analyses.delete(key);
    this.results.delete(key);
    this.changes.delete(key);
    this.edited.delete(key);
  }

  private async run(key: string): Promise<void> {
    try {
      for (;;) {
        // Wait until a turn passes without a new change: a burst is analysed once, at its end.
        let seen: number | undefined;
        do {
          seen = this.changes.get(key);
          await sleep(0);
        } while (this.changes.get(key) !== seen);
        const unit = this.workspace.unit(key);
        if (!unit) return;
        const edited = this.edited.get(key);
        if (edited !== undefined) {
          // Typing has not paused for long enough: wait, then look again (an edit may have come).
          const { settings } = await this.host.scopeOf(unit);
          const wait = edited + settings.lint.delay - performance.now();
          if (wait > 0) {
            await sleep(wait);
            continue;
          }
        }
        const linted = await this.current(unit);
        // A change during the settings' round trip: this result is already stale.
        if (this.changes.get(key) !== seen) continue;
        if (linted) {
          this.host.publish(linted);
          this.host.analysed(linted);
        }
        return;
      }
    } catch (e) {
      this.host.log(`lint of ${key} failed: ${(e as Error).stack ?? String(e)}`);
    } finally {
      this.running.delete(key);
    }
  }

  /** Analyses a unit (cached per version). The analyzer is meant never to throw. */
  analyse(unit: Unit): Analysed {
    const cached = this.analyses.get(unit.key);
    if (cached && cached.version === unit.version) return cached;
    const texts = unit.docs.map((d) => d.getText());
    const tooLarge = oversize(texts);
    if (tooLarge) {
      this.host.log(
        `${unit.key} not analysed: ${tooLarge.chars} characters, ${tooLarge.lines} lines (over ${MAX_ANALYSED_CHARS} or ${MAX_ANALYSED_LINES})`,
      );
      const analysed: Analysed = {
        version: unit.version,
        source: SourceMap.ofCells(texts.map(() => '')),
        analysis: EMPTY,
        tooLarge,
      };
      this.analyses.set(unit.key, analysed);
      return analysed;
    }
    const { source, analysis } = analyseTexts(
      texts,
      { notebook: unit.notebook, kind: unit.kind },
      (e) => this.host.log(`analysis of ${unit.key} failed: ${(e as Error).stack ?? String(e)}`),
    );
    const analysed: Analysed = { version: unit.version, source, analysis, tooLarge: null };
    this.analyses.set(unit.key, analysed);
    return analysed;
  }

  /** Analyses and lints a unit at its current version (cached while nothing changed). */
  async current(unit: Unit): Promise<Linted | null> {
    const generation = this.generation;
    const scope = await this.host.scopeOf(unit);
    // The text may have changed while the settings were read: take the unit as it is now.
    const now = this.workspace.unit(unit.key);
    if (!now) return null;
    const analysed = this.analyse(now);
    const cached = this.results.get(now.key);
    if (cached && cached.analysed === analysed && cached.generation === generation)
      return { ...cached, unit: now };
    let findings: Finding[] = [];
    if (lintEnabled(now, scope.settings) && !analysed.tooLarge) {
      try {
        findings = lint(analysed.analysis, analysed.source.text, {
          ...scope.options,
          playground: now.kind === 'playground',
        });
      } catch (e) {
        this.host.log(`lint of ${now.key} failed: ${(e as Error).stack ?? String(e)}`);
      }
    }
    const linted: Linted = { unit: now, analysed, settings: scope.settings, findings };
    if (generation === this.generation) this.results.set(now.key, { ...linted, generation });
    return linted;
  }
}
