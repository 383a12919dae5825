/**
 * Python (numpy) versions of RNN Lab's built-in data sets, for exported scripts and notebooks.
 * They make the same tasks with the same shapes and split as kernels/data (x: (samples,
 * timesteps, features) float32, y: (samples, 1) float32, the last validation_split of the samples
 * validate), from numpy's random generator: the numbers differ from the playground's.
 */
import { CORPUS } from './corpus';

/** The data set functions the exporter can write (`csv` is also reachable as `load_csv`). */
export const PYTHON_DATASETS = [
  'sine',
  'adding_problem',
  'copy_memory',
  'parity',
  'text_chars',
  'csv',
] as const;
export type PythonDataset = (typeof PYTHON_DATASETS)[number];

const HELPERS = `def _train_count(samples, validation_split):
    """How many of the first samples train (as Keras's validation_split: the rest validate)."""
    if not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
    n = int(np.floor(samples * (1 - validation_split) + 1e-7))
    if n < 1:
        raise ValueError(f"validation_split={validation_split} leaves no training samples of {samples}")
    return n


def _split(x, y, validation_split):
    n = _train_count(len(x), validation_split)
    return (x[:n], y[:n]), (x[n:], y[n:])`;

const SINE = `    @staticmethod
    def sine(samples=1000, timesteps=50, features=1, horizon=1, noise=0.05, validation_split=0.2, seed=0):
        """Predict the next value of noisy sine mixtures.

        Every sample and feature is the mean of 1 to 3 sine waves (amplitude 0.5-1, period 6-60
        steps, random phase) plus Gaussian noise of standard deviation \`noise\`. x holds
        \`timesteps\` steps of every feature; y is feature 0, \`horizon\` steps after the window.
        """
        rng = np.random.default_rng(seed)
        shape = (samples, features, 3)
        waves = rng.integers(1, 4, size=(samples, features, 1))
        amplitude = rng.uniform(0.5, 1.0, size=shape) * (np.arange(3) < waves)
        omega = 2 * np.pi * rng.uniform(1 / 60, 1 / 6, size=shape)
        phase = rng.uniform(0, 2 * np.pi, size=shape)
        t = np.arange(timesteps + horizon)
        clean = (amplitude[..., None] * np.sin(omega[..., None] * t + phase[..., None])).sum(axis=2)
        series = clean / waves + noise * rng.standard_normal(clean.shape)
        x = series[:, :, :timesteps].transpose(0, 2, 1).astype("float32")
        y = series[:, :1, timesteps - 1 + horizon].astype("float32")
        return _split(x, y, validation_split)`;

const ADDING = `    @staticmethod
    def adding_problem(samples=1000, timesteps=50, validation_split=0.2, seed=0):
        """The adding problem: add the two marked numbers of a long sequence.

        Channel 0 holds uniform numbers in [0, 1); channel 1 marks one step in each half of the
        sequence. y is the sum of the two marked numbers.
        """
        rng = np.random.default_rng(seed)
        values = rng.uniform(0.0, 1.0, size=(samples, timesteps)).astype("float32")
        half = timesteps // 2
        rows = np.arange(samples)
        first = rng.integers(0, half, size=samples)
        second = rng.integers(half, timesteps, size=samples)
        marks = np.zeros((samples, timesteps), dtype="float32")
        marks[rows, first] = 1.0
        marks[rows, second] = 1.0
        x = np.stack([values, marks], axis=-1)
        y = (values[rows, first] + values[rows, second])[:, None]
        return _split(x, y, validation_split)`;

const COPY = `    @staticmethod
    def copy_memory(samples=1000, timesteps=30, symbols=8, memory=5, validation_split=0.2, seed=0):
        """Recall a symbol after a delay (sparse labels, \`symbols\` classes).

        One-hot channels: 0..symbols-1 the symbols shown in the first \`memory\` steps, then a
        blank channel for the waiting steps, a delimiter on the last step, and on that last step
        the queried position (one of \`memory\` channels). y is the symbol shown there.
        """
        if timesteps <= memory:
            raise ValueError(f"timesteps ({timesteps}) must exceed memory ({memory})")
        rng = np.random.default_rng(seed)
        features = symbols + 2 + memory
        rows = np.arange(samples)
        shown = rng.integers(0, symbols, size=(samples, memory))
        query = rng.integers(0, memory, size=samples)
        x = np.zeros((samples, timesteps, features), dtype="float32")
        for t in range(memory):
            x[rows, t, shown[:, t]] = 1.0
        x[:, memory : timesteps - 1, symbols] = 1.0
        x[:, -1, symbols + 1] = 1.0
        x[rows, -1, symbols + 2 + query] = 1.0
        y = shown[rows, query][:, None].astype("float32")
        return _split(x, y, validation_split)`;

const PARITY = `    @staticmethod
    def parity(samples=1000, timesteps=20, validation_split=0.2, seed=0):
        """Is the number of ones in a random bit sequence odd? (binary labels)"""
        rng = np.random.default_rng(seed)
        bits = rng.integers(0, 2, size=(samples, timesteps))
        x = bits[..., None].astype("float32")
        y = (bits.sum(axis=1) % 2)[:, None].astype("float32")
        return _split(x, y, validation_split)`;

const TEXT = `    @staticmethod
    def text_chars(samples=2000, timesteps=40, validation_split=0.2, seed=0):
        """Predict the next character of RNN Lab's small corpus (one-hot x, sparse labels).

        Training windows come from the first part of the text, validation windows from the rest.
        """
        rng = np.random.default_rng(seed)
        vocabulary = sorted(set(_CORPUS))
        codes = np.array([vocabulary.index(c) for c in _CORPUS])
        n_train = _train_count(samples, validation_split)
        n_val = samples - n_train
        cut = int(len(codes) * (1 - validation_split)) if n_val else len(codes)
        if min(cut, len(codes) - cut if n_val else cut) <= timesteps:
            raise ValueError(f"timesteps={timesteps} is too long for the corpus with this split")
        starts = np.concatenate([
            rng.integers(0, cut - timesteps, size=n_train),
            rng.integers(cut, len(codes) - timesteps, size=n_val),
        ])
        windows = codes[starts[:, None] + np.arange(timesteps + 1)]
        x = np.eye(len(vocabulary), dtype="float32")[windows[:, :timesteps]]
        y = windows[:, timesteps:].astype("float32")
        return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])`;

const CSV = `    @staticmethod
    def csv(path, window, target, horizon=1, features=None, validation_split=0.2):
        """Windows of a CSV time series: x = \`window\` rows of the feature columns, y = the
        target column \`horizon\` rows after each window's last row. The split is chronological.
        In the playground the path is relative to the notebook's folder; here, to the current one.
        """
        import csv as csv_module

        with open(path, newline="", encoding="utf-8-sig") as f:
            records = [r for r in csv_module.reader(f) if any(c.strip() for c in r)]
        header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(records[0])]
        rows = records[1:]

        def numeric(text):
            try:
                float(text)
                return True
            except ValueError:
                return False

        if features is None:
            features = [h for i, h in enumerate(header) if numeric(rows[0][i])]
        elif isinstance(features, str):
            features = [features]
        columns = [header.index(name) for name in features]
        table = np.array([[float(r[c]) for c in columns] for r in rows], dtype="float32")
        labels = np.array([float(r[header.index(target)]) for r in rows], dtype="float32")
        count = len(rows) - window - horizon + 1
        if count < 1:
            raise ValueError(f"window={window} with horizon={horizon} needs more than {len(rows)} rows")
        x = np.stack([table[i : i + window] for i in range(count)])
        y = labels[window - 1 + horizon : window - 1 + horizon + count, None]
        return _split(x, y, validation_split)

    load_csv = csv`;

const BODIES: Record<PythonDataset, string> = {
  sine: SINE,
  adding_problem: ADDING,
  copy_memory: COPY,
  parity: PARITY,
  text_chars: TEXT,
  csv: CSV,
};

/** The corpus as a Python string literal, in lines of at most ~90 characters. */
function corpusLiteral(): string {
  const chunks: string[] = [];
  for (let i = 0; i < CORPUS.length; i += 80) chunks.push(CORPUS.slice(i, i + 80));
  // A JSON string of printable ASCII is also a valid Python string literal.
  return `_CORPUS = (\n${chunks.map((c) => `    ${JSON.stringify(c)}`).join('\n')}\n)`;
}

/**
 * The Python definitions of `datasets` with the given functions: numpy import, helpers and a
 * `datasets` namespace class, ready to paste at the top of a script or into a notebook cell.
 */
export function pythonDatasets(names: readonly PythonDataset[]): string {
  const wanted = PYTHON_DATASETS.filter((n) => names.includes(n));
  const parts = [
    "# RNN Lab's data sets, re-implemented with numpy: the same tasks, shapes and split as",
    '# `from rnnlab import datasets` in the playground, but not the same random numbers.',
    'import numpy as np',
    '',
    '',
    HELPERS,
  ];
  if (wanted.includes('text_chars')) parts.push('', '', corpusLiteral());
  parts.push(
    '',
    '',
    'class datasets:',
    '    """The data sets of the playground\'s `rnnlab.datasets` module."""',
    '',
    wanted.map((n) => BODIES[n]).join('\n\n'),
  );
  return `${parts.join('\n')}\n`;
}
