/** Embedding: integer ids to vectors. */
import { ok, trainable, type LayerSpec } from './types';

export const Embedding: LayerSpec = {
  type: 'Embedding',
  playground: true,
  signature: ['input_dim', 'output_dim', 'embeddings_initializer', 'embeddings_regularizer'],
  defaults: { mask_zero: false, input_length: null },
  output(cfg, [s]) {
    if (!s) return ok(null);
    return ok([...s, cfg.int('output_dim')]);
  },
  lastAxis: (cfg) => cfg.int('output_dim'),
  params(cfg) {
    const vocab = cfg.int('input_dim');
    const width = cfg.int('output_dim');
    if (vocab === null || width === null) return null;
    return trainable(vocab * width);
  },
};
