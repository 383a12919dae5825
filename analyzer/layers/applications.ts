/**
 * `keras.applications` models (VGG16, ResNet50, MobileNetV2, InceptionV3, ...) as the layer a
 * model uses them as: `TimeDistributed(base)`, `base(x)`, or `base.output` into a head. Each is
 * one `Functional` row with Keras's totals, for any `include_top`, `pooling`, `classes` and
 * input shape the constructor accepts.
 *
 * The figures come from Keras 3's own architecture sources (keras/src/applications/*.py), run with
 * a stand-in `layers` module that only adds up weights and follows shapes; they agree with the
 * published totals (VGG16 138,357,544 / 14,714,688 without the top; ResNet50 25,636,712 /
 * 23,587,712; MobileNetV2 3,538,984 / 2,257,984; InceptionV3 23,851,784 / 21,802,784, ...).
 * Per model: the weights without the top on 3 input channels (BatchNormalization's moving mean
 * and variance are the non-trainable ones), what each further input channel adds (only the first
 * convolution sees the channels), the feature channels, the top, and how the spatial size shrinks
 * (checked against those sources for every size from 32 to 330). tf.keras 2 builds the same
 * architectures. EfficientNetB0-B7 and NASNetMobile/Large were derived the same way (the
 * stand-in run on keras-team/keras at 3422977a, checked first against MobileNetV2's and Xception's
 * published figures). MobileNetV3Small/Large likewise (alpha=1.0, not
 * minimalistic). Models that are not here (InceptionResNetV2, ConvNeXt, EfficientNetV2, the
 * MobileNets with another alpha, ...) stay unknown.
 */
import { formatShape } from '../format';
import type { Arg, Dim, Shape } from '../graph';
import {
  asInt,
  asItems,
  asNumber,
  asString,
  bool,
  float,
  int,
  NONE,
  str,
  UNKNOWN,
  type Value,
} from '../python/values';
import { incompatible, ok, type Config, type LayerSpec, type Outcome, type Params } from './types';

/** A downsampling step: 'same' with a stride (ceil), or 'valid' [kernel, stride, padding added]. */
type Step = { same: number } | { valid: [number, number, number] };

interface Application {
  signature: readonly string[];
  defaultSize: number;
  minSize: number;
  /** Square sizes with weights of their own (MobileNets): such an input is the default size. */
  sizes?: readonly number[];
  /** Weights without the top, on 3 input channels. */
  trainable: number;
  nonTrainable: number;
  /** Weights of the first convolution per input channel (kernel area x its filters). */
  perChannel: number;
  /** Non-trainable weights per input channel (EfficientNet's Normalization: mean and variance). */
  perChannelFrozen?: number;
  /** Further layers Keras builds unnamed with weights='imagenet' (EfficientNet's Rescaling). */
  imagenetUnnamed?: Readonly<Record<string, number>>;
  /** Rejects an input_shape with None entries under weights='imagenet', even without the top (NASNet). */
  staticWithImagenet?: boolean;
  /**
   * MobileNetV3: the top is a 1x1 convolution of this width on the pooled features, then a 1x1
   * classifier convolution; the input follows its own rules (any size, also with the top).
   */
  convTop?: number;
  /** Defaults of the constructor's own further arguments. */
  extraDefaults?: Readonly<Record<string, Value>>;
  /** Channels of the last feature map. */
  features: number;
  /** 'vgg': Flatten, fc1 and fc2 of 4096, then the classifier; 'dense': pooled, then it. */
  top: 'vgg' | 'dense';
  steps: readonly Step[];
  /** Layers Keras builds without a name (each takes an automatic name), by class. */
  unnamed: Readonly<Record<string, number>>;
  /** Whether the pooling layer is unnamed: without the top ('notop'), and in the top too. */
  unnamedPool: 'notop' | 'both' | 'none';
  /** MobileNets: named from alpha and the input size. */
  named?: 'mobilenet' | 'mobilenetv2';
}

const STANDARD = [
  'include_top',
  'weights',
  'input_tensor',
  'input_shape',
  'pooling',
  'classes',
  'classifier_activation',
  'name',
] as const;

const half = (n: number): Step[] => Array.from({ length: n }, () => ({ same: 2 }));
const vggPools: Step[] = Array.from({ length: 5 }, () => ({ valid: [2, 2, 0] }));
const densePools: Step[] = [
  { valid: [7, 2, 6] },
  { valid: [3, 2, 2] },
  { valid: [2, 2, 0] },
  { valid: [2, 2, 0] },
  { valid: [2, 2, 0] },
];

function family(
  base: Omit<Application, 'trainable' | 'nonTrainable' | 'features'>,
  models: Record<string, [number, number, number]>,
): Record<string, Application> {
  return Object.fromEntries(
    Object.entries(models).map(([cls, [trainable, nonTrainable, features]]) => [
      cls,
      { ...base, trainable, nonTrainable, features },
    ]),
  );
}

const vgg = { signature: STANDARD, defaultSize: 224, minSize: 32, perChannel: 3 * 3 * 64 };
const resnet = { signature: STANDARD, defaultSize: 224, minSize: 32, perChannel: 7 * 7 * 64 };

/** Keras 3's applications the analyzer counts, by class name. */
export const APPLICATIONS: Readonly<Record<string, Application>> = {
  ...family(
    { ...vgg, top: 'vgg', steps: vggPools, unnamed: {}, unnamedPool: 'notop' },
    { VGG16: [14_714_688, 0, 512], VGG19: [20_024_384, 0, 512] },
  ),
  ...family(
    { ...resnet, top: 'dense', steps: half(5), unnamed: {}, unnamedPool: 'none' },
    {
      ResNet50: [23_534_592, 53_120, 2048],
      ResNet101: [42_552_832, 105_344, 2048],
      ResNet152: [58_219_520, 151_424, 2048],
    },
  ),
  ...family(
    { ...resnet, top: 'dense', steps: half(5), unnamed: { MaxPooling2D: 3 }, unnamedPool: 'none' },
    {
      ResNet50V2: [23_519_360, 45_440, 2048],
      ResNet101V2: [42_528_896, 97_664, 2048],
      ResNet152V2: [58_187_904, 143_744, 2048],
    },
  ),
  ...family(
    {
      ...resnet,
      top: 'dense',
      steps: densePools,
      unnamed: { ZeroPadding2D: 2 },
      unnamedPool: 'none',
    },
    {
      DenseNet121: [6_953_856, 83_648, 1024],
      DenseNet169: [12_484_480, 158_400, 1664],
      DenseNet201: [18_092_928, 229_056, 1920],
    },
  ),
  MobileNetV2: {
    signature: [
      'input_shape',
      'alpha',
      'include_top',
      'weights',
      'input_tensor',
      'pooling',
      'classes',
      'classifier_activation',
      'name',
    ],
    defaultSize: 224,
    minSize: 32,
    sizes: [96, 128, 160, 192, 224],
    trainable: 2_223_872,
    nonTrainable: 34_112,
    perChannel: 3 * 3 * 32,
    features: 1280,
    top: 'dense',
    steps: half(5),
    unnamed: {},
    unnamedPool: 'both',
    named: 'mobilenetv2',
  },
  MobileNet: {
    signature: [
      'input_shape',
      'alpha',
      'depth_multiplier',
      'dropout',
      'include_top',
      'weights',
      'input_tensor',
      'pooling',
      'classes',
      'classifier_activation',
      'name',
    ],
    defaultSize: 224,
    minSize: 32,
    sizes: [128, 160, 192, 224],
    trainable: 3_206_976,
    nonTrainable: 21_888,
    perChannel: 3 * 3 * 32,
    features: 1024,
    top: 'dense',
    // Conv1 is 'same'; each later stride-2 block pads (0, 1) and convolves 3x3 'valid'.
    steps: [{ same: 2 }, ...Array.from({ length: 4 }, (): Step => ({ valid: [3, 2, 1] }))],
    unnamed: {},
    unnamedPool: 'both',
    named: 'mobilenet',
  },
  InceptionV3: {
    signature: STANDARD,
    defaultSize: 299,
    minSize: 75,
    trainable: 21_768_352,
    nonTrainable: 34_432,
    perChannel: 3 * 3 * 32,
    features: 2048,
    top: 'dense',
    steps: [
      { valid: [3, 2, 0] },
      { valid: [3, 1, 0] },
      { valid: [3, 2, 0] },
      { valid: [1, 1, 0] },
      { valid: [3, 1, 0] },
      { valid: [3, 2, 0] },
      { valid: [3, 2, 0] },
      { valid: [3, 2, 0] },
    ],
    unnamed: {
      Conv2D: 94,
      BatchNormalization: 94,
      Activation: 94,
      MaxPooling2D: 4,
      AveragePooling2D: 9,
      Concatenate: 2,
    },
    unnamedPool: 'notop',
  },
  /**
   * EfficientNetB0-B7 (keras/src/applications/efficientnet.py): Rescaling and a Normalization
   * layer (mean and variance per channel plus a count: 2C + 1 non-trainable weights) before the
   * stem, whose stride-2 convolutions pad with `correct_pad` and so halve with ceil. Run with the
   * stand-in at keras-team/keras 3422977a (see the module comment): totals with the top
   * B0 5,330,571, B1 7,856,239, B2 9,177,569, B3 12,320,535, B4 19,466,823, B5 30,562,527,
   * B6 43,265,143, B7 66,658,687, as the keras.io table rounds them (5.3M ... 66.7M).
   */
  ...Object.fromEntries(
    (
      [
        [0, 224, 288, 4_007_548, 42_023, 1280],
        [1, 240, 288, 6_513_184, 62_055, 1280],
        [2, 260, 288, 7_700_994, 67_575, 1408],
        [3, 300, 360, 10_696_232, 87_303, 1536],
        [4, 380, 432, 17_548_616, 125_207, 1792],
        [5, 456, 432, 28_340_784, 172_743, 2048],
        [6, 528, 504, 40_735_704, 224_439, 2304],
        [7, 600, 576, 63_786_960, 310_727, 2560],
      ] as const
    ).map(([b, size, perChannel, trainable, nonTrainable, features]): [string, Application] => [
      `EfficientNetB${b}`,
      {
        signature: STANDARD,
        defaultSize: size,
        minSize: 32,
        trainable,
        nonTrainable,
        perChannel,
        perChannelFrozen: 2,
        features,
        top: 'dense',
        steps: half(5),
        unnamed: { Rescaling: 1, Normalization: 1 },
        imagenetUnnamed: { Rescaling: 1 },
        unnamedPool: 'none',
      },
    ]),
  ),
  /**
   * NASNetMobile and NASNetLarge (keras/src/applications/nasnet.py): a 3x3 stride-2 'valid' stem,
   * then four reduction cells that pad with `correct_pad` (ceil halving; checked with the stand-in
   * for every size from 32 to 339). Totals with the top 5,326,716 and 88,949,818 (keras.io: 5.3M,
   * 88.9M), without it 4,269,716 and 84,916,818.
   */
  ...family(
    {
      signature: [
        'input_shape',
        'include_top',
        'weights',
        'input_tensor',
        'pooling',
        'classes',
        'classifier_activation',
        'name',
      ],
      defaultSize: 224,
      minSize: 32,
      perChannel: 3 * 3 * 32,
      top: 'dense',
      steps: [{ valid: [3, 2, 0] }, ...half(4)],
      unnamed: { Activation: 188, Add: 4, ZeroPadding2D: 4, Cropping2D: 4, Concatenate: 4 },
      unnamedPool: 'both',
      staticWithImagenet: true,
    },
    { NASNetMobile: [4_232_978, 36_738, 1056] },
  ),
  NASNetLarge: {
    signature: [
      'input_shape',
      'include_top',
      'weights',
      'input_tensor',
      'pooling',
      'classes',
      'classifier_activation',
      'name',
    ],
    defaultSize: 331,
    minSize: 32,
    trainable: 84_720_150,
    nonTrainable: 196_668,
    perChannel: 3 * 3 * 96,
    features: 4032,
    top: 'dense',
    steps: [{ valid: [3, 2, 0] }, ...half(4)],
    unnamed: { Activation: 260, Add: 4, ZeroPadding2D: 4, Cropping2D: 4, Concatenate: 4 },
    unnamedPool: 'both',
    staticWithImagenet: true,
  },
  /**
   * MobileNetV3Small and MobileNetV3Large (keras/src/applications/mobilenet_v3.py), counted for
   * alpha=1.0 and minimalistic=False. Totals from the stand-in run: with the top 2,554,968 and
   * 5,507,432 (keras.io: 2.6M, 5.5M), without it 939,120 and 2,996,352. Its hard_sigmoid adds
   * `x + 3.0` and `* (1 / 6)` operations, which take the names `add` and `multiply` (Keras 3
   * names operations from the same counters as layers: keras/src/ops/operation.py, auto_name).
   */
  ...Object.fromEntries(
    (
      [
        [
          'MobileNetV3Small',
          927_008,
          12_112,
          576,
          1024,
          { Activation: 18, ReLU: 14, Add: 9, Multiply: 9 },
        ],
        [
          'MobileNetV3Large',
          2_971_952,
          24_400,
          960,
          1280,
          { Activation: 20, ReLU: 19, Add: 8, Multiply: 8 },
        ],
      ] as const
    ).map(([cls, trainable, nonTrainable, features, convTop, unnamed]): [string, Application] => [
      cls,
      {
        signature: [
          'input_shape',
          'alpha',
          'minimalistic',
          'include_top',
          'weights',
          'input_tensor',
          'classes',
          'pooling',
          'dropout_rate',
          'classifier_activation',
          'include_preprocessing',
          'name',
        ],
        defaultSize: 224,
        minSize: 32,
        trainable,
        nonTrainable,
        perChannel: 3 * 3 * 16,
        features,
        top: 'dense',
        convTop,
        steps: half(5),
        unnamed,
        unnamedPool: 'none',
        extraDefaults: {
          minimalistic: bool(false),
          dropout_rate: float(0.2),
          include_preprocessing: bool(true),
        },
      },
    ]),
  ),
  Xception: {
    signature: STANDARD,
    defaultSize: 299,
    minSize: 71,
    trainable: 20_806_952,
    nonTrainable: 54_528,
    perChannel: 3 * 3 * 32,
    features: 2048,
    top: 'dense',
    steps: [{ valid: [3, 2, 0] }, { valid: [3, 1, 0] }, ...half(4)],
    unnamed: { Conv2D: 4, BatchNormalization: 4, Add: 12 },
    unnamedPool: 'notop',
  },
};

/** The Python defaults of the constructors' arguments the figures depend on. */
const DEFAULTS: Readonly<Record<string, Value>> = {
  include_top: bool(true),
  weights: str('imagenet'),
  input_tensor: NONE,
  input_shape: NONE,
  pooling: NONE,
  classes: int(1000),
  alpha: float(1),
  depth_multiplier: int(1),
};

/**
 * The config of an application constructor call: its arguments bound by the model's own
 * signature (each argument's `param` set, as for layers), Keras's defaults for the rest, and
 * `application` naming the model. Null for a model the analyzer does not count.
 */
export function applicationConfig(cls: string, args: Arg[]): Record<string, Value> | null {
  const app = APPLICATIONS[cls];
  if (!app) return null;
  // An unknown `**kwargs` may set any of the arguments not written out.
  const splat = args.some((a) => a.splat);
  const defaults = { ...DEFAULTS, ...app.extraDefaults };
  const config: Record<string, Value> = {
    ...Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, splat ? UNKNOWN : v])),
    application: str(cls),
  };
  let shifted = false;
  args.forEach((arg, i) => {
    if (arg.splat) {
      shifted = true;
      return;
    }
    if (arg.keyword === null) arg.param = shifted ? null : (app.signature[i] ?? null);
    if (arg.param) config[arg.param] = arg.value;
  });
  return config;
}

/** The classes of the layers Keras builds unnamed in this configuration (input layer aside). */
export function unnamedLayers(cfg: Config): string[] {
  const app = APPLICATIONS[cfg.str('application') ?? ''];
  if (!app) return [];
  const extra = weightsOf(cfg) === 'imagenet' ? (app.imagenetUnnamed ?? {}) : {};
  const out = [...Object.entries(app.unnamed), ...Object.entries(extra)].flatMap(([cls, n]) =>
    Array.from({ length: n }, () => cls),
  );
  const top = cfg.bool('include_top');
  const pooling = cfg.str('pooling');
  if (app.convTop !== undefined) {
    // MobileNetV3: the Rescaling of include_preprocessing; the top's pooling, hard_swish,
    // Dropout (when dropout_rate > 0) and Flatten are unnamed too.
    if (cfg.bool('include_preprocessing') !== false) out.push('Rescaling');
    if (top === true) {
      out.push('GlobalAveragePooling2D', 'Activation', 'Flatten');
      if ((asNumber(cfg.get('dropout_rate')) ?? 0) > 0) out.push('Dropout');
    }
  }
  if (top === true && app.unnamedPool === 'both') out.push('GlobalAveragePooling2D');
  if (top === false && app.unnamedPool !== 'none') {
    if (pooling === 'avg') out.push('GlobalAveragePooling2D');
    if (pooling === 'max') out.push('GlobalMaxPooling2D');
  }
  return out;
}

type Weights = 'imagenet' | 'other' | 'unknown';

function weightsOf(cfg: Config): Weights {
  const v = cfg.get('weights');
  if (v?.kind === 'none') return 'other';
  const s = asString(v);
  return s === null ? 'unknown' : s === 'imagenet' ? 'imagenet' : 'other';
}

/** `input_shape=(224, 224, 3)` as dims (None as null); undefined when not given; 'unknown'. */
function shapeArg(v: Value | undefined): Dim[] | undefined | 'unknown' {
  if (!v || v.kind === 'none') return undefined;
  const items = asItems(v);
  if (!items) return 'unknown';
  const dims: Dim[] = [];
  for (const x of items) {
    if (x.kind === 'none') dims.push(null);
    else {
      const n = asInt(x);
      if (n === null) return 'unknown';
      dims.push(n);
    }
  }
  return dims;
}

type Resolved = { issue: string } | { input: Dim[]; app: Application } | null;

/**
 * The model's input (rows, cols, channels) as Keras's `imagenet_utils.obtain_input_shape` makes
 * it, or the error Keras raises; null where an argument is unknown or the model is not counted.
 */
function declaredInput(cfg: Config): Resolved {
  const cls = cfg.str('application');
  const app = cls ? APPLICATIONS[cls] : undefined;
  if (!app) return null;
  const includeTop = cfg.bool('include_top');
  const given = shapeArg(cfg.get('input_shape'));
  const weights = weightsOf(cfg);
  if (includeTop === null || given === 'unknown') return null;
  if (app.staticWithImagenet && weights === 'imagenet' && given?.includes(null))
    return {
      issue: `${cls}: when specifying the input shape of a NASNet and loading ImageNet weights, the input_shape argument must be static (no None entries); got ${formatShape(given)}`,
    };
  if (app.convTop !== undefined) return mobileNetV3Input(cfg, app, given, includeTop);
  if (app.named) {
    // Only the full-width MobileNets are counted.
    const alpha = asNumber(cfg.get('alpha'));
    const multiplier = app.named === 'mobilenet' ? asInt(cfg.get('depth_multiplier')) : 1;
    if (alpha !== 1 || multiplier !== 1) return null;
  }
  const square = given && given[0] === given[1] ? (given[0] ?? null) : null;
  const size = square !== null && app.sizes?.includes(square) ? square : app.defaultSize;
  const fallback: Dim[] =
    weights !== 'imagenet' && given?.length === 3 ? [size, size, given[2]!] : [size, size, 3];
  let input: Dim[];
  const show = formatShape;
  if (weights === 'imagenet' && includeTop) {
    if (given && show(given) !== show(fallback))
      return {
        issue: `${cls}: with include_top=True and weights='imagenet', input_shape should be ${show(fallback)}; got ${show(given)}`,
      };
    input = fallback;
  } else if (given) {
    if (given.length !== 3)
      return { issue: `${cls}: input_shape must be a tuple of three integers` };
    if (weights === 'imagenet' && given[2] !== 3)
      return {
        issue: `${cls}: the imagenet weights need 3 input channels; got input_shape=${show(given)}`,
      };
    if (given.slice(0, 2).some((d) => d !== null && d < app.minSize))
      return {
        issue: `${cls}: input size must be at least ${app.minSize}x${app.minSize}; got ${show(given)}`,
      };
    input = given;
  } else input = includeTop ? fallback : [null, null, 3];
  if (includeTop && input.includes(null))
    return {
      issue: `${cls}: with include_top=True, input_shape must be fully known; got ${show(input)}`,
    };
  const classes = asInt(cfg.get('classes'));
  if (weights === 'imagenet' && includeTop && classes !== null && classes !== 1000)
    return {
      issue: `${cls}: with weights='imagenet' and include_top=True, classes must be 1000; got ${classes}`,
    };
  return { input, app };
}

/**
 * MobileNetV3's own input rules: any size (32 and up), also with the top; imagenet weights are
 * only counted on 3 channels (other channels fail when the weights load). Null where not counted.
 */
function mobileNetV3Input(
  cfg: Config,
  app: Application,
  given: Dim[] | undefined,
  includeTop: boolean,
): Resolved {
  const cls = cfg.str('application');
  if (asNumber(cfg.get('alpha')) !== 1 || cfg.bool('minimalistic') !== false) return null;
  // With an input_tensor and no input_shape, Keras reads (cols, rows, 3) from the tensor.
  if (!given && cfg.get('input_tensor')?.kind !== 'none') return null;
  const input = given ?? [null, null, 3];
  if (input.length !== 3) return null;
  const weights = weightsOf(cfg);
  if (weights === 'unknown' || (weights === 'imagenet' && input[2] !== 3)) return null;
  if (input.slice(0, 2).some((d) => d !== null && d < app.minSize))
    return { issue: `${cls}: input size must be at least 32x32; got ${formatShape(input)}` };
  const classes = asInt(cfg.get('classes'));
  if (weights === 'imagenet' && includeTop && classes !== null && classes !== 1000)
    return {
      issue: `${cls}: with weights='imagenet' and include_top=True, classes must be 1000; got ${classes}`,
    };
  return { input, app };
}

/** The application's own input shape (batch first), for `base.input`; null where unknown. */
export function applicationInput(cfg: Config): Shape | null {
  const d = declaredInput(cfg);
  return d && 'input' in d ? [null, ...d.input] : null;
}

/** The declared input met with the tensor the model is called on (Keras checks its InputSpec). */
function resolve(cfg: Config, s: Shape | null | undefined, name = ''): Resolved {
  const d = declaredInput(cfg);
  if (!d || 'issue' in d || !s) return d;
  if (s.length !== 4) return null;
  const input = d.input.map((dim, i) => dim ?? s[i + 1] ?? null);
  if (d.input.some((dim, i) => dim !== null && s[i + 1] !== null && s[i + 1] !== dim)) {
    return {
      issue: `Input 0 of layer "${name}" is incompatible with the layer: expected shape=${formatShape([null, ...d.input])}, found shape=${formatShape(s)}`,
    };
  }
  return { input, app: d.app };
}

function downsample(n: Dim, steps: readonly Step[]): Dim | 'negative' {
  let m = n;
  for (const step of steps) {
    if (m === null) return null;
    m =
      'same' in step
        ? Math.ceil(m / step.same)
        : Math.floor((m + step.valid[2] - step.valid[0]) / step.valid[1]) + 1;
    if (m <= 0) return 'negative';
  }
  return m;
}

/** The feature map's (rows, cols), or the error of an input too small for the architecture. */
function featureMap(input: Dim[], app: Application): [Dim, Dim] | 'negative' {
  const rows = downsample(input[0] ?? null, app.steps);
  const cols = downsample(input[1] ?? null, app.steps);
  return rows === 'negative' || cols === 'negative' ? 'negative' : [rows, cols];
}

/**
 * A `keras.applications` model: its output from the input it is called on (its own input for
 * `base.output`), and its weights. A `Functional` row that is no application (a nested model) is
 * opaque and has neither.
 */
export const Functional: LayerSpec = {
  type: 'Functional',
  playground: false,
  signature: [],
  defaults: {},
  output(cfg, [s], _ctx, layer): Outcome {
    const r = resolve(cfg, s, layer.name);
    if (!r) return ok(null);
    if ('issue' in r) return incompatible(r.issue);
    const batch = s ? (s[0] ?? null) : null;
    const map = featureMap(r.input, r.app);
    if (map === 'negative')
      return incompatible(
        `${cfg.str('application')}: the input ${r.input.join('x')} is too small: computed output size would be zero or negative`,
      );
    if (cfg.bool('include_top')) return ok([batch, asInt(cfg.get('classes'))]);
    const pooling = cfg.str('pooling');
    if (pooling === 'avg' || pooling === 'max') return ok([batch, r.app.features]);
    if (cfg.get('pooling')?.kind !== 'none' && pooling === null) return ok(null);
    return ok([batch, ...map, r.app.features]);
  },
  params(cfg, [s]): Params | null {
    const r = resolve(cfg, s);
    if (!r || 'issue' in r) return null;
    const channels = r.input[2] ?? null;
    if (channels === null) return null;
    const { app } = r;
    const base = app.trainable + app.perChannel * (channels - 3);
    const frozen = app.nonTrainable + (app.perChannelFrozen ?? 0) * (channels - 3);
    const top = cfg.bool('include_top');
    if (top === null) return null;
    if (!top) return { trainable: base, nonTrainable: frozen };
    const classes = asInt(cfg.get('classes'));
    if (classes === null) return null;
    let head = app.features * classes + classes;
    if (app.convTop !== undefined)
      head = app.features * app.convTop + app.convTop + app.convTop * classes + classes;
    if (app.top === 'vgg') {
      const map = featureMap(r.input, app);
      if (map === 'negative' || map[0] === null || map[1] === null) return null;
      const flat = map[0] * map[1] * app.features;
      head = flat * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * classes + classes;
    }
    return { trainable: base + head, nonTrainable: frozen };
  },
};

/** Keras's name for a counted application built without `name=`, or null (see `applicationName`). */
export function applicationDefaultName(cfg: Config): string | null {
  const app = APPLICATIONS[cfg.str('application') ?? ''];
  if (!app?.named) return null;
  const d = declaredInput(cfg);
  if (!d || 'issue' in d) return null;
  let rows: Dim = d.input[0] ?? null;
  const weights = weightsOf(cfg);
  if (weights === 'unknown') return null;
  if (
    weights === 'imagenet' &&
    (rows !== d.input[1] || rows === null || !app.sizes!.includes(rows))
  )
    rows = 224;
  return `${app.named}_1.00_${rows === null ? 'None' : rows}`;
}
