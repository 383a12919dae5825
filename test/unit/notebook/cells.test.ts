/** The document model: analysed text of documents and notebooks, and offsets back to cells. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blankMagics, SourceMap } from '../../../notebook/cells';
import { lint } from '../../../lint/index';
import { analyze } from '../../../analyzer/python/evaluate';
import { applyToCells } from '../server/edit-helpers';

const IMPORTS =
  'from keras.layers import Dropout, LSTM, Dense, Input\nfrom keras import Sequential';
const MODEL = [
  'm = Sequential([',
  '    Input((50, 3)),',
  '    Dropout(0.5),',
  '    LSTM(64),',
  '    Dense(1),',
  '])',
].join('\n');

describe('SourceMap of one document', () => {
  test('positions are 0-based lines and UTF-16 characters', () => {
    const map = SourceMap.ofDocument('ab\ncd\n\u00e9\u{1F600}x');
    assert.equal(map.text, 'ab\ncd\n\u00e9\u{1F600}x');
    assert.deepEqual(map.position(0), { cell: 0, line: 0, character: 0 });
    assert.deepEqual(map.position(4), { cell: 0, line: 1, character: 1 });
    // é is one UTF-16 unit, the emoji two: x is at character 3.
    assert.deepEqual(map.position(9), { cell: 0, line: 2, character: 3 });
    assert.deepEqual(map.position(10), { cell: 0, line: 2, character: 4 });
  });

  test('offsets past the end are clamped', () => {
    const map = SourceMap.ofDocument('ab\ncd');
    assert.deepEqual(map.position(99), { cell: 0, line: 1, character: 2 });
    assert.deepEqual(map.position(-3), { cell: 0, line: 0, character: 0 });
    assert.equal(map.offsetAt(0, { line: 9, character: 9 }), 5);
    assert.equal(map.offsetAt(0, { line: 0, character: 9 }), 2);
    assert.equal(map.offsetAt(1, { line: 0, character: 0 }), null);
  });

  test('CRLF: characters count within the line, an offset inside a line break is its end', () => {
    const text = 'a = 1\r\nbb = 2\r\n\r\nc';
    const map = SourceMap.ofDocument(text);
    assert.deepEqual(map.position(text.indexOf('bb')), { cell: 0, line: 1, character: 0 });
    assert.deepEqual(map.position(text.indexOf('2')), { cell: 0, line: 1, character: 5 });
    assert.deepEqual(map.position(text.indexOf('2') + 1), { cell: 0, line: 1, character: 6 });
    // Between \r and \n.
    assert.deepEqual(map.position(text.indexOf('2') + 2), { cell: 0, line: 1, character: 6 });
    assert.deepEqual(map.position(text.indexOf('c')), { cell: 0, line: 3, character: 0 });
    assert.equal(map.offsetAt(0, { line: 3, character: 0 }), text.indexOf('c'));
    assert.equal(map.offsetAt(0, { line: 1, character: 99 }), text.indexOf('2') + 1);
  });

  test('a lone CR ends a line too', () => {
    const map = SourceMap.ofDocument('a\rb');
    assert.deepEqual(map.position(2), { cell: 0, line: 1, character: 0 });
  });

  test('Python files keep their text; rnnlab documents blank magics', () => {
    assert.equal(SourceMap.ofDocument('%time x\n').text, '%time x\n');
    assert.equal(SourceMap.ofDocument('%time x\n', { magics: true }).text, '       \n');
  });
});

describe('SourceMap of notebook cells', () => {
  const cells = ['import keras\nx = 1', '', 'y = 2\nz = x + y', 'w = 3'];
  const map = SourceMap.ofCells(cells);

  test('cells are joined with one newline each, empty cells included', () => {
    assert.equal(map.text, 'import keras\nx = 1\n\ny = 2\nz = x + y\nw = 3');
    assert.deepEqual(
      map.cells.map((c) => [c.cell, c.offset, c.length]),
      [
        [0, 0, 18],
        [1, 19, 0],
        [2, 20, 15],
        [3, 36, 5],
      ],
    );
  });

  test('every offset maps to its own cell, line and character', () => {
    for (let cell = 0; cell < cells.length; cell++) {
      const slice = map.cells[cell]!;
      const lines = cells[cell]!.split('\n');
      let offset = slice.offset;
      lines.forEach((line, i) => {
        for (let ch = 0; ch <= line.length; ch++) {
          assert.deepEqual(
            map.position(offset + ch),
            { cell, line: i, character: ch },
            `offset ${offset + ch}`,
          );
          assert.equal(map.offsetAt(cell, { line: i, character: ch }), offset + ch);
        }
        offset += line.length + 1;
      });
    }
  });

  test('the joining newline belongs to the earlier cell (its end)', () => {
    assert.deepEqual(map.position(18), { cell: 0, line: 1, character: 5 });
    assert.deepEqual(map.position(19), { cell: 1, line: 0, character: 0 });
    assert.deepEqual(map.position(20), { cell: 2, line: 0, character: 0 });
  });

  test('a range never leaves the cell it starts in', () => {
    // A whole-line deletion of the last line of cell 2 takes the joining newline.
    const from = map.text.indexOf('z = x');
    assert.deepEqual(map.range({ from, to: from + 10 }), {
      cell: 2,
      start: { line: 1, character: 0 },
      end: { line: 1, character: 9 },
    });
    // An insertion at a cell's start lands in that cell, not at the end of the one before.
    assert.deepEqual(map.range({ from: 36, to: 36 }), {
      cell: 3,
      start: { line: 0, character: 0 },
      end: { line: 0, character: 0 },
    });
  });

  test('no cells: an empty text', () => {
    const empty = SourceMap.ofCells([]);
    assert.equal(empty.text, '');
    assert.deepEqual(empty.position(0), { cell: 0, line: 0, character: 0 });
  });

  test('CRLF cells', () => {
    const crlf = SourceMap.ofCells(['a = 1\r\nb = 2\r\n', 'c = 3\r\nd = 4']);
    assert.equal(crlf.text, 'a = 1\r\nb = 2\r\n\nc = 3\r\nd = 4');
    assert.deepEqual(crlf.position(crlf.text.indexOf('b')), { cell: 0, line: 1, character: 0 });
    // The cell's trailing line break starts an empty third line.
    assert.deepEqual(crlf.position(14), { cell: 0, line: 2, character: 0 });
    assert.deepEqual(crlf.position(crlf.text.indexOf('d')), { cell: 1, line: 1, character: 0 });
    assert.equal(crlf.offsetAt(1, { line: 1, character: 4 }), crlf.text.length - 1);
  });
});

describe('IPython magics', () => {
  test('line magics and shell escapes become spaces of the same length', () => {
    const src = '%matplotlib inline\nx = 1\n  !pip install keras\n?x\ny = 2 % 3\n';
    const out = blankMagics(src);
    assert.equal(out.length, src.length);
    assert.equal(out, ' '.repeat(18) + '\nx = 1\n  ' + ' '.repeat(18) + '\n  \ny = 2 % 3\n');
  });

  test('CRLF line breaks survive blanking', () => {
    assert.equal(blankMagics('%time f()\r\nx = 1\r\n'), '         \r\nx = 1\r\n');
  });

  test('a non-Python cell magic blanks the whole cell; %%time keeps its body', () => {
    assert.equal(blankMagics('%%bash\necho hi\r\nls'), '      \n       \r\n  ');
    assert.equal(blankMagics('%%time\nx = 1'), '      \nx = 1');
    assert.equal(blankMagics('%%capture out\nx = 1'), '             \nx = 1');
  });

  test('offsets after a magic map back to the cell text', () => {
    const cells = ['!pip install keras\n' + IMPORTS, '%%time\n' + MODEL];
    const map = SourceMap.ofCells(cells);
    const analysis = analyze(map.text);
    assert.equal(analysis.notes.length, 0, JSON.stringify(analysis.notes));
    assert.equal(analysis.models.length, 1);
    const [finding] = lint(analysis, map.text, {});
    assert.equal(finding?.code, 'DR101');
    const at = map.range(finding.span);
    assert.equal(at.cell, 1);
    const line = cells[1]!.split('\n')[at.start.line]!;
    assert.equal(line.slice(at.start.character, at.end.character), 'Dropout(0.5)');
  });
});

describe('findings and fixes land in their cells', () => {
  const cells = [IMPORTS, 'units = 64', MODEL.replace('LSTM(64)', 'LSTM(units)')];
  const map = SourceMap.ofCells(cells);
  const analysis = analyze(map.text);
  const findings = lint(analysis, map.text, {});
  const dr101 = findings.find((f) => f.code === 'DR101')!;

  test('names from earlier cells are known', () => {
    assert.deepEqual(
      findings.map((f) => f.code),
      ['DR101'],
    );
    assert.match(dr101.message, /LSTM\(dropout=0\.5\)/);
  });

  test('the finding and its related location are in the model cell', () => {
    assert.equal(map.range(dr101.span).cell, 2);
    const related = map.range(dr101.related[0]!.span);
    assert.deepEqual(related, {
      cell: 2,
      start: { line: 3, character: 4 },
      end: { line: 3, character: 15 },
    });
  });

  test('the preferred fix edits the model cell, and the import it leaves unused in the first', () => {
    const fix = dr101.fixes.find((f) => f.isPreferred)!;
    const out = applyToCells(cells, map, fix.edits);
    assert.equal(out[0], cells[0]!.replace('Dropout, ', ''));
    assert.equal(out[1], cells[1]);
    assert.equal(
      out[2],
      'm = Sequential([\n    Input((50, 3)),\n    LSTM(units, dropout=0.5),\n    Dense(1),\n])',
    );
  });

  test('an import insertion lands in the first cell', () => {
    const fix = dr101.fixes.find((f) => f.title.includes('SpatialDropout1D'))!;
    const located = fix.edits.map((e) => map.range(e.span).cell).sort();
    // The new import, and Dropout (no longer used) out of the old one.
    assert.deepEqual(located, [0, 0, 2]);
    const out = applyToCells(cells, map, fix.edits);
    assert.equal(
      out[0],
      'from keras.layers import SpatialDropout1D\n' + IMPORTS.replace('Dropout, ', ''),
    );
    assert.match(out[2]!, /^ {4}SpatialDropout1D\(0\.5\),$/m);
    // The fixed notebook is clean.
    const fixed = SourceMap.ofCells(out);
    assert.deepEqual(lint(analyze(fixed.text), fixed.text, {}), []);
  });

  for (const [style, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    test(`${style} cells: the finding at the same place, the fix applies cleanly, a noqa elsewhere silences nothing`, () => {
      const styled = cells.map((c) => c.replace(/\n/g, eol));
      const m = SourceMap.ofCells(styled);
      const f = lint(analyze(m.text), m.text, {}).find((x) => x.code === 'DR101')!;
      const at = m.range(f.span);
      assert.deepEqual(
        [at.cell, at.start, at.end],
        [2, { line: 2, character: 4 }, { line: 2, character: 16 }],
      );
      const out = applyToCells(styled, m, f.fixes.find((x) => x.isPreferred)!.edits);
      assert.equal(
        out[2],
        [
          'm = Sequential([',
          '    Input((50, 3)),',
          '    LSTM(units, dropout=0.5),',
          '    Dense(1),',
          '])',
        ].join(eol),
      );
      const noqa = styled.map((c, i) =>
        i === 2 ? c.replace('Input((50, 3)),', 'Input((50, 3)),  # noqa') : c,
      );
      const n = SourceMap.ofCells(noqa);
      assert.deepEqual(
        lint(analyze(n.text), n.text, {}).map((x) => x.code),
        ['DR101'],
      );
    });
  }
});
