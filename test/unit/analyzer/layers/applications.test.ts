/**
 * keras.applications models as layers. Every total below was computed by running Keras 3's own
 * architecture sources (keras/src/applications/*.py) with a stand-in layers module that adds up
 * weight shapes; the four the issue names agree with the published figures (keras.io
 * applications table; the models' `summary()` as printed in countless tutorials).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summary } from '../../helpers';

/** Total, trainable and non-trainable weights of `Sequential([base])`, and its output shape. */
function base(call: string): [number | null, number | null, number | null, string] {
  const s = summary(`import keras\nm = keras.Sequential([keras.applications.${call}])`);
  return [s.totalParams, s.trainableParams, s.nonTrainableParams, s.rows[0]!.outputShape];
}

describe('published totals, with and without the top', () => {
  const cases: Array<[string, number, number, number, number, string]> = [
    // name, total with top, trainable with top, total without, trainable without, features
    ['VGG16', 138_357_544, 138_357_544, 14_714_688, 14_714_688, '(None, 7, 7, 512)'],
    ['VGG19', 143_667_240, 143_667_240, 20_024_384, 20_024_384, '(None, 7, 7, 512)'],
    ['ResNet50', 25_636_712, 25_583_592, 23_587_712, 23_534_592, '(None, 7, 7, 2048)'],
    ['ResNet101', 44_707_176, 44_601_832, 42_658_176, 42_552_832, '(None, 7, 7, 2048)'],
    ['ResNet152', 60_419_944, 60_268_520, 58_370_944, 58_219_520, '(None, 7, 7, 2048)'],
    ['ResNet50V2', 25_613_800, 25_568_360, 23_564_800, 23_519_360, '(None, 7, 7, 2048)'],
    ['ResNet101V2', 44_675_560, 44_577_896, 42_626_560, 42_528_896, '(None, 7, 7, 2048)'],
    ['ResNet152V2', 60_380_648, 60_236_904, 58_331_648, 58_187_904, '(None, 7, 7, 2048)'],
    ['MobileNetV2', 3_538_984, 3_504_872, 2_257_984, 2_223_872, '(None, 7, 7, 1280)'],
    ['MobileNet', 4_253_864, 4_231_976, 3_228_864, 3_206_976, '(None, 7, 7, 1024)'],
    ['InceptionV3', 23_851_784, 23_817_352, 21_802_784, 21_768_352, '(None, 5, 5, 2048)'],
    ['Xception', 22_910_480, 22_855_952, 20_861_480, 20_806_952, '(None, 7, 7, 2048)'],
    ['DenseNet121', 8_062_504, 7_978_856, 7_037_504, 6_953_856, '(None, 7, 7, 1024)'],
    ['DenseNet169', 14_307_880, 14_149_480, 12_642_880, 12_484_480, '(None, 7, 7, 1664)'],
    ['DenseNet201', 20_242_984, 20_013_928, 18_321_984, 18_092_928, '(None, 7, 7, 1920)'],
    // From the stand-in run of keras/src/applications/efficientnet.py and nasnet.py (the keras.io
    // table rounds the totals: 5.3M, 7.9M, 9.2M, 12.3M, 19.5M, 30.6M, 43.3M, 66.7M; 5.3M, 88.9M).
    ['EfficientNetB0', 5_330_571, 5_288_548, 4_049_571, 4_007_548, '(None, 7, 7, 1280)'],
    ['EfficientNetB1', 7_856_239, 7_794_184, 6_575_239, 6_513_184, '(None, 7, 7, 1280)'],
    ['EfficientNetB2', 9_177_569, 9_109_994, 7_768_569, 7_700_994, '(None, 7, 7, 1408)'],
    ['EfficientNetB3', 12_320_535, 12_233_232, 10_783_535, 10_696_232, '(None, 7, 7, 1536)'],
    ['EfficientNetB4', 19_466_823, 19_341_616, 17_673_823, 17_548_616, '(None, 7, 7, 1792)'],
    ['EfficientNetB5', 30_562_527, 30_389_784, 28_513_527, 28_340_784, '(None, 7, 7, 2048)'],
    ['EfficientNetB6', 43_265_143, 43_040_704, 40_960_143, 40_735_704, '(None, 7, 7, 2304)'],
    ['EfficientNetB7', 66_658_687, 66_347_960, 64_097_687, 63_786_960, '(None, 7, 7, 2560)'],
    ['NASNetMobile', 5_326_716, 5_289_978, 4_269_716, 4_232_978, '(None, 7, 7, 1056)'],
    ['NASNetLarge', 88_949_818, 88_753_150, 84_916_818, 84_720_150, '(None, 7, 7, 4032)'],
    // mobilenet_v3.py with the stand-in (keras.io: 2.6M, 5.5M).
    ['MobileNetV3Small', 2_554_968, 2_542_856, 939_120, 927_008, '(None, 7, 7, 576)'],
    ['MobileNetV3Large', 5_507_432, 5_483_032, 2_996_352, 2_971_952, '(None, 7, 7, 960)'],
  ];
  for (const [name, top, topTrainable, notop, notopTrainable, features] of cases) {
    test(`${name}: ${top} / ${notop}`, () => {
      assert.deepEqual(base(`${name}()`), [top, topTrainable, top - topTrainable, '(None, 1000)']);
      assert.deepEqual(base(`${name}(include_top=False, input_shape=(224, 224, 3))`), [
        notop,
        notopTrainable,
        notop - notopTrainable,
        features,
      ]);
    });
  }
});

describe('shapes from input_shape and pooling', () => {
  test('pooling=None keeps the feature map, avg and max pool it', () => {
    assert.equal(
      base('VGG16(include_top=False, input_shape=(112, 112, 3))')[3],
      '(None, 3, 3, 512)',
    );
    assert.equal(
      base('ResNet50(include_top=False, input_shape=(225, 224, 3))')[3],
      '(None, 8, 7, 2048)',
    );
    assert.equal(
      base('InceptionV3(include_top=False, input_shape=(299, 299, 3))')[3],
      '(None, 8, 8, 2048)',
    );
    assert.equal(
      base('MobileNetV2(input_shape=(160, 160, 3), include_top=False, pooling="avg")')[3],
      '(None, 1280)',
    );
    assert.equal(base('ResNet50(include_top=False, pooling="max")')[3], '(None, 2048)');
    assert.equal(base('VGG16(include_top=False)')[3], '(None, None, None, 512)');
  });
  test("include_top with other classes (weights=None), and VGG's flatten on another size", () => {
    assert.deepEqual(base('ResNet50(weights=None, classes=10)').slice(0, 1), [
      23_587_712 + 2048 * 10 + 10,
    ]);
    // 64x64: a 2x2 map, Flatten 2048, fc1 2048*4096+4096, fc2 4096*4096+4096, 4096*5+5.
    assert.deepEqual(
      base('VGG16(weights=None, input_shape=(64, 64, 3), classes=5)')[0],
      39_909_189,
    );
  });
  test('other input channels with weights=None: only the first convolution changes', () => {
    assert.equal(
      base('VGG16(include_top=False, weights=None, input_shape=(64, 64, 1))')[0],
      14_714_688 - 2 * 576,
    );
    assert.equal(
      base('ResNet50(include_top=False, weights=None, input_shape=(64, 64, 4))')[0],
      23_587_712 + 3136,
    );
  });
  test("EfficientNet's Normalization has 2 non-trainable weights per input channel", () => {
    // Stand-in run on 1 channel: B0 trainable 4,007,548 - 2 * 288, non-trainable 42,023 - 4.
    assert.deepEqual(
      base('EfficientNetB0(include_top=False, weights=None, input_shape=(64, 64, 1))').slice(0, 3),
      [4_007_548 - 576 + 42_023 - 4, 4_007_548 - 576, 42_023 - 4],
    );
  });
  test("EfficientNet's unnamed Rescaling layers (one more with imagenet weights) take names", () => {
    const next = (weights: string) =>
      summary(`import keras
from keras import layers
b = keras.applications.EfficientNetB0(include_top=False, weights=${weights}, input_shape=(64, 64, 3))
m = keras.Sequential([b, layers.Rescaling(0.5)])`).rows[1]!.name;
    assert.equal(next('None'), 'rescaling_1');
    assert.equal(next('"imagenet"'), 'rescaling_2');
  });
  test('MobileNetV3: any input size, also with the top; its operations and layers take names', () => {
    assert.deepEqual(base('MobileNetV3Small(input_shape=(160, 160, 3))'), [
      2_554_968,
      2_542_856,
      12_112,
      '(None, 1000)',
    ]);
    const s = summary(`import keras
from keras import layers
b = keras.applications.MobileNetV3Small(include_top=True, weights=None)
x = keras.Input((96, 96, 3))
y = layers.Dropout(0.1)(b(x))
m = keras.Model(x, layers.Add()([y, y]))`);
    // Its 9 hard_sigmoid additions took add ... add_8, its top Dropout took dropout.
    assert.deepEqual(
      s.rows.map((r) => r.name),
      ['input_layer_1', 'MobileNetV3Small', 'dropout_1', 'add_9'],
    );
  });
  test('what Keras rejects is unknown, never a guess', () => {
    for (const call of [
      'VGG16(classes=10)', // imagenet weights with another number of classes
      'VGG16(input_shape=(112, 112, 3))', // the top with imagenet weights needs 224x224
      'ResNet50(include_top=False, input_shape=(224, 224, 1))', // imagenet needs 3 channels
      'InceptionV3(include_top=False, input_shape=(64, 64, 3))', // smaller than 75x75
      'MobileNetV2(alpha=0.5, include_top=False)', // other widths are not counted
      'MobileNetV3Small(alpha=0.75, include_top=False)', // other widths are not counted
      'MobileNetV3Large(minimalistic=True)', // nor the minimalistic variant
      'MobileNetV3Small(input_shape=(24, 24, 3), weights=None)', // smaller than 32x32
      // NASNet with imagenet weights wants a static input shape even without the top.
      'NASNetMobile(include_top=False, input_shape=(None, None, 3))',
    ])
      assert.equal(base(call)[0], null, call);
  });
});

describe('as a layer: names, calls, frozen weights', () => {
  test('Keras names: vgg16, inception_v3, mobilenetv2_1.00_224; and the Input it takes', () => {
    const s = summary(`import keras
from keras import layers
b1 = keras.applications.InceptionV3(include_top=False, pooling="avg")
b2 = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False)
b3 = keras.applications.MobileNetV2(input_shape=(100, 100, 3), include_top=False, weights=None)
x = keras.Input((96, 96, 3))
m = keras.Model(x, [layers.Flatten()(b2(x)), layers.Dense(2)(b1(layers.Resizing(299, 299)(x)))])`);
    const names = s.rows.map((r) => r.name);
    assert.ok(names.includes('mobilenetv2_1.00_96'), names.join());
    assert.ok(names.includes('inception_v3'), names.join());
    // Each application built its own Input first: x is the fourth.
    assert.equal(names[0], 'input_layer_3');
    const third = summary(`import keras
b3 = keras.applications.MobileNetV2(input_shape=(100, 100, 3), include_top=False, weights=None)
m = keras.Sequential([b3])`);
    assert.equal(third.rows[0]!.name, 'mobilenetv2_1.00_100');
  });
  test("an application's unnamed pooling layer takes an automatic name", () => {
    const s = summary(`import keras
from keras import layers
base = keras.applications.VGG16(include_top=False, pooling="avg", input_shape=(64, 64, 3))
m = keras.Sequential([base, layers.Dense(1)])
pool = layers.GlobalAveragePooling2D()`);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.outputShape, r.params]),
      [
        ['vgg16', '(None, 512)', 14_714_688],
        ['dense', '(None, 1)', 513],
      ],
    );
  });
  test('base(x) checks the input against the declared shape', () => {
    const s = summary(`import keras
base = keras.applications.ResNet50(include_top=False, input_shape=(224, 224, 3))
x = keras.Input((112, 112, 3))
m = keras.Model(x, base(x))`);
    assert.deepEqual([s.rows[1]!.outputShape, s.totalParams], ['?', null]);
    const free = summary(`import keras
base = keras.applications.ResNet50(include_top=False)
x = keras.Input((112, 112, 3))
m = keras.Model(x, base(x))`);
    assert.deepEqual(
      [free.rows[1]!.outputShape, free.totalParams],
      ['(None, 4, 4, 2048)', 23_587_712],
    );
  });
  test('input_tensor: the application is built on it', () => {
    const s = summary(`import keras
from keras import layers
inp = keras.Input((128, 128, 3))
base = keras.applications.MobileNetV2(input_tensor=inp, include_top=False, weights="imagenet")
out = layers.Dense(4)(layers.GlobalAveragePooling2D()(base.output))
m = keras.Model(inputs=base.input, outputs=out)`);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.outputShape, r.params]),
      [
        ['input_layer', '(None, 128, 128, 3)', 0],
        // Keras names it from its input_shape, None here: 224 with the imagenet weights.
        ['mobilenetv2_1.00_224', '(None, 4, 4, 1280)', 2_257_984],
        ['global_average_pooling2d', '(None, 1280)', 0],
        ['dense', '(None, 4)', 1280 * 4 + 4],
      ],
    );
  });
  test('base.trainable = False makes all its weights non-trainable', () => {
    const s = summary(`import keras
from keras import layers
base = keras.applications.ResNet50(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
base.trainable = False
frames = keras.Input((8, 224, 224, 3))
x = layers.TimeDistributed(base)(frames)
x = layers.TimeDistributed(layers.GlobalAveragePooling2D())(x)
x = layers.LSTM(128)(x)
m = keras.Model(frames, layers.Dense(10, activation="softmax")(x))`);
    const lstm = 4 * 128 * (2048 + 128 + 1);
    assert.deepEqual(
      [s.totalParams, s.trainableParams, s.nonTrainableParams],
      [23_587_712 + lstm + 1290, lstm + 1290, 23_587_712],
    );
    assert.equal(s.rows[1]!.outputShape, '(None, 8, 7, 7, 2048)');
  });
});
