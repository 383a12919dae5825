/** "Ignore CODE on this line": the `# noqa` edit, and that the linter then stays silent. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { noqaEdit } from '../../../lint/noqa';
import { SourceMap } from '../../../notebook/cells';
import { applyEdits, lint } from '../../../lint/index';
import { analyze } from '../../../analyzer/python/evaluate';
import { applyToCells } from '../server/edit-helpers';

/** The text after the edit for the line holding `marker`. */
function ignore(text: string, marker: string, code = 'DR101'): string | null {
  const edit = noqaEdit(text, text.indexOf(marker), code);
  return edit ? applyEdits(text, [edit]) : null;
}

describe('noqaEdit', () => {
  test('appends a comment to the anchor line only', () => {
    assert.equal(
      ignore('a = 1\nx = Dropout(0.5)(x)\nb = 2\n', 'Dropout'),
      'a = 1\nx = Dropout(0.5)(x)  # noqa: DR101\nb = 2\n',
    );
  });

  test('trailing whitespace is replaced; the last line has no newline', () => {
    assert.equal(ignore('x = Dropout(0.5)(x)   ', 'Dropout'), 'x = Dropout(0.5)(x)  # noqa: DR101');
  });

  test('a multi-line call: the line of the anchor (the layer name)', () => {
    const src = 'model = Sequential([\n    Dropout(\n        0.5,\n    ),\n])\n';
    assert.equal(
      ignore(src, 'Dropout'),
      'model = Sequential([\n    Dropout(  # noqa: DR101\n        0.5,\n    ),\n])\n',
    );
  });

  test('after an ordinary comment', () => {
    assert.equal(
      ignore('x = Dropout(0.5)(x)  # why not\n', 'Dropout'),
      'x = Dropout(0.5)(x)  # why not  # noqa: DR101\n',
    );
  });

  test('extends an existing code list', () => {
    assert.equal(
      ignore('x = Dropout(0.5)(x)  # noqa: CU301\n', 'Dropout'),
      'x = Dropout(0.5)(x)  # noqa: CU301, DR101\n',
    );
    assert.equal(
      ignore('x = Dropout(0.5)(x)  #noqa:CU301,SH201  \n', 'Dropout'),
      'x = Dropout(0.5)(x)  #noqa:CU301,SH201, DR101  \n',
    );
  });

  test('nothing to do when the line is already silenced', () => {
    assert.equal(ignore('x = Dropout(0.5)(x)  # noqa\n', 'Dropout'), null);
    assert.equal(ignore('x = Dropout(0.5)(x)  # noqa: DR101\n', 'Dropout'), null);
    assert.equal(ignore('x = Dropout(0.5)(x)  # noqa: dr1\n', 'Dropout'), null);
  });

  test('no comment after a line continuation', () => {
    assert.equal(ignore('x = Dropout(0.5) \\\n    (x)\n', 'Dropout'), null);
  });

  test('CRLF: the comment goes before the line break', () => {
    assert.equal(
      ignore('a = 1\r\nx = Dropout(0.5)(x)\r\nb = 2\r\n', 'Dropout'),
      'a = 1\r\nx = Dropout(0.5)(x)  # noqa: DR101\r\nb = 2\r\n',
    );
    assert.equal(
      ignore('x = Dropout(0.5)(x)  # noqa: CU301\r\n', 'Dropout'),
      'x = Dropout(0.5)(x)  # noqa: CU301, DR101\r\n',
    );
  });

  test('an empty line gets the comment alone', () => {
    assert.equal(ignore('a\n\nb', '\nb'), 'a\n# noqa: DR101\nb');
  });
});

describe('the linter honours the edit', () => {
  const src = [
    'from keras import layers, Sequential',
    'm = Sequential([',
    '    layers.Input((50, 3)),',
    '    layers.Dropout(',
    '        0.5),',
    '    layers.LSTM(8, recurrent_dropout=0.2),',
    '    layers.Dense(1),',
    '])',
    '',
  ].join('\n');

  test('each finding silenced by its own edit, one after the other', () => {
    let text = src;
    const before = lint(analyze(text), text, {}).map((f) => f.code);
    assert.deepEqual(before, ['DR101', 'CU301']);
    for (const code of before) {
      const f = lint(analyze(text), text, {}).find((x) => x.code === code)!;
      const edit = noqaEdit(text, f.anchor, f.code)!;
      text = applyEdits(text, [edit]);
      assert.ok(!lint(analyze(text), text, {}).some((x) => x.code === code), text);
    }
    assert.deepEqual(lint(analyze(text), text, {}), []);
    assert.match(text, /layers\.Dropout\( {2}# noqa: DR101\n/);
    assert.match(text, /recurrent_dropout=0\.2\), {2}# noqa: CU301\n/);
  });

  test('in a notebook cell, through the source map', () => {
    const cells = [
      '%pip install keras\nfrom keras import layers, Sequential',
      src.split('\n').slice(1).join('\n'),
    ];
    const map = SourceMap.ofCells(cells);
    const f = lint(analyze(map.text), map.text, {}).find((x) => x.code === 'DR101')!;
    const out = applyToCells(cells, map, [noqaEdit(map.text, f.anchor, f.code)!]);
    assert.equal(out[0], cells[0]);
    assert.match(out[1]!, /^ {4}layers\.Dropout\( {2}# noqa: DR101$/m);
    const after = SourceMap.ofCells(out);
    assert.deepEqual(
      lint(analyze(after.text), after.text, {}).map((x) => x.code),
      ['CU301'],
    );
  });
});
