/** The Keras graph builder on call sites built by hand: no syntax, no policy. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Arg, CallSite, LayerNode, ModelNode } from '../../../../analyzer/graph';
import { GraphBuilder } from '../../../../analyzer/python/graph-builder';
import { asString, int, NONE, str, type Value } from '../../../../analyzer/python/values';

const at = { from: 0, to: 0 };

/** A call site with these arguments (`[null, v]` positional, `['name', v]` keyword). */
function site(...args: Array<[string | null, Value]>): CallSite {
  const list: Arg[] = args.map(([keyword, value]) => ({
    keyword,
    param: keyword,
    value,
    span: at,
    valueSpan: at,
  }));
  return { span: at, callee: at, argList: at, args: list, splat: false };
}

function layer(g: GraphBuilder, type: string, ...args: Array<[string | null, Value]>): LayerNode {
  const v = g.construct({ kind: 'layer', type }, site(...args), `keras.layers.${type}`);
  assert.equal(v.kind, 'layer');
  return (v as Extract<Value, { kind: 'layer' }>).layer;
}

function sequential(g: GraphBuilder): ModelNode {
  const v = g.construct({ kind: 'sequential' }, site(), 'keras.Sequential');
  assert.equal(v.kind, 'model');
  return (v as Extract<Value, { kind: 'model' }>).model;
}

const tuple = (...dims: number[]): Value => ({ kind: 'tuple', items: dims.map((d) => int(d)) });

describe('graph builder', () => {
  test('automatic names follow the Keras flavour', () => {
    const k3 = new GraphBuilder('keras3');
    const names3 = [layer(k3, 'Dense', [null, int(1)]), layer(k3, 'Dense', [null, int(2)])];
    assert.deepEqual(
      names3.map((l) => l.name),
      ['dense', 'dense_1'],
    );
    const input3 = k3.construct({ kind: 'input' }, site([null, tuple(3)]), 'keras.Input');
    const input2 = new GraphBuilder('tf-keras2').construct(
      { kind: 'input' },
      site([null, tuple(3)]),
      'keras.Input',
    );
    const nameOf = (v: Value) => (v.kind === 'tensor' ? v.tensor.producer?.layer.name : null);
    assert.equal(nameOf(input3), 'input_layer');
    assert.equal(nameOf(input2), 'input_1');
    assert.equal(layer(k3, 'LSTM', ['name', str('encoder')]).name, 'encoder');
  });

  test('a Sequential model finished again (after every playground cell) is rebuilt, not extended', () => {
    const g = new GraphBuilder(undefined);
    const model = sequential(g);
    const dense = layer(g, 'Dense', [null, int(4)]);
    g.method(
      model,
      'add',
      site([null, g.construct({ kind: 'input' }, site([null, tuple(3)]), 'keras.Input')]),
    );
    assert.equal(g.method(model, 'add', site([null, { kind: 'layer', layer: dense }])), NONE);
    g.finishAll();
    g.finish(model);
    assert.equal(model.calls.length, 1);
    assert.equal(dense.calls.length, 1);
    assert.deepEqual(model.outputs[0]!.shape, [null, 4]);
    assert.equal(model.opaque, false);
  });

  test('layers added where the evaluator could not follow make the model opaque', () => {
    const g = new GraphBuilder(undefined);
    const model = sequential(g);
    g.method(model, 'build', site([null, { kind: 'tuple', items: [NONE, int(3)] }]));
    g.method(
      model,
      'add',
      site([null, { kind: 'layer', layer: layer(g, 'Dense', [null, int(2)]) }]),
    );
    g.finish(model);
    assert.deepEqual(model.outputs[0]!.shape, [null, 2]);
    g.markOpaque(model);
    g.finish(model);
    assert.equal(model.opaque, true);
    assert.equal(model.outputs[0]!.shape, null);
  });

  test('graph methods are add, build and compile; others are left to the policy', () => {
    const g = new GraphBuilder(undefined);
    const model = sequential(g);
    assert.equal(g.method(model, 'fit', site()), undefined);
    assert.equal(g.method(model, 'summary', site()), undefined);
    assert.equal(g.method(model, 'compile', site(['loss', str('mse')])), NONE);
    assert.equal(asString(model.compile?.optimizer), 'rmsprop', "Keras's default optimizer");
    assert.equal(asString(model.compile?.loss), 'mse');
  });

  test('a functional model holds the calls between its inputs and outputs', () => {
    const g = new GraphBuilder(undefined);
    const x = g.construct({ kind: 'input' }, site([null, tuple(5, 2)]), 'keras.Input');
    const unused = layer(g, 'Dense', [null, int(9)]);
    g.applyLayer(unused, site([null, x]));
    const y = g.applyLayer(layer(g, 'LSTM', [null, int(6)]), site([null, x]));
    const v = g.construct({ kind: 'model' }, site([null, x], [null, y]), 'keras.Model');
    const model = (v as Extract<Value, { kind: 'model' }>).model;
    g.finish(model);
    assert.deepEqual(
      model.layers.map((l) => l.type),
      ['InputLayer', 'LSTM'],
    );
    assert.deepEqual(model.outputs[0]!.shape, [null, 6]);
    assert.equal(model.inputSource, 'Input');
    const opaque = g.unknownTensor();
    assert.equal(opaque.kind === 'tensor' && opaque.tensor.shape, null);
  });
});
