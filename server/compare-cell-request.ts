/** rnnlab/comparisonPlan: which model, and its plan (./compare-cell), or an error a user can act on. */
import { LSPErrorCodes, ResponseError, type Position } from 'vscode-languageserver';
import { planComparison } from './compare-cell';
import { cellIndex, fileName, toRange, tooLargeMessage } from './features';
import type { Linted } from './linter';
import { modelAt } from './model-summary';
import type { ComparisonPlanErrorData, ComparisonPlanResult } from './protocol';

function fail(
  reason: ComparisonPlanErrorData['reason'],
  message: string,
): ResponseError<ComparisonPlanErrorData> {
  return new ResponseError(LSPErrorCodes.RequestFailed, message, { reason });
}

/** The plan for the model at `position` in document `uri` of the unit (null: not open). */
export function comparisonPlan(
  linted: Linted | null,
  uri: string,
  position: Position,
): ComparisonPlanResult | ResponseError<ComparisonPlanErrorData> {
  if (!linted)
    return fail(
      'notOpen',
      `${uri} is not open in the RNN Lab server, or is not what it reads (a Python or rnnlab document, or a notebook's code cell)`,
    );
  const { source, analysis, tooLarge } = linted.analysed;
  const name = fileName(linted.unit.key);
  if (tooLarge) return fail('tooLarge', tooLargeMessage(name, tooLarge));
  const offset = source.offsetAt(cellIndex(linted, uri), position);
  const model = modelAt(analysis, offset);
  if (!model)
    return fail(
      'noModel',
      `${name} builds no Keras model that RNN Lab can read: put the cursor in a model's code and try again`,
    );
  const sameUnit = (a: number, b: number) => source.sliceAt(a).cell === source.sliceAt(b).cell;
  const result = planComparison(source.text, linted.findings, model, sameUnit);
  if ('error' in result) return fail('nothingToCompare', result.error);
  const at = source.range(result.plan.span);
  const doc = linted.unit.docs[at.cell];
  if (!doc) return fail('noModel', `${name}: the model's cell is no longer open`);
  return {
    plan: result.plan,
    location: { uri: doc.uri, range: toRange(at) },
    notebook: linted.unit.notebook,
  };
}
