/**
 * Worker side of the fuzz harness: analyses each text it receives (analyze, then summarize and
 * format every model, then map each model back to a line) and reports what happened. Running in
 * a worker lets the test stop an analysis that never ends (a hang is a failure, not a stuck CI).
 */
import { parentPort } from 'node:worker_threads';
import { analyze } from '../../../analyzer/python/evaluate';
import { SourceDoc } from '../../../notebook/cells';
import { formatSummary, summarize } from '../../../analyzer/summary';

/** A batch of texts to analyse, one after the other. */
export interface Job {
  id: number;
  texts: string[];
}

export type Outcome =
  | { ok: true; ms: number; models: number; layers: number; notes: number }
  | { ok: false; ms: number; error: string };

export interface Reply {
  id: number;
  outcomes: Outcome[];
}

/** Everything a surface does with one text; throws whatever escapes the analyzer. */
function exercise(text: string): { models: number; layers: number; notes: number } {
  const analysis = analyze(text);
  const index = SourceDoc.python(text);
  for (const model of analysis.models) {
    formatSummary(summarize(model));
    index.position(model.site.span.from);
  }
  for (const note of analysis.notes) index.position(note.span.from);
  return {
    models: analysis.models.length,
    layers: analysis.layers.length,
    notes: analysis.notes.length,
  };
}

/** A one-line description of anything thrown, Error or not (the first line is the signature). */
function describe(e: unknown): string {
  if (e instanceof Error) {
    const frame = e.stack?.split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
    return `${e.name}: ${e.message}\n${frame.trim()}`;
  }
  const ctor = (e as { constructor?: { name?: string } } | null)?.constructor?.name;
  return `non-Error thrown: ${ctor ?? typeof e}`;
}

function run(text: string): Outcome {
  const start = performance.now();
  let outcome: Outcome;
  try {
    outcome = { ok: true, ms: 0, ...exercise(text) };
  } catch (e) {
    outcome = { ok: false, ms: 0, error: describe(e) };
  }
  outcome.ms = performance.now() - start;
  return outcome;
}

parentPort?.on('message', (job: Job) => {
  const reply: Reply = { id: job.id, outcomes: job.texts.map(run) };
  parentPort?.postMessage(reply);
});
