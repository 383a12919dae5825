/** The evaluator's bounds: no input makes it throw, hang or allocate without bound. */

/** Deepest wrapper nesting followed (`Bidirectional(TimeDistributed(...))`); deeper is unknown. */
export const MAX_WRAP_DEPTH = 8;
/** Most iterations a `for` loop is unrolled; longer loops are opaque. */
export const MAX_UNROLL = 1_000;
/** Total evaluation steps per text, so nested loops cannot multiply into a hang. */
export const STEP_BUDGET = 400_000;
/** Deepest expression nesting followed; deeper expressions are unknown (no stack overflow). */
export const MAX_DEPTH = 120;
/** At most this many notes per text, so a binary file does not print a page of them. */
export const MAX_NOTES = 20;
/** Deepest container nesting searched for live models; deeper containers are not held onto. */
export const MAX_LIVE_DEPTH = 8;
