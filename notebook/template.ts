/** The notebook "RNN Lab: New Playground" opens: an introduction, data, a model and a fit. */
import { emptyNotebook, type Cell, type Notebook } from './nbformat';

const INTRO = `# RNN Lab playground

Cells run in order in one kernel, like a Jupyter notebook: a declarative Keras subset (imports, \`rnnlab.datasets\`, layers and models, \`compile\`, \`fit\`, \`evaluate\`, \`predict\`, \`summary\`, \`print\`) trained with TensorFlow.js in a worker thread. Same seed, same curves (setting \`rnnlab.kernel.seed\`).

The model below forecasts a noisy sine. \`LSTM(dropout=...)\` drops inputs with one mask per sequence; try \`recurrent_dropout\`, or a \`Dropout\` layer, and compare the validation curves. Hover a layer for its output shape.`;

const DATA = `import keras
from keras import layers
from rnnlab import datasets

T = 50
(x_train, y_train), (x_val, y_val) = datasets.sine(samples=1000, timesteps=T, noise=0.05, seed=0)
print(x_train.shape, y_train.shape, x_val.shape)`;

const MODEL = `model = keras.Sequential([
    keras.Input(shape=(T, 1)),
    layers.LSTM(32, dropout=0.1),
    layers.Dense(1),
], name="forecaster")
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
model.summary()`;

const FIT = `history = model.fit(x_train, y_train, epochs=10, batch_size=32, validation_data=(x_val, y_val))
print(model.evaluate(x_val, y_val))`;

/** A cell with no outputs, never run. */
export function cell(kind: Cell['kind'], source: string): Cell {
  return { kind, source, metadata: { metadata: {} }, executionCount: null, outputs: [] };
}

/** A new playground (a fresh object every call). */
export function playgroundTemplate(): Notebook {
  const nb = emptyNotebook();
  nb.cells = [cell('markdown', INTRO), cell('code', DATA), cell('code', MODEL), cell('code', FIT)];
  return nb;
}
