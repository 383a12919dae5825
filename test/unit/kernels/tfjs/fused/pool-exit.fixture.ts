/**
 * Run by pool.test.ts in a child process: starts the fused kernels on two threads, trains one
 * step and returns without closing the pool; the process must exit on its own.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../../../../kernels/tfjs/backend';
import { LSTM } from '../../../../../kernels/tfjs/layers/index';
import { nodeThreads } from '../../../../../kernels/tfjs/fused/pool-node';

async function main(): Promise<void> {
  const info = await initBackend({ threads: 2, threadHost: nodeThreads });
  const model = tfl.sequential({
    layers: [
      new LSTM({ units: 64, input_shape: [8, 16], seed: 1 }),
      tfl.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(), loss: 'meanSquaredError' });
  const loss = await model.trainOnBatch(tf.ones([64, 8, 16]), tf.ones([64, 1]));
  console.log(`threads ${info.kernelThreads.threads}, loss ${String(loss)}`);
}

void main();
