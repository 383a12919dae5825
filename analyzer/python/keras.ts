/** Resolves qualified names (`tf.keras.layers.LSTM`, `keras.Input`) to the Keras API they mean. */
import { LAYER_ALIASES, LAYERS } from '../layers/index';
import { RNNLAB_NAMES } from './rnnlab';

export type KerasSymbol =
  | { kind: 'layer'; type: string }
  /** A functional merge (`concatenate([a, b])`): builds the layer and applies it at once. */
  | { kind: 'merge'; type: string }
  /** A `keras.applications` model constructor (`VGG16(...)`), which the analyzer does not model. */
  | { kind: 'application'; name: string }
  /** `load_model(...)`: a model whose layers are in a file, not in the text. */
  | { kind: 'loadModel' }
  | { kind: 'input' }
  | { kind: 'sequential' }
  | { kind: 'model' }
  | { kind: 'optimizer'; name: string }
  | { kind: 'loss'; name: string };

/** Package prefixes under which the Keras API is published. */
const PREFIXES = [
  'tensorflow.compat.v1.keras.',
  'tensorflow.compat.v2.keras.',
  'tensorflow.python.keras.',
  'tensorflow.keras.',
  'tf_keras.',
  'keras.src.',
  'keras.api.',
  'keras.',
];

/** Optimizer classes and their default learning rates (Keras 3 and tf.keras 2 agree on these). */
export const OPTIMIZER_DEFAULT_LR: Readonly<Record<string, number>> = {
  Adam: 0.001,
  AdamW: 0.001,
  Adamax: 0.001,
  Nadam: 0.001,
  RMSprop: 0.001,
  SGD: 0.01,
  Adagrad: 0.001,
  Adadelta: 0.001,
  Ftrl: 0.001,
  Lion: 0.001,
};

/** The functional forms of the merge layers (`keras.layers.concatenate`) and the class each builds. */
export const MERGE_FUNCTIONS: Readonly<Record<string, string>> = {
  concatenate: 'Concatenate',
  add: 'Add',
  subtract: 'Subtract',
  multiply: 'Multiply',
  average: 'Average',
  maximum: 'Maximum',
  minimum: 'Minimum',
  dot: 'Dot',
};

/**
 * The names Keras gives the `keras.applications` models it builds (keras/src/applications, the
 * `name=` default of each constructor); the others are named from their arguments.
 */
const APPLICATION_NAMES: Readonly<Record<string, string>> = {
  VGG16: 'vgg16',
  VGG19: 'vgg19',
  ResNet50: 'resnet50',
  ResNet101: 'resnet101',
  ResNet152: 'resnet152',
  ResNet50V2: 'resnet50v2',
  ResNet101V2: 'resnet101v2',
  ResNet152V2: 'resnet152v2',
  Xception: 'xception',
  InceptionV3: 'inception_v3',
  InceptionResNetV2: 'inception_resnet_v2',
  DenseNet121: 'densenet121',
  DenseNet169: 'densenet169',
  DenseNet201: 'densenet201',
  NASNetMobile: 'nasnet_mobile',
  NASNetLarge: 'nasnet_large',
  MobileNetV3Small: 'MobileNetV3Small',
  MobileNetV3Large: 'MobileNetV3Large',
};

/** Keras's name for an application model built without `name=`, or null where it depends on arguments. */
export function applicationName(cls: string): string | null {
  const efficient = /^EfficientNetB([0-7])$/.exec(cls);
  if (efficient) return `efficientnetb${efficient[1]}`;
  return APPLICATION_NAMES[cls] ?? null;
}

/** Keras class names a layer module exports that the analyzer does not model (shapes unknown). */
const OTHER_LAYERS = new Set([
  'Conv1DTranspose',
  'SeparableConv1D',
  'DepthwiseConv1D',
  'ActivityRegularization',
  'Lambda',
  'TextVectorization',
  'StringLookup',
  'IntegerLookup',
  'Normalization',
  'UnitNormalization',
  'GroupNormalization',
  'SpatialDropout2D',
  'Identity',
]);

/** Classes of the layers module that are not layers one builds into a model. */
const NOT_LAYERS = new Set(['Layer', 'InputSpec', 'Wrapper']);

// Which Keras a file's imports show is decided in one place.
export { keras2Only } from '../versions';

/** Maps a qualified name to the Keras API it names, or null when it is not Keras. */
export function resolveKeras(path: string): KerasSymbol | null {
  const prefix = PREFIXES.find((p) => path.startsWith(p));
  if (!prefix) return null;
  const parts = path.slice(prefix.length).split('.');
  const last = parts.pop() ?? '';
  const module = parts.join('.');
  if (last === 'Input' && (module === '' || module === 'layers')) return { kind: 'input' };
  if (module === '' || module === 'models' || module.startsWith('models.')) {
    if (last === 'Sequential') return { kind: 'sequential' };
    if (last === 'Model' || last === 'Functional') return { kind: 'model' };
  }
  if (module === 'layers' || module.startsWith('layers.')) {
    const type = LAYER_ALIASES[last] ?? last;
    if (LAYERS.has(type) || OTHER_LAYERS.has(type)) return { kind: 'layer', type };
    // Any other class of the layers module is a layer too, one the analyzer does not model.
    if (/^[A-Z]/.test(last) && !NOT_LAYERS.has(last)) return { kind: 'layer', type };
    const merge = MERGE_FUNCTIONS[last];
    if (merge) return { kind: 'merge', type: merge };
  }
  if ((module === 'applications' || module.startsWith('applications.')) && /^[A-Z]/.test(last))
    return { kind: 'application', name: last };
  if (last === 'load_model' && (module === 'models' || module === 'saving' || module === ''))
    return { kind: 'loadModel' };
  // Loss classes (`losses.CategoricalCrossentropy`); loss functions stay plain references.
  if (module === 'losses' && /^[A-Z]/.test(last)) return { kind: 'loss', name: snakeCase(last) };
  if (
    (module === 'optimizers' || module.startsWith('optimizers.')) &&
    last in OPTIMIZER_DEFAULT_LR
  ) {
    return { kind: 'optimizer', name: last };
  }
  return null;
}

/** The part of a Keras path after its package prefix (`callbacks.EarlyStopping`), or null. */
export function kerasTail(path: string): string | null {
  const prefix = PREFIXES.find((p) => path.startsWith(p));
  return prefix ? path.slice(prefix.length) : null;
}

/** The names a star import of a Keras module (or of the playground's `rnnlab`) binds. */
export function starNames(modulePath: string): string[] {
  if (modulePath === 'rnnlab') return [...RNNLAB_NAMES];
  const prefix = PREFIXES.find((p) => `${modulePath}.`.startsWith(p));
  if (!prefix && modulePath !== 'keras' && modulePath !== 'tf_keras') return [];
  const module = `${modulePath}.`.slice(prefix ? prefix.length : 0).replace(/\.$/, '');
  if (module === 'layers' || module.startsWith('layers.')) {
    return [
      // Functional stands for keras.applications models; keras.layers has no such class.
      ...[...LAYERS.keys()].filter((k) => k !== 'Functional'),
      ...OTHER_LAYERS,
      ...Object.keys(LAYER_ALIASES),
      ...Object.keys(MERGE_FUNCTIONS),
      'Input',
    ];
  }
  if (module === 'models') return ['Sequential', 'Model', 'load_model'];
  if (module === 'optimizers') return Object.keys(OPTIMIZER_DEFAULT_LR);
  if (module === '') return ['Sequential', 'Model', 'Input', 'layers', 'models', 'optimizers'];
  return [];
}

/** Keras's automatic layer name base: `SimpleRNN` → `simple_rnn`, `Conv1D` → `conv1d`. */
export function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
