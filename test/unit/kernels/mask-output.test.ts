/** The masks output: its validation and the one-line caption that states what a mask does. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  maskCaption,
  masksText,
  maskTitle,
  MASKS_SCHEMA_VERSION,
  readMasks,
  type MaskEntry,
} from '../../../kernels/mask-output';

/** A timesteps x units mask with `dropped(t, u)` zeros. */
function mask(
  timesteps: number,
  units: number,
  dropped: (t: number, u: number) => boolean,
  extra: Partial<MaskEntry> = {},
): MaskEntry {
  return {
    layer: 'dropout',
    kind: 'Dropout',
    gate: null,
    direction: null,
    noiseShape: null,
    timesteps,
    units,
    kept: Array.from({ length: timesteps }, (_, t) =>
      Array.from({ length: units }, (_, u) => (dropped(t, u) ? 0 : 1)),
    ),
    ...extra,
  };
}

describe('maskCaption', () => {
  test('whole timesteps: "12 of 50 timesteps dropped entirely"', () => {
    assert.equal(
      maskCaption(mask(50, 4, (t) => t % 4 === 1 && t < 48)),
      '12 of 50 timesteps dropped entirely',
    );
    // One feature: a plain Dropout drops whole timesteps too (DR102).
    assert.equal(maskCaption(mask(10, 1, (t) => t < 3)), '3 of 10 timesteps dropped entirely');
  });

  test('one mask for every timestep: "the same 154 of 512 units dropped at every timestep"', () => {
    assert.equal(
      maskCaption(mask(50, 512, (_, u) => u % 10 < 3 && u < 511)),
      'the same 154 of 512 units dropped at every timestep',
    );
    assert.equal(
      maskCaption(mask(3, 2, (_, u) => u === 0)),
      'the same 1 of 2 units dropped at every timestep',
    );
  });

  test('per timestep: "a new mask at every timestep: 31% of units dropped on average"', () => {
    // 31 of every 100 cells, in a different place at each timestep.
    assert.equal(
      maskCaption(mask(10, 100, (t, u) => (u + 7 * t) % 100 < 31)),
      'a new mask at every timestep: 31% of units dropped on average',
    );
  });

  test('one timestep, nothing dropped, everything dropped', () => {
    assert.equal(maskCaption(mask(1, 16, (_, u) => u < 5)), '5 of 16 units dropped');
    assert.equal(maskCaption(mask(4, 8, () => false)), 'nothing dropped: all 8 units kept');
    assert.equal(
      maskCaption(mask(4, 8, () => true)),
      'everything dropped: every unit at every timestep',
    );
  });
});

describe('maskTitle and masksText', () => {
  test('the layer, the kind with its noise shape, the gate and the direction', () => {
    assert.equal(
      maskTitle(mask(2, 2, () => false, { noiseShape: [null, 1, 2] })),
      'dropout · Dropout noise_shape=(None, 1, 2)',
    );
    assert.equal(
      maskTitle(
        mask(2, 2, () => false, {
          layer: 'bidirectional',
          kind: 'recurrent_dropout',
          gate: 'z',
          direction: 'backward',
        }),
      ),
      'bidirectional · recurrent_dropout= (state) · gate z · backward',
    );
    assert.equal(
      masksText({ version: 1, sample: 0, masks: [mask(3, 2, (_, u) => u === 0)] }),
      [
        'Dropout masks applied to sample 0 in one training-mode forward pass (weights unchanged):',
        '  dropout · Dropout [3 timesteps × 2 units]: the same 1 of 2 units dropped at every timestep',
      ].join('\n'),
    );
  });
});

describe('readMasks', () => {
  const good = { version: MASKS_SCHEMA_VERSION, sample: 0, masks: [mask(2, 3, (t) => t === 0)] };
  const withEntry = (patch: Record<string, unknown>) => ({
    ...good,
    masks: [{ ...good.masks[0], ...patch }],
  });

  test('a valid output is returned as it is', () => {
    assert.equal(readMasks(good), good);
    assert.equal(typeof readMasks({ ...good, masks: [] }), 'object');
  });

  test('each wrong field is named', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /not an object/],
      [[], /not an object/],
      [{ ...good, version: 2 }, /schema version 2, this RNN Lab reads version 1/],
      [{ ...good, sample: -1 }, /no sample index/],
      [{ ...good, masks: {} }, /no list of masks/],
      [withEntry({ layer: 3 }), /masks\[0\]\.layer should be a string/],
      [withEntry({ kind: 'GaussianNoise' }), /masks\[0\]\.kind should be one of Dropout/],
      [withEntry({ gate: 'x' }), /masks\[0\]\.gate should be null or one of/],
      [withEntry({ direction: 'up' }), /direction should be null, forward or backward/],
      [withEntry({ noiseShape: [null, 'F'] }), /noiseShape should be null or a list/],
      [withEntry({ timesteps: 0 }), /timesteps should be a whole number >= 1/],
      [withEntry({ units: 1.5 }), /units should be a whole number >= 1/],
      [withEntry({ timesteps: 3 }), /kept should have 3 rows/],
      [
        withEntry({
          kept: [
            [1, 1, 1],
            [1, 1],
          ],
        }),
        /kept\[1\] should have 3 entries/,
      ],
      [
        withEntry({
          kept: [
            [1, 1, 1],
            [1, 2, 1],
          ],
        }),
        /kept\[1\] should hold only 0 and 1/,
      ],
    ];
    for (const [value, message] of cases) {
      const r = readMasks(value);
      assert.equal(typeof r, 'string', JSON.stringify(value));
      assert.match(r as string, message);
    }
  });
});
