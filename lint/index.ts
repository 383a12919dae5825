/** The rule engine: runs every rule family over an analysis and applies options and `# noqa`. */
import type { Analysis } from '../analyzer/graph';
import { LineIndex } from '../analyzer/lines';
import { RULES_BY_CODE } from './catalog';
import { cudnnLayerRules } from './cudnn';
import { withUnusedImportsRemoved } from './imports';
import { dropoutLayerRules, dropoutModelRules } from './dropout';
import { shapeLayerRules, shapeModelRules } from './shape';
import { trainingModelRules } from './training';
import {
  DEFAULT_OPTIONS,
  type Draft,
  type Finding,
  type LintOptions,
  type RuleContext,
  type Target,
} from './types';

export * from './types';
export { RULES, RULES_BY_CODE, docPath, docUrl } from './catalog';
export { applyEdits } from './edits';

/**
 * The target a file is linted for: an import that exists only in multi-backend Keras
 * (`keras.layers.CuDNNGRU`, `keras.backend.tensorflow_backend`) means keras2-multibackend;
 * `import tf_keras`, or an import that exists only in Keras 2 (`keras.layers.recurrent`,
 * `keras.preprocessing.text`...), means tf.keras 2 (unless the project says multi-backend);
 * `import keras` otherwise means Keras 3, or multi-backend Keras where the project says so (its
 * `keras` package is then 2.3); `tensorflow.keras` follows the project's setting.
 */
export function effectiveTarget(
  importRoots: string[],
  configured: Target,
  keras2Import: string | null = null,
  multiBackendImport: string | null = null,
): Target {
  if (multiBackendImport) return 'keras2-multibackend';
  const multiBackend = configured === 'keras2-multibackend';
  if (importRoots.includes('tf_keras')) return 'tf-keras2';
  if (keras2Import) return multiBackend ? configured : 'tf-keras2';
  if (importRoots.includes('keras')) return multiBackend ? configured : 'keras3';
  return configured;
}

/** The analyzer's options for a configured target: multi-backend Keras's layer defaults. */
export function analyzerOptions(target: Target): { flavour?: 'keras2-multibackend' } {
  return target === 'keras2-multibackend' ? { flavour: target } : {};
}

/** True when `code` is named by a list of codes or prefixes (`DR`, `DR1`, `DR101`). */
export function matches(code: string, list: string[]): boolean {
  return list.some((p) => p !== '' && code.startsWith(p.toUpperCase()));
}

interface Suppressions {
  file: boolean;
  /** Line index (0-based) → codes silenced there (empty: all). */
  lines: Map<number, string[]>;
}

const NOQA = /#\s*noqa\b(?::\s*([A-Za-z0-9_, \t]+))?/;
const FILE_NOQA = /#\s*rnnlab:\s*noqa\b/;

function suppressions(lines: LineIndex): Suppressions {
  const silenced = new Map<number, string[]>();
  let file = false;
  for (let i = 0; i < lines.lineCount; i++) {
    const line = lines.lineText(i);
    if (!line.includes('#')) continue;
    if (FILE_NOQA.test(line)) file = true;
    const m = NOQA.exec(line);
    if (m)
      silenced.set(
        i,
        m[1]
          ? m[1]
              .split(/[,\s]+/)
              .filter(Boolean)
              .map((c) => c.toUpperCase())
          : [],
      );
  }
  return { file, lines: silenced };
}

/** Lints every model of an analysis; findings are sorted by position, one per code and range. */
export function lint(
  analysis: Analysis,
  text: string,
  options: Partial<LintOptions> = {},
): Finding[] {
  const opts: LintOptions = { ...DEFAULT_OPTIONS, ...options };
  const lines = new LineIndex(text);
  if (suppressions(lines).file) return [];
  const target = effectiveTarget(
    analysis.importRoots,
    opts.target,
    analysis.keras2Import ?? null,
    analysis.multiBackendImport ?? null,
  );
  const base = { text, analysis, target, playground: opts.playground };
  const drafts: Draft[] = [];
  for (const layer of analysis.layers) {
    drafts.push(
      ...dropoutLayerRules(layer, base),
      ...cudnnLayerRules(layer, base),
      ...shapeLayerRules(layer, base),
    );
  }
  for (const model of analysis.models) {
    const ctx: RuleContext = { ...base, model };
    drafts.push(...dropoutModelRules(ctx), ...shapeModelRules(ctx), ...trainingModelRules(ctx));
  }
  return resolveFindings(drafts, lines, opts);
}

/**
 * Drafts → findings: duplicates dropped, options and `# noqa` applied, severities set. A draft
 * whose code is not in the catalog is a bug in a rule, and throws rather than vanishing.
 */
export function resolveFindings(
  drafts: Draft[],
  lines: LineIndex,
  options: Partial<LintOptions> = {},
): Finding[] {
  const opts: LintOptions = { ...DEFAULT_OPTIONS, ...options };
  const sup = suppressions(lines);
  if (sup.file) return [];
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const d of drafts) {
    const key = `${d.code}:${d.span.from}:${d.span.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rule = RULES_BY_CODE.get(d.code);
    if (!rule) throw new Error(`lint rule ${d.code} is not in the catalog (lint/catalog.ts)`);
    if (opts.select.length > 0 && !matches(d.code, opts.select)) continue;
    if (matches(d.code, opts.ignore)) continue;
    const override = opts.severity[d.code];
    if (override === 'off') continue;
    const silenced = [lines.lineAt(d.anchor), lines.lineAt(d.span.from)].some((line) => {
      const codes = sup.lines.get(line);
      return codes !== undefined && (codes.length === 0 || matches(d.code, codes));
    });
    if (silenced) continue;
    out.push({
      ...d,
      severity: override ?? d.severity ?? rule.severity,
      fixes: d.fixes.map((fix) => ({
        ...fix,
        edits: withUnusedImportsRemoved(lines.text, fix.edits),
      })),
    });
  }
  return out.sort((a, b) => a.span.from - b.span.from || a.code.localeCompare(b.code));
}
