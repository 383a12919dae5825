/**
 * Code lenses: "Show Dropout Masks" above every dropout of a model in a playground cell (the
 * layers whose hover has a mask, server/masks.ts). Its command, SHOW_MASKS_COMMAND, is the
 * client's: it inserts a cell with the lens's code below the lens's cell. Pure.
 */
import type { CodeLens } from 'vscode-languageserver';
import type { LayerNode, ModelNode } from '../analyzer/graph';
import type { Linted } from './linter';
import { cellIndex, toRange } from './features';
import { maskFacts } from './masks';
import { SHOW_MASKS_COMMAND, type ShowMasksArgs } from './protocol';

/** The name a model is bound to where it is built (`model = keras.Sequential(...)`), or null. */
export function modelVariable(text: string, model: ModelNode): string | null {
  const lineStart = text.lastIndexOf('\n', model.site.span.from - 1) + 1;
  const m = /^[ \t]*([A-Za-z_]\w*)\s*=\s*$/.exec(text.slice(lineStart, model.site.span.from));
  return m ? m[1]! : null;
}

/** The training inputs the playground's data set gave (`(x_train, y_train), ... = datasets.x(`). */
export function trainingInputs(text: string): string | null {
  const m =
    /\(\s*([A-Za-z_]\w*)\s*,\s*[A-Za-z_]\w*\s*\)\s*,\s*[^=\n]*=\s*[\w.]*datasets\.\w+\s*\(/.exec(
      text,
    );
  return m ? m[1]! : null;
}

/** The lenses of one document of a playground unit (none elsewhere). */
export function maskLenses(linted: Linted, uri: string): CodeLens[] {
  if (linted.unit.kind !== 'playground') return [];
  const cell = cellIndex(linted, uri);
  const { source, analysis } = linted.analysed;
  const x = trainingInputs(source.text) ?? 'x_train';
  const out: CodeLens[] = [];
  const seen = new Set<number>();
  for (const layer of analysis.layers) {
    const owner = analysis.layers.find((l) => l.inner === layer || l.backward === layer) ?? null;
    if (!maskFacts(layer, owner)) continue;
    const top: LayerNode = owner ?? layer;
    const model = analysis.models.find((m) => m.layers.includes(top));
    if (!model) continue;
    const range = source.range(layer.site.callee);
    // One lens a line: a wrapper and its layer on one line share it.
    if (range.cell !== cell || seen.has(range.start.line)) continue;
    seen.add(range.start.line);
    const name = modelVariable(source.text, model) ?? model.name;
    const args: ShowMasksArgs = {
      cell: uri,
      code: `import rnnlab\nrnnlab.show_masks(${name}, ${x})`,
    };
    out.push({
      range: toRange(range),
      command: { title: 'Show Dropout Masks', command: SHOW_MASKS_COMMAND, arguments: [args] },
    });
  }
  return out;
}
