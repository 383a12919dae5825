/**
 * A built-in data set whose shapes fit a model, for a playground made from a model of a `.py` or
 * `.ipynb` file (which has no playground data): the input (timesteps, features) and the kind of
 * output decide. Where none fits, a `datasets.csv(...)` line with comments saying what to fill in.
 * Pure.
 */

/** The model's side: input shape without the batch axis, output units and activation, loss. */
export interface ModelShape {
  input: (number | null)[] | null;
  units: number | null;
  activation: string | null;
  loss: string | null;
}

export interface DataSuggestion {
  /** The cell's code: comments, then `(x_train, y_train), (x_val, y_val) = datasets....`. */
  code: string;
  /** Whether the code runs as is (false: a csv placeholder to fill in). */
  ready: boolean;
}

const REGRESSION_LOSSES = new Set([
  'mse',
  'mae',
  'mean_squared_error',
  'mean_absolute_error',
  'huber',
]);
const SPLIT = '(x_train, y_train), (x_val, y_val)';
/** Timesteps for an input of unknown length. */
const DEFAULT_T = 50;

function kind(m: ModelShape): 'regression' | 'binary' | 'multiclass' | null {
  const a = m.activation;
  if (m.units === 1 && a === 'sigmoid') return 'binary';
  if (m.units !== null && m.units > 1 && a === 'softmax') return 'multiclass';
  if (m.units === 1 && (a === 'linear' || a === null)) return 'regression';
  if (m.loss && REGRESSION_LOSSES.has(m.loss)) return 'regression';
  return null;
}

/** A data set of the model's input shape and output kind, or a placeholder to fill in. */
export function suggestDataset(m: ModelShape): DataSuggestion {
  const shape = m.input;
  const what = kind(m);
  if (shape && shape.length === 2 && shape[1] !== null) {
    const F = shape[1]!;
    const T = shape[0];
    const t = T ?? DEFAULT_T;
    const note =
      T === null
        ? [`# The model takes sequences of any length; these have ${DEFAULT_T} timesteps.`]
        : [];
    const ready = (call: string, why: string): DataSuggestion => ({
      code: [`# ${why}`, ...note, `${SPLIT} = datasets.${call}`].join('\n'),
      ready: true,
    });
    if (what === 'regression') {
      if (F === 2)
        return ready(
          `adding_problem(samples=1000, timesteps=${t}, seed=0)`,
          `A built-in data set of the model's input shape (${t}, 2) and one regression target: the adding problem.`,
        );
      return ready(
        `sine(samples=1000, timesteps=${t}, features=${F}, seed=0)`,
        `A built-in data set of the model's input shape (${t}, ${F}) and one regression target: noisy sine windows.`,
      );
    }
    if (what === 'binary' && F === 1)
      return ready(
        `parity(samples=1000, timesteps=${t}, seed=0)`,
        `A built-in data set of the model's input shape (${t}, 1) and a binary target: parity of a bit sequence.`,
      );
    if (what === 'multiclass') {
      const symbols = m.units!;
      const memory = F - symbols - 2;
      if (memory >= 1 && t > memory)
        return ready(
          `copy_memory(samples=1000, timesteps=${t}, symbols=${symbols}, memory=${memory}, seed=0)`,
          `A built-in data set of the model's input shape (${t}, ${F}) and ${symbols} classes: copy memory.`,
        );
    }
  }
  const shown = shape ? `(${shape.map((d) => (d === null ? 'None' : d)).join(', ')})` : 'unknown';
  const window = shape && shape.length === 2 && shape[0] !== null ? shape[0] : DEFAULT_T;
  const output =
    what === null
      ? 'this output'
      : what === 'regression'
        ? 'one regression target'
        : `a ${what} output`;
  return {
    code: [
      `# No built-in data set has the model's input shape ${shown} and ${output}.`,
      '# Put a CSV time series beside this notebook (a header row, one column per feature),',
      '# name the column to predict in target=, and match the model to its windows (datasets.csv',
      '# gives regression windows of shape (window, features) and one target value each).',
      `${SPLIT} = datasets.csv("data.csv", window=${window}, target="target")`,
    ].join('\n'),
    ready: false,
  };
}
