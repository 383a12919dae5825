/**
 * `RNN(cell)` and its cells: `RNN(LSTMCell(u))` is `LSTM(u)` in shapes and weights, a list of
 * cells or `StackedRNNCells([...])` runs them one after another at each step (each cell's input is
 * the previous cell's output). Keras 3 (keras/src/layers/rnn/rnn.py, stacked_rnn_cells.py);
 * tf.keras 2 counts the same. Analyzer-only: the playground trains the layer forms.
 */
import type { LayerNode, Shape } from '../graph';
import { asItems, bool, int, NONE, type Value } from '../python/values';
import { GRU, LSTM, recurrentOutput, SimpleRNN } from './recurrent';
import { Config, ok, type LayerSpec, type Outcome, type Params } from './types';

/** A cell: the weights of its layer form; called on its own (with states) its output is unknown. */
function cell(type: string, layer: LayerSpec): LayerSpec {
  return {
    type,
    playground: false,
    signature: layer.signature,
    defaults: Object.fromEntries(
      Object.entries(layer.defaults).filter(
        ([k]) =>
          !['return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll'].includes(k),
      ),
    ),
    output: () => ok(null),
    countsLastAxis: () => true,
    params: layer.params,
  };
}

export const SimpleRNNCell = cell('SimpleRNNCell', SimpleRNN);
export const LSTMCell = cell('LSTMCell', LSTM);
export const GRUCell = cell('GRUCell', GRU);

/** How many state tensors each cell carries (`state_size`). */
const STATES: Readonly<Record<string, number>> = { SimpleRNNCell: 1, LSTMCell: 2, GRUCell: 1 };

/** The cells a `cell=` value stands for, in order (a stack flattened); null where unknown. */
function cellsOf(v: Value | undefined): LayerNode[] | null {
  if (!v) return null;
  if (v.kind === 'layer') {
    if (v.layer.type !== 'StackedRNNCells') return [v.layer];
    return cellsOf(v.layer.config['cells']);
  }
  const items = asItems(v);
  if (!items || items.length === 0) return null;
  const out: LayerNode[] = [];
  for (const item of items) {
    const inner = cellsOf(item);
    if (!inner) return null;
    out.push(...inner);
  }
  return out;
}

/**
 * The cells an `RNN` layer runs, in order (a stack flattened), or null where unknown. The first
 * one sees the RNN's input: its `dropout=` is the one on the input sequence.
 */
export function rnnCells(rnn: LayerNode): LayerNode[] | null {
  return rnn.type === 'RNN' ? cellsOf(rnn.config['cell']) : null;
}

/** The cell classes the analyzer models, with `dropout=`/`recurrent_dropout=` arguments. */
export const CELL_TYPES: ReadonlySet<string> = new Set(['SimpleRNNCell', 'LSTMCell', 'GRUCell']);

/** A cell's output size (its units), or null for a cell the analyzer does not model. */
function outputSize(c: LayerNode): number | null {
  if (!(c.type in STATES)) return null;
  const units = c.config['units'];
  return units?.kind === 'int' ? units.value : null;
}

/** The summed weights of cells run one after another on steps of `inDim` features. */
function stackParams(
  cells: LayerNode[],
  inDim: number | null,
  count: (c: LayerNode, input: Shape) => Params | null,
): Params | null {
  let total: Params = { trainable: 0, nonTrainable: 0 };
  let width = inDim;
  for (const c of cells) {
    if (width === null) return null;
    const p = count(c, [null, width]);
    if (!p) return null;
    total = {
      trainable: total.trainable + p.trainable,
      nonTrainable: total.nonTrainable + p.nonTrainable,
    };
    width = outputSize(c);
  }
  return total;
}

export const StackedRNNCells: LayerSpec = {
  type: 'StackedRNNCells',
  playground: false,
  signature: ['cells'],
  defaults: {},
  output: () => ok(null),
  countsLastAxis: () => true,
  params(cfg, [s], ctx) {
    const cells = cellsOf(cfg.get('cells'));
    if (!cells || !s) return null;
    return stackParams(cells, s[s.length - 1] ?? null, (c, input) => ctx.params(c, [input]));
  },
};

/** RNN's outputs: the last cell's units, and every cell's states (h, and c for an LSTM cell). */
function rnnOutput(cfg: Config, s: Shape | null): Outcome {
  const cells = cellsOf(cfg.get('cell'));
  const sizes = cells ? cells.map(outputSize) : null;
  const units = sizes && !sizes.includes(null) ? sizes[sizes.length - 1]! : null;
  const withState = cfg.bool('return_state');
  // The last output alone: its rank is known even where the cells are not.
  const out = recurrentOutput(
    new Config({
      ...cfg.values,
      units: units === null ? NONE : int(units),
      return_state: bool(false),
    }),
    s,
    0,
  );
  if (withState === false || !('shapes' in out)) return out;
  if (withState === null || !cells || units === null) return ok(null);
  const batch = s ? (s[0] ?? null) : null;
  const states = cells.flatMap((c) =>
    Array.from({ length: STATES[c.type]! }, (): Shape => [batch, outputSize(c)]),
  );
  return ok(out.shapes[0] ?? null, ...states);
}

export const RNN: LayerSpec = {
  type: 'RNN',
  playground: false,
  signature: ['cell', 'return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll'],
  defaults: {
    return_sequences: false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    unroll: false,
  },
  wrapper: true,
  output(cfg, [s]) {
    if (s && s.length < 3) return ok(null);
    return rnnOutput(cfg, s ?? null);
  },
  countsLastAxis: () => true,
  params(cfg, [s], ctx) {
    const cells = cellsOf(cfg.get('cell'));
    if (!cells || !s) return null;
    return stackParams(cells, s[s.length - 1] ?? null, (c, input) => ctx.params(c, [input]));
  },
};
