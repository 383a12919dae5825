/**
 * The benchmarks' realistic inputs, generated from a fixed seed: a ~2,000-line Keras file and a
 * 200-cell notebook. Call order matters (one seeded stream): kerasFile() first, then notebook().
 */
import { Rng } from '../../kernels/random';

/** The kernel's seeded generator (mulberry32), as a function: the same seed, the same inputs. */
function seeded(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

const rng = seeded(2024);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const UNITS = [16, 32, 48, 64, 96, 128, 256] as const;
const RATES = ['0.1', '0.2', '0.25', '0.3', '0.5'] as const;
const RNN = ['LSTM', 'GRU', 'SimpleRNN'] as const;

const HEADER = `"""Experiments: recurrent models for sensor forecasting and text classification."""
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers, optimizers, callbacks

SEED = 42
np.random.seed(SEED)
tf.random.set_seed(SEED)

DATA_DIR = Path(os.environ.get("DATA_DIR", "data"))
WINDOW = 48
HORIZON = 12
FEATURES = 7
VOCAB = 20000
MAXLEN = 200
EMBED_DIM = 128
BATCH_SIZE = 64
EPOCHS = 30
`;

/** Plain numpy/pandas code the analyzer must walk past. */
function dataBlock(i: number): string {
  return `

def load_frame_${i}(name="sensors_${i}.csv"):
    df = pd.read_csv(DATA_DIR / name, parse_dates=["timestamp"]).set_index("timestamp")
    df = df.resample("10min").mean().interpolate(limit=6)
    df["hour_sin"] = np.sin(2 * np.pi * df.index.hour / 24)
    df["hour_cos"] = np.cos(2 * np.pi * df.index.hour / 24)
    stats = {c: (df[c].mean(), df[c].std() + 1e-8) for c in df.columns}
    for column, (mean, std) in stats.items():
        df[column] = (df[column] - mean) / std
    return df, stats


def make_windows_${i}(values, window=WINDOW, horizon=HORIZON):
    xs, ys = [], []
    for start in range(len(values) - window - horizon):
        xs.append(values[start : start + window])
        ys.append(values[start + window : start + window + horizon, 0])
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.float32)
`;
}

function sequentialBlock(i: number): string {
  const rnn = pick(RNN);
  const a = pick(UNITS);
  const b = pick(UNITS);
  const rate = pick(RATES);
  return `

def build_stacked_${i}(units=(${a}, ${b}), dropout=${rate}, window=WINDOW, features=FEATURES):
    """Stacked ${rnn} forecaster, experiment ${i}."""
    model = keras.Sequential(name="stacked_${i}")
    model.add(keras.Input(shape=(window, features)))
    for k, u in enumerate(units):
        last = k == len(units) - 1
        model.add(layers.${rnn}(u, return_sequences=not last, dropout=dropout))
        model.add(layers.LayerNormalization())
    model.add(layers.Dropout(${rate}))
    model.add(layers.Dense(HORIZON))
    model.compile(optimizer=optimizers.Adam(learning_rate=1e-3), loss="mse", metrics=["mae"])
    return model
`;
}

function functionalBlock(i: number): string {
  const u = pick(UNITS);
  const rate = pick(RATES);
  return `

def build_seq2seq_${i}(latent_dim=${u}, enc_tokens=71, dec_tokens=93):
    encoder_inputs = keras.Input(shape=(None, enc_tokens), name="encoder_${i}")
    encoder = layers.LSTM(latent_dim, return_state=True, dropout=${rate})
    _, state_h, state_c = encoder(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, dec_tokens), name="decoder_${i}")
    decoder = layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoded, _, _ = decoder(decoder_inputs, initial_state=[state_h, state_c])
    outputs = layers.TimeDistributed(layers.Dense(dec_tokens, activation="softmax"))(decoded)
    model = keras.Model([encoder_inputs, decoder_inputs], outputs, name="seq2seq_${i}")
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    return model
`;
}

function textBlock(i: number): string {
  const u = pick(UNITS);
  const rate = pick(RATES);
  const rnn = pick(['LSTM', 'GRU'] as const);
  return `

text_model_${i} = keras.Sequential(
    [
        keras.Input(shape=(MAXLEN,), dtype="int32"),
        layers.Embedding(VOCAB, EMBED_DIM),
        layers.SpatialDropout1D(${rate}),
        layers.Bidirectional(layers.${rnn}(${u}, return_sequences=True)),
        layers.Bidirectional(layers.${rnn}(${u} // 2)),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(1, activation="sigmoid"),
    ],
    name="text_${i}",
)
text_model_${i}.compile(
    optimizer=optimizers.Adam(3e-4), loss="binary_crossentropy", metrics=["accuracy"]
)
`;
}

function hybridBlock(i: number): string {
  const f = pick(UNITS);
  const u = pick(UNITS);
  return `

seq_in_${i} = keras.Input(shape=(WINDOW, FEATURES), name="sequence_${i}")
meta_in_${i} = keras.Input(shape=(5,), name="meta_${i}")
h = layers.Conv1D(${f}, 5, padding="causal", activation="relu")(seq_in_${i})
h = layers.MaxPooling1D(2)(h)
h = layers.GRU(${u}, return_sequences=True)(h)
h = layers.GlobalAveragePooling1D()(h)
m = layers.Dense(16, activation="relu")(meta_in_${i})
h = layers.Concatenate()([h, m])
h = layers.BatchNormalization()(h)
hybrid_${i} = keras.Model(inputs=[seq_in_${i}, meta_in_${i}], outputs=layers.Dense(HORIZON)(h))
`;
}

function trainingBlock(i: number): string {
  return `

def train_${i}(model, frame, epochs=EPOCHS):
    x, y = make_windows_${i}(frame.to_numpy())
    split = int(0.8 * len(x))
    history = model.fit(
        x[:split],
        y[:split],
        validation_data=(x[split:], y[split:]),
        batch_size=BATCH_SIZE,
        epochs=epochs,
        callbacks=[callbacks.EarlyStopping(patience=5, restore_best_weights=True)],
        verbose=0,
    )
    losses = pd.DataFrame(history.history)
    losses.plot(title="experiment ${i}")
    plt.savefig(f"loss_${i}.png")
    with open(f"history_${i}.json", "w") as fh:
        json.dump({k: [float(v) for v in vs] for k, vs in history.history.items()}, fh)
    return losses["val_loss"].min()
`;
}

const BLOCKS = [sequentialBlock, functionalBlock, textBlock, hybridBlock];

/** A ~2,000-line Python file of many experiments, each with data code, builders and training. */
export function kerasFile(targetLines = 2_000): string {
  let text = HEADER;
  const lines = () => text.split('\n').length;
  const runs: string[] = [];
  for (let i = 0; lines() < targetLines - 40; i++) {
    text += dataBlock(i) + pick(BLOCKS)(i) + trainingBlock(i);
    if (text.includes(`def build_stacked_${i}(`)) runs.push(`build_stacked_${i}(units=(32, 16))`);
    if (text.includes(`def build_seq2seq_${i}(`)) runs.push(`build_seq2seq_${i}(latent_dim=64)`);
  }
  text += '\n\nif __name__ == "__main__":\n    results = {}\n';
  for (const call of runs.slice(0, 12)) {
    text += `    model = ${call}\n    model.summary()\n`;
  }
  return text;
}

/** A 200-cell notebook: markdown between code cells, magics, top-level models, training. */
export function notebook(cells = 200): string {
  const out: Array<{ cell_type: string; source: string[]; metadata: object; outputs?: [] }> = [];
  const lines = (s: string) => s.split(/(?<=\n)/);
  const code = (s: string) =>
    out.push({ cell_type: 'code', source: lines(s), metadata: {}, outputs: [] });
  code(`%matplotlib inline\n!pip install -q pandas\n${HEADER}`);
  for (let i = 0; out.length < cells; i++) {
    const kind = i % 5;
    if (kind === 0) {
      out.push({
        cell_type: 'markdown',
        source: lines(`## Experiment ${i}\n\nWindowed sensor data, recurrent model ${i}.\n`),
        metadata: {},
      });
    } else if (kind === 1) code(dataBlock(i).trim() + '\n');
    else if (kind === 2) code(pick([textBlock, hybridBlock])(i).trim() + '\n');
    else if (kind === 3) code(`${sequentialBlock(i).trim()}\n\nm_${i} = build_stacked_${i}()\n`);
    else
      code(
        `m_${i - 1}.summary()\nframe, stats = load_frame_${i - 3}()\n%time train_model(m_${i - 1}, frame)\n`,
      );
  }
  return JSON.stringify({ cells: out, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
}
