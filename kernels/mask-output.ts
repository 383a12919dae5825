/**
 * The output of `rnnlab.show_masks(model, x)`: the dropout masks one training-mode forward pass
 * applied to the first sample, as saved in the notebook under MASKS_MIME, validated on reading,
 * and described in one line per mask. Pure: the webview renders it (and may import this module),
 * the kernel writes it with its SVG picture and its text.
 */

/** Mime type of a masks output, read by the notebook renderer. */
export const MASKS_MIME = 'application/vnd.rnnlab.masks+json';
export const MASKS_SCHEMA_VERSION = 1;

/**
 * Where a mask comes from: a `Dropout` or `SpatialDropout1D` layer, `TimeDistributed(Dropout)`,
 * or a recurrent layer's `dropout=` (its inputs) or `recurrent_dropout=` (its state).
 */
export type MaskKind =
  'Dropout' | 'SpatialDropout1D' | 'TimeDistributed' | 'dropout' | 'recurrent_dropout';
export const MASK_KINDS: readonly MaskKind[] = [
  'Dropout',
  'SpatialDropout1D',
  'TimeDistributed',
  'dropout',
  'recurrent_dropout',
];

/** The gate of a per-gate recurrent mask: GRU z, r, h; LSTM i, f, c, o (Keras's order). */
export type Gate = 'z' | 'r' | 'h' | 'i' | 'f' | 'c' | 'o';
export const GATES: readonly Gate[] = ['z', 'r', 'h', 'i', 'f', 'c', 'o'];

/** One mask, as the layer applied it to the sample. */
export interface MaskEntry {
  /** The layer's Keras name (the wrapper's for Bidirectional and TimeDistributed). */
  layer: string;
  kind: MaskKind;
  /** Null for a mask shared by all gates (or a layer without gates). */
  gate: Gate | null;
  /** Set inside Bidirectional. */
  direction: 'forward' | 'backward' | null;
  /** The layer's `noise_shape` (null entries take the input's size), or null. */
  noiseShape: Array<number | null> | null;
  timesteps: number;
  /** The size of the masked axis: the features for Dropout kinds and `dropout=`, the state for `recurrent_dropout=`. */
  units: number;
  /** timesteps x units: 1 kept, 0 dropped. */
  kept: Array<Array<0 | 1>>;
}

export interface MasksOutput {
  version: number;
  /** The index in x of the sample shown. */
  sample: number;
  masks: MaskEntry[];
}

// ---- validation -------------------------------------------------------------------------------

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

function entryProblem(m: unknown, at: string): string | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return `${at} is not an object`;
  const e = m as Record<string, unknown>;
  if (typeof e['layer'] !== 'string') return `${at}.layer should be a string`;
  if (!MASK_KINDS.includes(e['kind'] as MaskKind))
    return `${at}.kind should be one of ${MASK_KINDS.join(', ')}`;
  if (e['gate'] !== null && !GATES.includes(e['gate'] as Gate))
    return `${at}.gate should be null or one of ${GATES.join(', ')}`;
  if (e['direction'] !== null && e['direction'] !== 'forward' && e['direction'] !== 'backward')
    return `${at}.direction should be null, forward or backward`;
  const ns = e['noiseShape'];
  if (ns !== null && !(Array.isArray(ns) && ns.every((d) => d === null || Number.isInteger(d))))
    return `${at}.noiseShape should be null or a list of sizes and nulls`;
  const t = e['timesteps'];
  const u = e['units'];
  if (!isCount(t)) return `${at}.timesteps should be a whole number >= 1`;
  if (!isCount(u)) return `${at}.units should be a whole number >= 1`;
  const kept = e['kept'];
  if (!Array.isArray(kept) || kept.length !== t) return `${at}.kept should have ${t} rows`;
  for (const [i, row] of kept.entries()) {
    if (!Array.isArray(row) || row.length !== u) return `${at}.kept[${i}] should have ${u} entries`;
    if (!row.every((v) => v === 0 || v === 1)) return `${at}.kept[${i}] should hold only 0 and 1`;
  }
  return null;
}

/** A masks output read from JSON, or what is wrong with it. */
export function readMasks(value: unknown): MasksOutput | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'the masks output is not an object';
  const o = value as Record<string, unknown>;
  if (o['version'] !== MASKS_SCHEMA_VERSION)
    return `the masks output has schema version ${String(o['version'])}, this RNN Lab reads version ${MASKS_SCHEMA_VERSION}`;
  if (!Number.isInteger(o['sample']) || (o['sample'] as number) < 0)
    return 'the masks output has no sample index';
  if (!Array.isArray(o['masks'])) return 'the masks output has no list of masks';
  for (const [i, m] of o['masks'].entries()) {
    const p = entryProblem(m, `masks[${i}]`);
    if (p) return p;
  }
  return value as MasksOutput;
}

// ---- what a mask shows ------------------------------------------------------------------------

/** The counts a caption states. */
export interface MaskFacts {
  timesteps: number;
  units: number;
  dropped: number;
  /** Every row is the same mask. */
  sameEveryTimestep: boolean;
  /** Every row is all kept or all dropped. */
  wholeTimesteps: boolean;
  /** Rows with every unit dropped. */
  timestepsDropped: number;
  /** Units dropped in the first row (the count when every row is the same). */
  unitsDroppedFirst: number;
}

export function maskFacts(m: Pick<MaskEntry, 'timesteps' | 'units' | 'kept'>): MaskFacts {
  let dropped = 0;
  let timestepsDropped = 0;
  let wholeTimesteps = true;
  let sameEveryTimestep = true;
  const first = m.kept[0] ?? [];
  for (const row of m.kept) {
    let zeros = 0;
    for (let u = 0; u < row.length; u++) {
      if (row[u] === 0) zeros++;
      if (sameEveryTimestep && row[u] !== first[u]) sameEveryTimestep = false;
    }
    dropped += zeros;
    if (zeros === row.length) timestepsDropped++;
    else if (zeros !== 0) wholeTimesteps = false;
  }
  const unitsDroppedFirst = first.filter((v) => v === 0).length;
  return {
    timesteps: m.timesteps,
    units: m.units,
    dropped,
    sameEveryTimestep,
    wholeTimesteps,
    timestepsDropped,
    unitsDroppedFirst,
  };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * The fact a mask shows, with its numbers, in one line: "12 of 50 timesteps dropped entirely",
 * "the same 154 of 512 units dropped at every timestep", "a new mask at every timestep: 31% of
 * units dropped on average". Read from the mask itself, never from its layer's settings.
 */
export function maskCaption(m: Pick<MaskEntry, 'timesteps' | 'units' | 'kept'>): string {
  const f = maskFacts(m);
  const cells = f.timesteps * f.units;
  if (f.dropped === 0)
    return f.units === 1
      ? 'nothing dropped: the one unit kept'
      : `nothing dropped: all ${f.units} units kept`;
  if (f.dropped === cells) return 'everything dropped: every unit at every timestep';
  if (f.timesteps === 1) return `${f.unitsDroppedFirst} of ${count(f.units, 'unit')} dropped`;
  if (f.sameEveryTimestep)
    return `the same ${f.unitsDroppedFirst} of ${count(f.units, 'unit')} dropped at every timestep`;
  if (f.wholeTimesteps)
    return `${f.timestepsDropped} of ${count(f.timesteps, 'timestep')} dropped entirely`;
  const percent = Math.round((100 * f.dropped) / cells);
  return `a new mask at every timestep: ${percent}% of units dropped on average`;
}

/** The mask's name, as its heading reads: `lstm · dropout= · gate i · forward`. */
export function maskTitle(m: MaskEntry): string {
  const kind =
    m.kind === 'dropout'
      ? 'dropout= (inputs)'
      : m.kind === 'recurrent_dropout'
        ? 'recurrent_dropout= (state)'
        : m.kind === 'TimeDistributed'
          ? 'TimeDistributed(Dropout)'
          : m.kind;
  // SpatialDropout1D's noise shape is its definition, not a setting: its name says it.
  const noise =
    m.noiseShape && m.kind !== 'SpatialDropout1D'
      ? ` noise_shape=(${m.noiseShape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${m.noiseShape.length === 1 ? ',' : ''})`
      : '';
  const parts = [m.layer, `${kind}${noise}`];
  if (m.gate) parts.push(`gate ${m.gate}`);
  if (m.direction) parts.push(m.direction);
  return parts.join(' · ');
}

/**
 * The size of a heatmap's cells for a plot at most `maxW` x `maxH` px (both views draw masks
 * alike): whole pixels, at most `maxCell`, at most twice as wide as tall and no taller than wide
 * (one-pixel columns get two-pixel rows), so that neither axis looks stretched.
 */
export function cellSize(
  m: Pick<MaskEntry, 'timesteps' | 'units'>,
  maxW: number,
  maxH: number,
  maxCell: number,
): { w: number; h: number } {
  const fit = (room: number, n: number) => Math.max(1, Math.min(maxCell, Math.floor(room / n)));
  const rows = fit(maxH, m.timesteps);
  const w = Math.min(fit(maxW, m.units), 2 * rows);
  return { w, h: Math.min(rows, Math.max(w, 2)) };
}

/** `50 timesteps × 3 units`. */
export function maskSize(m: Pick<MaskEntry, 'timesteps' | 'units'>): string {
  return `${count(m.timesteps, 'timestep')} × ${count(m.units, 'unit')}`;
}

/** The output as text (the terminal, viewers without the renderer): a line per mask. */
export function masksText(o: MasksOutput): string {
  const lines = [
    `Dropout masks applied to sample ${o.sample} in one training-mode forward pass (weights unchanged):`,
  ];
  for (const m of o.masks) lines.push(`  ${maskTitle(m)} [${maskSize(m)}]: ${maskCaption(m)}`);
  return lines.join('\n');
}
