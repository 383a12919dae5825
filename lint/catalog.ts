/** The rule catalog: codes are stable and never reused (see docs/rules/CODE.md for each). */
import type { Severity } from './types';

export interface RuleInfo {
  code: string;
  name: string;
  severity: Severity;
  summary: string;
}

export const RULES: readonly RuleInfo[] = [
  {
    code: 'DR101',
    name: 'dropout-mask-changes-every-timestep',
    severity: 'warning',
    summary:
      'A plain Dropout on a sequence that feeds a recurrent layer draws a new mask at every timestep.',
  },
  {
    code: 'DR102',
    name: 'dropout-drops-whole-timesteps',
    severity: 'warning',
    summary: 'This Dropout zeroes whole timesteps rather than features.',
  },
  {
    code: 'DR103',
    name: 'timedistributed-dropout-is-not-shared',
    severity: 'warning',
    summary: 'TimeDistributed(Dropout) does not share its mask across timesteps.',
  },
  {
    code: 'DR104',
    name: 'noise-shape-mismatch',
    severity: 'error',
    summary: "noise_shape does not fit the input's rank or sizes.",
  },
  {
    code: 'DR105',
    name: 'noise-shape-shares-batch',
    severity: 'warning',
    summary: 'noise_shape with batch entry 1 drops the same units for every sample.',
  },
  {
    code: 'DR106',
    name: 'dropout-rate-out-of-range',
    severity: 'error',
    summary: 'A dropout rate outside [0, 1).',
  },
  {
    code: 'DR107',
    name: 'dropout-on-model-output',
    severity: 'warning',
    summary: 'A dropout layer is the last layer: it drops parts of the prediction.',
  },
  {
    code: 'DR108',
    name: 'spatial-dropout-needs-sequence',
    severity: 'error',
    summary: 'SpatialDropout1D needs a rank-3 (batch, timesteps, features) input.',
  },
  {
    code: 'DR109',
    name: 'high-dropout-rate',
    severity: 'warning',
    summary: 'A dropout rate above 0.5.',
  },
  {
    code: 'DR110',
    name: 'dropout-is-noop',
    severity: 'info',
    summary: 'A dropout with rate 0 does nothing.',
  },
  {
    code: 'DR111',
    name: 'fast-path-dropout-not-variational',
    severity: 'info',
    summary: "In tf.keras 2.x, a cuDNN-eligible layer's dropout= is drawn per timestep.",
  },
  {
    code: 'SH201',
    name: 'recurrent-input-not-sequence',
    severity: 'error',
    summary: 'A layer that needs a sequence receives a rank-2 tensor.',
  },
  {
    code: 'SH202',
    name: 'unroll-needs-fixed-length',
    severity: 'error',
    summary: 'unroll=True needs a fixed number of timesteps.',
  },
  {
    code: 'SH203',
    name: 'shapes-unknown',
    severity: 'info',
    summary: "The model's input shape cannot be found: shape-based rules are off for it.",
  },
  {
    code: 'SH204',
    name: 'keras3-rejects-batch-shape-argument',
    severity: 'error',
    summary:
      'Keras 3 rejects batch_input_shape=, batch_size= (and input_length= outside Embedding) on a layer.',
  },
  {
    code: 'CU301',
    name: 'recurrent-dropout-disables-cudnn',
    severity: 'warning',
    summary: 'recurrent_dropout > 0 makes LSTM/GRU ineligible for the cuDNN kernel.',
  },
  {
    code: 'CU302',
    name: 'cudnn-criteria-not-met',
    severity: 'info',
    summary: 'A non-default LSTM/GRU setting rules out the cuDNN kernel.',
  },
  {
    code: 'TR401',
    name: 'output-activation-loss-mismatch',
    severity: 'warning',
    summary: "The loss does not fit the output layer's activation.",
  },
  {
    code: 'TR402',
    name: 'learning-rate-out-of-range',
    severity: 'warning',
    summary: 'The learning rate is outside the usual range for the optimizer.',
  },
];

export const RULES_BY_CODE: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.code, r]));

/** Where a rule's documentation lives, relative to the project root. */
export function docPath(code: string): string {
  return `docs/rules/${code}.md`;
}

/** The public URL of a rule's documentation. */
export const DOCS_BASE = 'https://github.com/rnnlab/rnnlab/blob/main/docs/rules/';
export function docUrl(code: string): string {
  return `${DOCS_BASE}${code}.md`;
}
