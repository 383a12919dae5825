/**
 * The kernel's state across cells, like a Jupyter kernel's namespace: the interpreter (names,
 * models), the TensorFlow.js models built from the graphs, and the runtime behind `datasets`,
 * print, fit, evaluate, predict and summary.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { CallSite, ModelNode } from '../analyzer/graph';
import { kerasTail } from '../analyzer/python/keras';
import { CellError, Interpreter, type Host } from '../analyzer/python/evaluate';
import {
  asItems,
  asNumber,
  asString,
  float,
  int,
  NONE,
  str,
  type Span,
  type Value,
} from '../analyzer/python/values';
import { SourceDoc } from '../notebook/cells';
import { summarize } from '../analyzer/summary';
import { BuildError, buildModel } from './tfjs/build';
import { bind as bindDataset, call as callDataset, DatasetError } from './data/index';
import { array, asArray, bind, checkData, KernelError, numberArg } from './args';
import { describeModel, FIT_PARAMS, fitArguments, likelyCause, runFit } from './fit';
import { COMPARE_PARAMS, compareValue, runComparison, seedList } from './compare';
import { display } from './display';
import { showMasks } from './show-masks';
import type { Done, Failed, FromWorker } from './protocol';
import { derive } from './random';
import {
  evaluate,
  lossName,
  makeOptimizer,
  metricName,
  predict,
  type ArrayData,
  type EarlyStopping,
  type TrainConfig,
} from './train';

export interface SessionOptions {
  seed: number;
  maxEpochs?: number;
  workspace?: string;
  emit(msg: FromWorker): void;
  /** Polled between batches. */
  shouldStop(): boolean;
}

interface Built {
  model: LayersModel;
  optimizer: tf.Optimizer | null;
  /** The compile settings the optimizer was made for. */
  compiledFor: string;
  config: TrainConfig | null;
}

/** An abort inside the WebAssembly module (out of memory): the backend is unusable after it. */
export function isWasmAbort(e: unknown): boolean {
  const text = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /RuntimeError|Aborted\(|abort\(|Cannot enlarge memory|Out of memory|OOM/i.test(text);
}

export class KernelSession {
  private readonly interpreter: Interpreter;
  private readonly built = new Map<ModelNode, Built>();
  private execId = '';
  private runs = 0;

  constructor(private readonly options: SessionOptions) {
    const host: Host = {
      allowsImport: (module) => /^(keras|tensorflow|tf_keras|rnnlab|numpy)(\.|$)/.test(module),
      call: (path, site) => this.call(path, site),
      modelMethod: (model, name, site) => this.modelMethod(model, name, site),
      member: (value, name) => this.member(value, name),
    };
    this.interpreter = new Interpreter(host);
  }

  /** Runs one cell; reports outputs through `emit` and returns the closing message. */
  runCell(execId: string, code: string): Done | Failed {
    this.execId = execId;
    const started = performance.now();
    try {
      this.interpreter.run(code);
      return { type: 'done', execId, ok: true, ms: performance.now() - started };
    } catch (e) {
      return this.failure(execId, code, e);
    } finally {
      this.collect();
    }
  }

  private failure(execId: string, code: string, e: unknown): Failed {
    let kind: Failed['kind'] = 'internal';
    let span: Span | null = null;
    let message = e instanceof Error ? e.message : String(e);
    if (e instanceof CellError) {
      kind = 'cell';
      span = e.span;
    } else if (e instanceof KernelError) {
      kind = e.kind;
      span = e.span;
    } else if (e instanceof BuildError) {
      kind = 'build';
      span = e.span;
    } else if (e instanceof DatasetError) {
      kind = 'data';
    } else if (
      e instanceof RangeError &&
      /allocation failed|Invalid typed array length|Invalid array buffer length/i.test(message)
    ) {
      // A JavaScript allocation failed: the backend is intact and the namespace survives.
      kind = 'cell';
      message = `out of memory: a tensor is too large to allocate (${message}); use smaller layers, inputs or batches`;
    } else if (isWasmAbort(e)) {
      kind = 'memory';
      message = `the WebAssembly backend ran out of memory (${message}); the kernel must restart, and the namespace is lost`;
    } else {
      // A bug in RNN Lab: keep where it happened, for the report.
      const where =
        e instanceof Error
          ? (e.stack ?? '')
              .split('\n')
              .slice(1, 4)
              .map((l) => l.trim())
              .join(' | ')
          : '';
      message = `internal error: ${message}${where ? ` (${where})` : ''}`;
    }
    const at = span ? SourceDoc.python(code).position(span.from) : null;
    return {
      type: 'failed',
      execId,
      kind,
      message,
      line: at?.line ?? null,
      column: at?.column ?? null,
    };
  }

  /** Disposes the TensorFlow.js models of graphs no name refers to any more. */
  private collect(): void {
    // A model is live while some name in the namespace holds it.
    const live = this.interpreter.liveModels();
    for (const [node, b] of this.built) {
      if (live.has(node)) continue;
      b.model.dispose();
      b.optimizer?.dispose();
      this.built.delete(node);
    }
  }

  // ---- host hooks ---------------------------------------------------------------------------

  private call(path: string, site: CallSite): Value | undefined {
    if (path === 'builtins.print') {
      const text = site.args
        .filter((a) => a.keyword === null)
        .map((a) => display(a.value))
        .join(' ');
      this.options.emit({ type: 'stream', execId: this.execId, text: `${text}\n` });
      return NONE;
    }
    if (path.startsWith('rnnlab.datasets.'))
      return this.dataset(path.slice('rnnlab.datasets.'.length), site);
    if (path === 'rnnlab.compare') return this.compare(site);
    if (path === 'rnnlab.show_masks') {
      const data = showMasks(site, (m, span) => this.ensureBuilt(m, span, false).model);
      this.options.emit({ type: 'display', execId: this.execId, data });
      return NONE;
    }
    const tail = kerasTail(path);
    if (tail === 'callbacks.EarlyStopping') {
      const args = bind(site, [
        'monitor',
        'min_delta',
        'patience',
        'verbose',
        'mode',
        'baseline',
        'restore_best_weights',
      ]);
      const monitor = args.get('monitor');
      const es: EarlyStopping = {
        monitor: monitor ? (asString(monitor.value) ?? 'val_loss') : 'val_loss',
        minDelta: Math.abs(numberArg(args, 'min_delta', 0, (n) => n >= 0, 'a number >= 0')),
        patience: numberArg(
          args,
          'patience',
          0,
          (n) => Number.isInteger(n) && n >= 0,
          'a whole number >= 0',
        ),
        restoreBestWeights:
          args.get('restore_best_weights')?.value.kind === 'bool' &&
          (args.get('restore_best_weights')!.value as { value: boolean }).value,
      };
      return { kind: 'host', tag: 'early_stopping', payload: es };
    }
    return undefined;
  }

  private dataset(name: string, site: CallSite): Value {
    const args: Record<string, number | string | boolean | string[]> = {};
    const positional: Array<number | string | boolean | string[]> = [];
    for (const a of site.args) {
      const v = a.value;
      let plain: number | string | boolean | string[];
      if (v.kind === 'int' || v.kind === 'float') plain = v.value;
      else if (v.kind === 'str') plain = v.value;
      else if (v.kind === 'bool') plain = v.value;
      else if (
        (v.kind === 'list' || v.kind === 'tuple') &&
        v.items.every((x) => x.kind === 'str')
      ) {
        plain = v.items.map((x) => (x as { value: string }).value);
      } else
        throw new KernelError(
          'data',
          `argument ${a.keyword ?? a.param ?? ''} of datasets.${name} must be a number, a string or a list of strings`,
          a.span,
        );
      if (a.keyword) args[a.keyword] = plain;
      else positional.push(plain);
    }
    try {
      // `datasets.csv(...)` is the playground's name for the CSV loader.
      const id = name === 'csv' ? 'load_csv' : name;
      const ds = callDataset(id, bindDataset(id, positional, args), {
        workspace: this.options.workspace,
      });
      return {
        kind: 'tuple',
        items: [
          { kind: 'tuple', items: [array(ds.train.x), array(ds.train.y)] },
          { kind: 'tuple', items: [array(ds.val.x), array(ds.val.y)] },
        ],
      };
    } catch (e) {
      if (e instanceof DatasetError)
        throw new KernelError('data', `datasets.${name}: ${e.message}`, site.span);
      throw e;
    }
  }

  private member(value: Extract<Value, { kind: 'host' }>, name: string): Value | undefined {
    if (value.tag === 'array') {
      const a = value.payload as ArrayData;
      if (name === 'shape') return { kind: 'tuple', items: a.shape.map((d) => int(d)) };
      if (name === 'ndim') return int(a.shape.length);
      return undefined;
    }
    if (value.tag === 'history') {
      const h = value.payload as { history: Record<string, number[]>; epoch: number[] };
      if (name === 'history') {
        return {
          kind: 'dict',
          entries: Object.entries(h.history).map(([k, vs]) => [
            str(k),
            { kind: 'list', items: vs.map((v) => float(v)) },
          ]),
        };
      }
      if (name === 'epoch') return { kind: 'list', items: h.epoch.map((e) => int(e)) };
    }
    return undefined;
  }

  private modelMethod(model: ModelNode, name: string, site: CallSite): Value | undefined {
    switch (name) {
      case 'summary': {
        this.options.emit({ type: 'summary', execId: this.execId, summary: summarize(model) });
        return NONE;
      }
      case 'count_params': {
        const total = summarize(model).totalParams;
        return total === null ? undefined : int(total);
      }
      case 'fit':
        return this.fit(model, site);
      case 'evaluate': {
        const args = bind(site, ['x', 'y', 'batch_size', 'verbose']);
        const b = this.ensureBuilt(model, site.span, true);
        const x = asArray(args.get('x')?.value, 'x', site.span);
        const y = asArray(args.get('y')?.value, 'y', site.span);
        checkData(model, x, y, site.span);
        const logs = evaluate(
          b.model,
          b.config!,
          x,
          y,
          numberArg(args, 'batch_size', 32, (n) => n >= 1, 'a whole number >= 1'),
        );
        const values = [logs['loss']!, ...b.config!.metrics.map((m) => logs[m]!)];
        return values.length === 1
          ? float(values[0]!)
          : { kind: 'list', items: values.map((v) => float(v)) };
      }
      case 'predict': {
        const args = bind(site, ['x', 'batch_size', 'verbose']);
        const b = this.ensureBuilt(model, site.span, false);
        const x = asArray(args.get('x')?.value, 'x', site.span);
        checkData(model, x, null, site.span);
        return array(
          predict(
            b.model,
            x,
            numberArg(args, 'batch_size', 32, (n) => n >= 1, 'a whole number >= 1'),
          ),
        );
      }
      default:
        return undefined;
    }
  }

  // ---- models -------------------------------------------------------------------------------

  private trainConfig(model: ModelNode, span: Span): TrainConfig {
    const c = model.compile;
    if (!c)
      throw new KernelError(
        'cell',
        `${model.name} is not compiled: call model.compile(optimizer=..., loss=...) first`,
        span,
      );
    let optName: string;
    let lr: number;
    if (c.optimizerInfo) {
      optName = c.optimizerInfo.name;
      const given = asNumber(c.optimizerInfo.learningRate);
      if (given === null)
        throw new KernelError(
          'cell',
          'the learning rate must be a number',
          c.optimizerSpan ?? span,
        );
      lr = given;
    } else {
      optName = asString(c.optimizer) ?? '';
      lr = optName.toLowerCase() === 'sgd' ? 0.01 : 0.001;
    }
    if (!['adam', 'rmsprop', 'sgd', 'adagrad'].includes(optName.toLowerCase())) {
      throw new KernelError(
        'cell',
        `optimizer ${optName ? `'${optName}'` : display(c.optimizer)} is not available in the playground: use adam, rmsprop, sgd or adagrad`,
        c.optimizerSpan ?? span,
      );
    }
    let loss: TrainConfig['loss'] | null = null;
    if (c.loss.kind === 'str') {
      const n = lossName(c.loss.value);
      if (n) loss = { name: n, fromLogits: false };
    } else if (c.loss.kind === 'loss') {
      const n = lossName(c.loss.name);
      const fl = c.loss.fromLogits;
      if (n) loss = { name: n, fromLogits: fl.kind === 'bool' && fl.value };
    }
    if (!loss) {
      throw new KernelError(
        'cell',
        `loss ${display(c.loss)} is not available in the playground: use mse, mae, huber, binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy`,
        c.lossSpan ?? span,
      );
    }
    const metrics: TrainConfig['metrics'] = [];
    const listed = c.metrics.kind === 'none' ? [] : (asItems(c.metrics) ?? [c.metrics]);
    for (const m of listed) {
      const name = m.kind === 'str' ? metricName(m.value) : null;
      if (!name)
        throw new KernelError(
          'cell',
          `metric ${display(m)} is not available in the playground: use accuracy, mae or mse`,
          span,
        );
      metrics.push(name);
    }
    return { optimizer: { name: optName.toLowerCase(), learningRate: lr }, loss, metrics };
  }

  private ensureBuilt(model: ModelNode, span: Span, needsCompile: boolean): Built {
    let b = this.built.get(model);
    if (!b) {
      b = {
        model: buildModel(model, derive(this.options.seed, model.id)),
        optimizer: null,
        compiledFor: '',
        config: null,
      };
      this.built.set(model, b);
    }
    if (needsCompile || model.compile) {
      const config = model.compile ? this.trainConfig(model, span) : null;
      if (!config)
        throw new KernelError(
          'cell',
          `${model.name} is not compiled: call model.compile(optimizer=..., loss=...) first`,
          span,
        );
      const key = JSON.stringify(config);
      if (key !== b.compiledFor) {
        // A new compile() resets the optimizer's state, as in Keras.
        b.optimizer?.dispose();
        b.optimizer = makeOptimizer(config.optimizer.name, config.optimizer.learningRate);
        b.compiledFor = key;
        b.config = config;
      }
    }
    return b;
  }

  /** `model.fit(...)`: binds its arguments, compiles, trains; returns the History. */
  private fit(model: ModelNode, site: CallSite): Value {
    const args = bind(site, FIT_PARAMS);
    const b = this.ensureBuilt(model, site.span, true);
    const config = b.config!;
    const fitArgs = fitArguments(model, args, site.span, this.options.maxEpochs);
    const runId = `${this.execId}-${++this.runs}`;
    const result = runFit(b.model, b.optimizer!, config, fitArgs, {
      execId: this.execId,
      runId,
      model: model.name,
      description: describeModel(model),
      params: summarize(model).totalParams,
      kernelSeed: this.options.seed,
      seed: derive(this.options.seed, model.id, this.runs),
      emit: (msg) => this.options.emit(msg),
      shouldStop: () => this.options.shouldStop(),
    });
    if (result.stopped === 'user') {
      // Jupyter's KeyboardInterrupt: the fit raises, so nothing after it in the cell runs; the
      // variables keep the weights trained so far, as in Keras.
      const at = result.stoppedAt!;
      throw new KernelError(
        'interrupted',
        `stopped at epoch ${at.epoch + 1}/${fitArgs.epochs}, batch ${at.batch + 1}/${result.batchesPerEpoch}; the weights trained so far are kept (the rest of the cell did not run; a new fit continues from them)`,
        site.span,
      );
    }
    if (result.stopped === 'diverged') {
      const at = result.stoppedAt!;
      throw new KernelError(
        'diverged',
        `training stopped: the loss became ${String(result.batchLoss.at(-1))} at epoch ${at.epoch + 1}, batch ${at.batch + 1}. ${likelyCause(model, config)}`,
        site.span,
      );
    }
    const epochsRun = result.history['loss']?.length ?? 0;
    return {
      kind: 'host',
      tag: 'history',
      payload: { history: result.history, epoch: Array.from({ length: epochsRun }, (_, i) => i) },
    };
  }

  /**
   * `rnnlab.compare(variants, x, y, validation_data=..., epochs=, batch_size=, seeds=)`: every
   * variant trained for every seed (kernels/compare.ts); returns each variant's results. An
   * interrupt raises after the comparison's output shows the runs that finished.
   */
  private compare(site: CallSite): Value {
    const args = bind(site, COMPARE_PARAMS);
    const given = args.get('variants');
    const entries = given?.value.kind === 'dict' ? given.value.entries : null;
    if (!given || !entries?.length)
      throw new KernelError(
        'cell',
        'variants must be a dict of names to compiled models, like {"dropout_layer": a, "gru_dropout": b}',
        given?.span ?? site.span,
      );
    const variants = entries.map(([key, value]) => {
      const name = asString(key);
      if (name === null || value.kind !== 'model')
        throw new KernelError(
          'cell',
          `variants must map names (strings) to models, got ${display(key)}: ${display(value)}`,
          given.span,
        );
      return {
        name,
        graph: value.model,
        config: this.trainConfig(value.model, given.span),
        description: describeModel(value.model),
        params: summarize(value.model).totalParams,
      };
    });
    const losses = [...new Set(variants.map((v) => v.config.loss.name))];
    if (losses.length > 1)
      throw new KernelError(
        'cell',
        `the variants are compared by val_loss, so they must share one loss: ${variants.map((v) => `${v.name} has ${v.config.loss.name}`).join(', ')}`,
        given.span,
      );
    const x = asArray(args.get('x')?.value, 'x', site.span);
    const y = asArray(args.get('y')?.value, 'y', site.span);
    const vd = args.get('validation_data');
    const pair = vd && vd.value.kind !== 'none' ? asItems(vd.value) : null;
    if (!vd || !pair || pair.length !== 2)
      throw new KernelError(
        'cell',
        'rnnlab.compare needs validation_data=(x_val, y_val): it compares the variants by validation loss',
        vd?.span ?? site.span,
      );
    const validation = {
      x: asArray(pair[0], 'validation_data[0]', vd.span),
      y: asArray(pair[1], 'validation_data[1]', vd.span),
    };
    for (const v of variants) {
      checkData(v.graph, x, y, site.span);
      checkData(v.graph, validation.x, validation.y, vd.span);
    }
    const whole = (n: number) => Number.isInteger(n) && n >= 1;
    let epochs = numberArg(args, 'epochs', 1, whole, 'a whole number >= 1');
    if (this.options.maxEpochs !== undefined) epochs = Math.min(epochs, this.options.maxEpochs);
    const batchSize = numberArg(args, 'batch_size', 32, whole, 'a whole number >= 1');
    const seedsArg = args.get('seeds');
    const seeds = seedList(seedsArg?.value, seedsArg?.span ?? site.span);
    const { output, stop } = runComparison(
      { variants, x, y, validation, epochs, batchSize, seeds },
      {
        execId: this.execId,
        kernelSeed: this.options.seed,
        runId: () => `${this.execId}-${++this.runs}`,
        emit: (msg) => this.options.emit(msg),
        shouldStop: () => this.options.shouldStop(),
      },
    );
    if (stop) {
      const done = output.variants.reduce((n, v) => n + v.runs.length, 0);
      throw new KernelError(
        'interrupted',
        `stopped during ${stop.variant} seed ${stop.seed} at epoch ${stop.epoch + 1}/${epochs}, batch ${stop.batch + 1}/${stop.batchesPerEpoch}; the comparison's output keeps the ${done} of ${output.plan.length} runs that finished (the rest of the cell did not run)`,
        site.span,
      );
    }
    return compareValue(output);
  }
}
