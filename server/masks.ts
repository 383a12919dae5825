/**
 * What a dropout's mask is under each framework RNN Lab targets, for the hover: one line each
 * for Keras 3, tf.keras 2 and TensorFlow.js. The facts are RULES.md's (1-4, 6, 7) and the doc
 * comment of kernels/tfjs/layers/recurrent.ts, checked against the sources: Keras 3 keeps
 * `dropout=` and `recurrent_dropout=` masks for a whole sequence, and from 3.8 draws one per gate
 * when `recurrent_dropout` is set (keras-team/keras#20656 for GRU, #20663 for LSTM); tf.keras 2
 * draws the input mask per timestep, shared by the gates, when the layer is cuDNN-eligible
 * (keras-team/keras#19993), and per sequence otherwise; TensorFlow.js keeps one mask per
 * sequence and applies the first of its per-gate masks to every gate. Pure.
 */
import type { LayerNode } from '../analyzer/graph';
import { asInt, asItems, asNumber, type Value } from '../analyzer/python/values';
import { cudnnFailures, recurrentCore } from '../lint/model';

export type Framework = 'Keras 3' | 'tf.keras 2' | 'TensorFlow.js';

/** One framework's mask, in a line. */
export interface MaskFact {
  framework: Framework;
  text: string;
}

const issue = (n: number) =>
  `[keras-team/keras#${n}](https://github.com/keras-team/keras/issues/${n})`;

const all = (text: string): MaskFact[] =>
  (['Keras 3', 'tf.keras 2', 'TensorFlow.js'] as const).map((framework) => ({ framework, text }));

/** A rate that applies a mask (0 < rate), null when unknown. */
function rateOf(v: Value | undefined): number | null {
  if (v === undefined) return 0;
  return asNumber(v);
}

/** The timesteps of the layer's (first) input, when known: `at each of the 50 timesteps`. */
function timesteps(layer: LayerNode): number | null {
  const shape = layer.calls[0]?.inputs[0]?.shape;
  return shape && shape.length === 3 ? shape[1]! : null;
}

function dropoutLayer(layer: LayerNode): MaskFact[] | null {
  const rate = rateOf(layer.config['rate']);
  if (rate === null || rate <= 0) return null;
  const shape = layer.calls[0]?.inputs[0]?.shape ?? null;
  const t = timesteps(layer);
  const every = t === null ? 'at every timestep' : `at each of the ${t} timesteps`;
  let text: string;
  if (layer.type === 'SpatialDropout1D') {
    text = 'one mask per sequence: the same units dropped at every timestep';
  } else {
    const noise = layer.config['noise_shape'];
    const items = noise && noise.kind !== 'none' ? asItems(noise) : null;
    if (!items) {
      text =
        shape && shape.length !== 3
          ? 'a new mask for every sample, each unit kept or dropped on its own'
          : `a new mask ${every}, each unit kept or dropped on its own`;
    } else {
      const dims = items.map((d) => (d.kind === 'none' ? null : asInt(d)));
      if (dims.length !== 3 || (shape && shape.length !== dims.length)) {
        text = `noise_shape of length ${dims.length} is broadcast from the right against the input: shared along its axes of size 1`;
      } else {
        const [b, time, f] = dims;
        if (time === 1 && f !== 1)
          text = 'one mask per sequence: the same units dropped at every timestep';
        else if (f === 1 && time !== 1)
          text = `whole timesteps dropped: ${t === null ? 'each timestep' : `each of the ${t} timesteps`} kept or dropped with all its units`;
        else if (time === 1 && f === 1)
          text = 'one decision per sequence: the whole sequence kept or dropped';
        else text = `a new mask ${every}`;
        if (b === 1) text += '; the same for every sample of the batch';
      }
    }
  }
  const facts = all(text);
  // Fact 6: TensorFlow.js ignores rate 1.
  if (rate >= 1)
    facts[2] = { framework: 'TensorFlow.js', text: 'no mask at all: it ignores rate 1' };
  return facts;
}

const GATES: Record<string, number> = { LSTM: 4, GRU: 3 };

function recurrentLayer(core: LayerNode, wrapper: boolean): MaskFact[] | null {
  const d = rateOf(core.config['dropout']);
  const rd = rateOf(core.config['recurrent_dropout']);
  if (d === null || rd === null || (d <= 0 && rd <= 0)) return null;
  const gates = GATES[core.type] ?? 1;
  const onInputs = d > 0;
  const onState = rd > 0;
  const both = onInputs && onState;
  const what = both
    ? 'on the inputs (`dropout=`) and on the state (`recurrent_dropout=`)'
    : onInputs
      ? 'on the inputs (`dropout=`)'
      : 'on the state (`recurrent_dropout=`)';
  const perDirection = wrapper ? '; each direction draws its own' : '';
  if (gates === 1) return all(`one mask per sequence ${what}${perDirection}`);
  const pr = core.type === 'GRU' ? 20656 : 20663;
  const keras3 = onState
    ? `one mask per sequence and per gate ${what}: ${gates} ${both ? 'of each' : 'of them'} (from Keras 3.8, ${issue(pr)})`
    : `one mask per sequence ${what}, shared by the ${gates} gates`;
  const failures = cudnnFailures(core);
  const implementation = asInt(core.config['implementation']) ?? 2;
  const sharing =
    implementation === 1 ? `one per gate (implementation=1)` : `shared by the ${gates} gates`;
  let tfKeras: string;
  if (failures !== null && failures.length === 0) {
    tfKeras = `a new input mask at every timestep, shared by the gates: the layer is cuDNN-eligible (${issue(19993)})`;
  } else if (failures === null && onInputs && !onState) {
    tfKeras = `per timestep if the layer runs on cuDNN (${issue(19993)}), else one mask per sequence ${what}`;
  } else {
    tfKeras = `one mask per sequence ${what}, ${sharing}`;
  }
  const tfjs = `one mask per sequence ${what}: it draws one per gate but applies the first to all ${gates} gates`;
  return [
    { framework: 'Keras 3', text: keras3 + perDirection },
    { framework: 'tf.keras 2', text: tfKeras + perDirection },
    { framework: 'TensorFlow.js', text: tfjs + perDirection },
  ];
}

/**
 * What the mask of a dropout is under each framework; null for a layer that draws none. `owner`
 * is the wrapper of a wrapped layer (the Dropout inside TimeDistributed, the LSTM inside
 * Bidirectional), whose semantics it then has.
 */
export function maskFacts(layer: LayerNode, owner: LayerNode | null = null): MaskFact[] | null {
  if (owner?.type === 'TimeDistributed' || owner?.type === 'Bidirectional') return maskFacts(owner);
  if (layer.type === 'Dropout' || layer.type === 'SpatialDropout1D') return dropoutLayer(layer);
  if (layer.type === 'TimeDistributed') {
    const inner = layer.inner;
    if (!inner || inner.type !== 'Dropout') return null;
    const rate = rateOf(inner.config['rate']);
    if (rate === null || rate <= 0) return null;
    const t = timesteps(layer);
    return all(
      `a new mask ${t === null ? 'at every timestep' : `at each of the ${t} timesteps`}: TimeDistributed does not share one across timesteps`,
    );
  }
  const core = recurrentCore(layer);
  return core ? recurrentLayer(core, core !== layer) : null;
}

/** The hover's block: a heading, then one line per framework (Markdown). */
export function maskMarkdown(layer: LayerNode, owner: LayerNode | null = null): string | null {
  const facts = maskFacts(layer, owner);
  if (!facts) return null;
  return ['Dropout mask:', ...facts.map((f) => `- ${f.framework}: ${f.text}`)].join('\n');
}
