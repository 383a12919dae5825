/** LineIndex: the one offset <-> line/column mapping, for LF, CRLF and lone-CR texts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineIndex } from '../../../analyzer/lines';

const STYLES = [
  ['LF', '\n'],
  ['CRLF', '\r\n'],
  ['CR', '\r'],
] as const;

describe('LineIndex', () => {
  for (const [style, eol] of STYLES) {
    describe(`${style} line endings`, () => {
      const lines = ['import keras', '', 'x = 1  # noqa', 'y'];
      const text = lines.join(eol);
      const index = new LineIndex(text);

      test('counts lines and gives each line its text without the break', () => {
        assert.equal(index.lineCount, 4);
        assert.deepEqual(
          [0, 1, 2, 3].map((l) => index.lineText(l)),
          lines,
        );
      });

      test('positions and offsets round-trip at every character', () => {
        for (let offset = 0; offset <= text.length; offset++) {
          const p = index.position(offset);
          const inBreak = text[offset - 1] === '\r' && text[offset] === '\n';
          if (inBreak) continue; // between \r and \n: the end of the line (tested below)
          assert.equal(index.offsetAt(p.line, p.character), offset, `offset ${offset}`);
        }
        const y = text.lastIndexOf('y');
        assert.deepEqual(index.position(y), { line: 3, character: 0 });
        assert.deepEqual(index.position(text.indexOf('#')), { line: 2, character: 7 });
      });

      test('line starts, content ends and inclusive ends', () => {
        const third = text.indexOf('x');
        assert.equal(index.lineStart(2), third);
        assert.equal(index.lineEnd(2), third + 'x = 1  # noqa'.length);
        assert.equal(index.lineEndInclusive(2), third + 'x = 1  # noqa'.length + eol.length);
        assert.equal(index.lineEndInclusive(3), text.length);
      });
    });
  }

  test('an offset between \\r and \\n is the end of its line, as in VS Code', () => {
    const index = new LineIndex('ab\r\ncd');
    assert.deepEqual(index.position(3), { line: 0, character: 2 });
    assert.equal(index.lineAt(3), 0);
  });

  test('columns count UTF-16 code units (an emoji is two, as LSP counts)', () => {
    const index = new LineIndex('s = "😀"\rx');
    assert.deepEqual(index.position('s = "😀"'.length), { line: 0, character: 8 });
    assert.deepEqual(index.position('s = "😀"\r'.length), { line: 1, character: 0 });
  });

  test('offsets past the end and lines past the last are clamped, never NaN', () => {
    const index = new LineIndex('a\nbc');
    assert.deepEqual(index.position(99), { line: 1, character: 2 });
    assert.deepEqual(index.position(-5), { line: 0, character: 0 });
    assert.equal(index.offsetAt(7, 0), 2);
    assert.equal(index.offsetAt(0, 40), 1);
  });

  test('an empty text has one empty line', () => {
    const index = new LineIndex('');
    assert.equal(index.lineCount, 1);
    assert.deepEqual(index.position(0), { line: 0, character: 0 });
  });

  test('LineIndex.of reuses the index of the same text and rebuilds for another', () => {
    const a = LineIndex.of('one\ntwo');
    assert.equal(LineIndex.of('one\ntwo'), a);
    const b = LineIndex.of('one\rtwo');
    assert.notEqual(b, a);
    assert.equal(b.lineCount, 2);
  });
});
