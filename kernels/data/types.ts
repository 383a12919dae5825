/**
 * Plain-array datasets for the playground. Nothing here depends on TensorFlow.js: tensors are
 * described by a flat row-major Float32Array plus a shape, so the data can be tested, cached or
 * posted to a worker and turned into `tf.tensor(data, shape)` wherever it is needed.
 */

/** A row-major block of float32 values and its shape (product of `shape` = `data.length`). */
export interface Tensorish {
  data: Float32Array;
  shape: number[];
}

/**
 * A ready-to-train dataset. `x` is shaped (samples, timesteps, features); `y` is (samples, 1)
 * for every built-in task. For `multiclass`, `y` holds class indices as floats (sparse labels,
 * for `sparse_categorical_crossentropy`), and `classes` says how many there are.
 */
export interface Dataset {
  name: string;
  train: { x: Tensorish; y: Tensorish };
  val: { x: Tensorish; y: Tensorish };
  description: string;
  task: 'regression' | 'binary' | 'multiclass';
  classes?: number;
  /** For character tasks: the character behind each one-hot channel / class index. */
  vocabulary?: string[];
}
