/** Small helpers shared by the unit tests. */
import type { Analysis, LayerNode, ModelNode } from '../../analyzer/graph';
import { analyze } from '../../analyzer/python/evaluate';
import { summarize, type ModelSummary } from '../../analyzer/summary';

/** Analyses Python text and returns the analysis (asserting nothing). */
export function run(src: string): Analysis {
  return analyze(src);
}

/** The only model in the text; throws when there is not exactly one. */
export function onlyModel(src: string): ModelNode {
  const a = analyze(src);
  if (a.models.length !== 1) throw new Error(`expected one model, found ${a.models.length}`);
  return a.models[0]!;
}

/** Summary of the only model in the text. */
export function summary(src: string): ModelSummary {
  return summarize(onlyModel(src));
}

/** `[name, outputShape, params]` per row, for compact assertions. */
export function rows(src: string): Array<[string, string, number | null]> {
  return summary(src).rows.map((r) => [r.name, r.outputShape, r.params]);
}

/** The layer of a given type in the text (the first one). */
export function layerOf(a: Analysis, type: string): LayerNode {
  const l = a.layers.find((x) => x.type === type);
  if (!l) throw new Error(`no ${type} layer`);
  return l;
}
