/** Findings, fixes and options of the rule engine. Ranges are offsets into the analysed text. */
import type { Analysis, ModelNode } from '../analyzer/graph';
import type { Span } from '../analyzer/python/values';

export type Severity = 'error' | 'warning' | 'info';
/**
 * `keras3`; `tf-keras2` (tf.keras 2.x, the keras 2.4-2.15 packages, tf_keras); `keras2-multibackend`
 * (the standalone multi-backend keras 2.3 and older: GRU reset_after=False, no automatic cuDNN
 * kernel; analyzer/versions.ts); `tfjs`.
 */
export type Target = 'keras3' | 'tf-keras2' | 'keras2-multibackend' | 'tfjs';
export const TARGETS: readonly Target[] = ['keras3', 'tf-keras2', 'keras2-multibackend', 'tfjs'];
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** One text replacement: offsets into the analysed text. */
export interface Edit {
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  isPreferred: boolean;
  edits: Edit[];
}

export interface Related {
  span: Span;
  message: string;
}

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  /** The offending call or argument. */
  span: Span;
  /** Where `# noqa` is read: the line of the layer's name for multi-line calls. */
  anchor: number;
  related: Related[];
  fixes: Fix[];
}

export interface LintOptions {
  /** The project's target; a file's own imports may decide it instead (see `effectiveTarget`). */
  target: Target;
  /** Per-rule severity overrides; 'off' disables the rule. */
  severity: Record<string, Severity | 'off'>;
  /** Codes or prefixes to run (empty: all). */
  select: string[];
  /** Codes or prefixes never to run. */
  ignore: string[];
  /** The text is a playground cell (Keras 3 semantics; cuDNN findings are informational). */
  playground: boolean;
}

export const DEFAULT_OPTIONS: LintOptions = {
  target: 'keras3',
  severity: {},
  select: [],
  ignore: [],
  playground: false,
};

/** What a rule sees: one model of the analysis, the text, and the resolved target. */
export interface RuleContext {
  text: string;
  analysis: Analysis;
  model: ModelNode;
  target: Target;
  playground: boolean;
}

/** A finding before severity is resolved from the catalog and the options. */
export type Draft = Omit<Finding, 'severity'> & { severity?: Severity };

/** A rule family: a pure function from one model to draft findings. */
export type RuleFamily = (ctx: RuleContext) => Draft[];
