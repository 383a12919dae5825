/**
 * `rnnlab.show_masks(model, x)`: the dropout masks the built model applies to the first sample of
 * x in one training-mode forward pass (no optimizer step; kernels/tfjs/masks.ts captures them),
 * as display data: the masks JSON for the renderer, an SVG picture and a line of text per mask.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { CallSite, ModelNode } from '../analyzer/graph';
import type { Span } from '../analyzer/python/values';
import { asArray, bind, checkData, KernelError } from './args';
import { display } from './display';
import { MASKS_MIME, masksText } from './mask-output';
import { masksSvg } from './mask-svg';
import { captureMasks, masksOutput } from './tfjs/masks';

export const SHOW_MASKS_PARAMS = ['model', 'x'] as const;

/** Runs `show_masks` at `site`; `build` gives the kernel's tfjs model of a graph. */
export function showMasks(
  site: CallSite,
  build: (model: ModelNode, span: Span) => LayersModel,
): Record<string, unknown> {
  const args = bind(site, SHOW_MASKS_PARAMS);
  const m = args.get('model');
  if (m?.value.kind !== 'model') {
    throw new KernelError(
      'cell',
      `show_masks(model, x): model must be a Keras model, got ${m ? display(m.value) : 'nothing'}`,
      m?.span ?? site.span,
    );
  }
  const node = m.value.model;
  if (node.inputs.length > 1) {
    throw new KernelError(
      'cell',
      `show_masks(model, x) takes a model with one input; ${node.name} has ${node.inputs.length}`,
      site.span,
    );
  }
  const xArg = args.get('x');
  const x = asArray(xArg?.value, 'x', xArg?.span ?? site.span);
  checkData(node, x, null, xArg?.span ?? site.span);
  if (!x.shape[0]) throw new KernelError('data', 'x has no samples', xArg?.span ?? site.span);
  const model = build(node, site.span);
  const row = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const sample = tf.tensor(x.data.slice(0, row), [1, ...x.shape.slice(1)]);
  let captured;
  try {
    captured = captureMasks(model, sample);
  } finally {
    sample.dispose();
  }
  if (captured.length === 0) {
    throw new KernelError(
      'cell',
      `${node.name} applies no dropout mask in training: it has no Dropout, SpatialDropout1D or TimeDistributed(Dropout) with a rate above 0, and no recurrent layer with dropout= or recurrent_dropout= between 0 and 1`,
      site.span,
    );
  }
  const output = masksOutput(captured, 0);
  return {
    [MASKS_MIME]: output,
    'image/svg+xml': masksSvg(output),
    'text/plain': masksText(output),
  };
}
