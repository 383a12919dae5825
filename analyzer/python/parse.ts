/** Parsing Python text with @lezer/python, robust against two of its limits. */
import type { Tree } from '@lezer/common';
import { parser } from '@lezer/python';

export type ParseResult = { tree: Tree; error: string | null };

/**
 * Parses Python text. lezer/lr 1.4 counts repeat reductions (such as a script's statement list)
 * as "big left-associative reductions" and, after 300 of them, forces the parse stack out in the
 * middle of a statement: valid files of short statements get spurious syntax errors past ~4 KB.
 * Resetting that counter between parse steps avoids it. Should the tree then be too deep to
 * build, the stock parse runs instead; and input nested beyond what lezer can recurse through
 * yields an empty tree with an error, never an exception.
 */
export function parsePython(source: string): ParseResult {
  // A BOM or form feed is whitespace to Python; same-length spaces keep every offset true.
  const text = source.replace(/^\uFEFF/, ' ').replace(/\f/g, ' ');
  try {
    const parse = parser.startParse(text) as ReturnType<typeof parser.startParse> & {
      bigReductionCount?: number;
    };
    for (;;) {
      const tree = parse.advance();
      if (tree) return { tree, error: null };
      if (parse.bigReductionCount !== undefined) parse.bigReductionCount = 0;
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  try {
    return { tree: parser.parse(text), error: null };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return {
      tree: parser.parse(''),
      error:
        'the file is nested too deeply to parse (brackets or expressions thousands of levels deep)',
    };
  }
}
