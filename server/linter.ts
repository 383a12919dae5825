/**
 * Analysis and linting per unit and version, and the publishing of diagnostics. Stale work is
 * dropped: a burst of changes is analysed once, at its last version, and a run overtaken by a
 * newer one publishes nothing, so diagnostics never go back to an older version.
 */
import type { Analysis } from '../analyzer/graph';
import { analyze } from '../analyzer/python/evaluate';
import { lint, type Finding, type LintOptions } from '../lint/index';
import { SourceMap } from '../notebook/cells';
import type { Settings } from './settings';
import type { Unit, Workspace } from './workspace';

/** A unit's analysed text, source map and analysis at one version. */
export interface Analysed {
  version: string;
  source: SourceMap;
  analysis: Analysis;
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

/** Yields one turn of the event loop (messages already received are handled meanwhile). */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class Linter {
  private readonly analyses = new Map<string, Analysed>();
  private readonly results = new Map<string, Linted & { generation: number }>();
  /** Bumped on every change of a unit: a run that sees another number was overtaken. */
  private readonly changes = new Map<string, number>();
  /** Units with a run waiting or in progress (a new change only bumps `changes`). */
  private readonly running = new Set<string>();
  /** Bumped when settings change: cached findings are stale. */
  private generation = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly host: LinterHost,
  ) {}

  /** Lints a unit again soon, once the changes already received have been taken in. */
  schedule(key: string): void {
    this.changes.set(key, (this.changes.get(key) ?? 0) + 1);
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
  }

  private async run(key: string): Promise<void> {
    try {
      for (;;) {
        // Wait until a turn passes without a new change: a burst is analysed once, at its end.
        let seen: number | undefined;
        do {
          seen = this.changes.get(key);
          await nextTurn();
        } while (this.changes.get(key) !== seen);
        const unit = this.workspace.unit(key);
        const linted = unit ? await this.current(unit) : null;
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
    const { source, analysis } = analyseTexts(
      unit.docs.map((d) => d.getText()),
      { notebook: unit.notebook, kind: unit.kind },
      (e) => this.host.log(`analysis of ${unit.key} failed: ${(e as Error).stack ?? String(e)}`),
    );
    const analysed: Analysed = { version: unit.version, source, analysis };
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
    if (lintEnabled(now, scope.settings)) {
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
