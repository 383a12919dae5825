/**
 * `rnnlab.compare` for real Keras, as exported scripts and notebooks define it: a loop over seeds
 * and variants (each run a fresh `clone_model` of the variant, the same initial weights for
 * variants whose trainable weight shapes match, the same seed before each fit) and a printed
 * table of best and final val_loss, gap, time per epoch and parameters, with the trivial
 * baseline. The paired t-tests with Holm's correction are printed when scipy is installed. The
 * numbers differ from the playground's (another generator, another backend); the method is the
 * one of docs/compare.md.
 */

/** The Python definition of `compare` (needs numpy and keras, imported here). */
export const PYTHON_COMPARE = `import itertools
import time

import keras
import numpy as np


def compare(variants, x, y, validation_data, epochs=1, batch_size=32, seeds=3):
    """RNN Lab's rnnlab.compare: trains every variant once per seed and prints a table.

    Each run trains a fresh copy (keras.models.clone_model, initialised from the seed), so the
    variants' own weights do not change; in one seed, variants whose trainable weight shapes
    match start from the same weights. Returns, per variant, the seeds and each run's best and
    final val_loss.
    """
    seeds = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    x_val, y_val = validation_data
    results = {
        name: {"seeds": [], "best_val_loss": [], "final_val_loss": [], "gap": [], "epoch_s": []}
        for name in variants
    }
    for seed in seeds:
        initial = {}
        for name, model in variants.items():
            keras.utils.set_random_seed(seed)
            run = keras.models.clone_model(model)
            run.compile_from_config(model.get_compile_config())
            shapes = tuple(tuple(w.shape) for w in run.trainable_weights)
            if shapes in initial:
                for w, value in zip(run.trainable_weights, initial[shapes]):
                    w.assign(value)
            else:
                initial[shapes] = [np.array(w.numpy()) for w in run.trainable_weights]
            keras.utils.set_random_seed(seed)  # the same batch order for every variant
            started = time.perf_counter()
            history = run.fit(
                x, y, validation_data=(x_val, y_val), epochs=epochs, batch_size=batch_size, verbose=0
            ).history
            r = results[name]
            r["seeds"].append(seed)
            r["best_val_loss"].append(float(np.min(history["val_loss"])))
            r["final_val_loss"].append(float(history["val_loss"][-1]))
            r["gap"].append(float(history["val_loss"][-1] - history["loss"][-1]))
            r["epoch_s"].append((time.perf_counter() - started) / len(history["loss"]))
            print(f"{name} (seed {seed}): best val_loss {r['best_val_loss'][-1]:.4g}")

    def spread(values, unit=""):
        values = np.asarray(values, dtype=float)
        values = values[np.isfinite(values)]
        if values.size == 0:
            return "-"
        if values.size == 1:
            return f"{values[0]:.4g}{unit}"
        return f"{values.mean():.4g}{unit} ± {values.std(ddof=1):.2g}{unit}"

    first = next(iter(variants.values()))
    try:
        # A constant prediction: the training targets' mean (for one-hot targets, the class frequencies).
        constant = np.broadcast_to(np.mean(y, axis=0), np.shape(y_val))
        loss = keras.losses.get(first.loss)
        baseline = f"{float(np.mean(keras.ops.convert_to_numpy(loss(y_val, constant)))):.4g}"
    except Exception:  # sparse labels, a custom loss: no constant of that shape
        baseline = "-"
    head = ["variant", "params", "best val_loss", "final val_loss", "gap (val - train)", "time/epoch"]
    rows = [
        [
            name,
            f"{variants[name].count_params():,}",
            spread(r["best_val_loss"]),
            spread(r["final_val_loss"]),
            spread(r["gap"]),
            spread(r["epoch_s"], " s"),
        ]
        for name, r in results.items()
    ]
    rows.append(["baseline", "-", baseline, "", "", ""])
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    def count(n, noun):
        return f"{n} {noun}{'' if n == 1 else 's'}"

    print(f"\\nComparison of {count(len(variants), 'variant')} x {count(len(seeds), 'seed')} x {count(epochs, 'epoch')}")
    for row in [head, *rows]:
        cells = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        print("  ".join(cells).rstrip())
    try:
        from scipy import stats
    except ImportError:
        print("(pip install scipy for the paired t-tests with Holm's correction)")
        return results
    pairs = []
    for a, b in itertools.combinations(results, 2):
        common = sorted(set(results[a]["seeds"]) & set(results[b]["seeds"]))
        da = dict(zip(results[a]["seeds"], results[a]["best_val_loss"]))
        db = dict(zip(results[b]["seeds"], results[b]["best_val_loss"]))
        d = np.array([da[s] - db[s] for s in common])
        if d.size >= 2:
            pairs.append((a, b, d.mean(), stats.ttest_rel([da[s] for s in common], [db[s] for s in common]).pvalue))
    # Holm's step-down correction over all pairs.
    order = sorted(range(len(pairs)), key=lambda i: pairs[i][3])
    adjusted, running = {}, 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (len(pairs) - k) * pairs[i][3]))
        adjusted[i] = running
    for i, (a, b, diff, p) in enumerate(pairs):
        verdict = "differ" if adjusted[i] < 0.05 else "within the noise"
        print(f"{a} - {b}: best val_loss {diff:+.4g}, paired t-test p = {p:.2g}, Holm-adjusted {adjusted[i]:.2g} ({verdict})")
    return results
`;
