/** Playground files: nbformat 4 JSON read into cells and written back as Jupyter writes it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  ERROR_MIME,
  locateJsonError,
  NotebookFormatError,
  readNotebook,
  STDERR_MIME,
  STDOUT_MIME,
  stringifyJupyter,
  writeNotebook,
  type Json,
} from '../../../notebook/nbformat';

const EXAMPLES = ['examples/sine.rnnlab', 'examples/dropout-placement.rnnlab'];

/** What Jupyter writes for a JSON value: json.dumps(nb, sort_keys=True, indent=1) + "\n". */
function jupyter(text: string): string {
  return stringifyJupyter(JSON.parse(text) as Json);
}

test('the examples read as markdown and rnnlab code cells with their metadata', () => {
  const nb = readNotebook(readFileSync('examples/sine.rnnlab', 'utf8'));
  assert.deepEqual(
    nb.cells.map((c) => c.kind),
    ['markdown', 'code', 'code', 'code', 'code'],
  );
  assert.ok(nb.cells[1]!.source.startsWith('import keras\nfrom keras import layers\n'));
  assert.ok(!nb.cells[1]!.source.endsWith('\n'), 'the last line of a source has no newline');
  assert.deepEqual(nb.cells[1]!.metadata, { metadata: {} });
  assert.equal(nb.cells[1]!.executionCount, null);
  assert.deepEqual(nb.metadata['nbformat_minor'], 5);
  assert.deepEqual(nb.metadata['metadata'], {
    kernelspec: { display_name: 'RNN Lab', language: 'rnnlab', name: 'rnnlab' },
    language_info: { name: 'rnnlab' },
  });
});

for (const file of EXAMPLES) {
  test(`${file} round-trips byte for byte in Jupyter's layout`, () => {
    const text = readFileSync(file, 'utf8');
    const canonical = jupyter(text);
    assert.equal(writeNotebook(readNotebook(text)), canonical);
    assert.equal(writeNotebook(readNotebook(canonical)), canonical, 'a fixed point');
    assert.deepEqual(JSON.parse(writeNotebook(readNotebook(text))), JSON.parse(text));
  });
}

/** A notebook as Jupyter saves it, with every kind of output. */
const RICH = jupyter(
  JSON.stringify({
    cells: [
      {
        cell_type: 'markdown',
        id: 'intro',
        metadata: { tags: ['intro'] },
        source: ['# Title\n', '\n', 'Some *text*.'],
        attachments: {},
      },
      {
        cell_type: 'code',
        execution_count: 3,
        id: 'c1',
        metadata: { collapsed: false },
        outputs: [
          { name: 'stdout', output_type: 'stream', text: ['(800, 50, 1)\n', 'done\n'] },
          { name: 'stderr', output_type: 'stream', text: ['warning\n'] },
          {
            data: {
              'application/vnd.rnnlab.run+json': { version: 1, history: { loss: [0.5, 0.25] } },
              'image/svg+xml': ['<svg>\n', '</svg>'],
              'text/plain': ['sine: 2 epoch(s)'],
              'text/html': ['<table>\n', '<tr><td>x</td></tr>\n', '</table>'],
            },
            metadata: {},
            output_type: 'display_data',
          },
          {
            data: { 'text/plain': ['42'], 'image/png': 'iVBORw0KGgo=' },
            execution_count: 3,
            metadata: { 'image/png': { width: 10 } },
            output_type: 'execute_result',
          },
          {
            ename: 'cell',
            evalue: "line 2: name 'x' is not defined",
            output_type: 'error',
            traceback: ["cell: line 2: name 'x' is not defined", '    at cell 2, line 2'],
          },
        ],
        source: ['print(1)\n', 'x'],
      },
      { cell_type: 'raw', id: 'r', metadata: {}, source: ['raw text'] },
      { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: [] },
    ],
    metadata: { kernelspec: { name: 'rnnlab' }, custom: { a: [1, 2] } },
    nbformat: 4,
    nbformat_minor: 5,
  }),
);

test('every output kind, ids, attachments and custom metadata survive a round trip', () => {
  const nb = readNotebook(RICH);
  assert.equal(writeNotebook(nb), RICH);
  const code = nb.cells[1]!;
  assert.equal(code.executionCount, 3);
  assert.deepEqual(code.metadata, { id: 'c1', metadata: { collapsed: false } });
  assert.deepEqual(nb.cells[0]!.metadata, {
    attachments: {},
    id: 'intro',
    metadata: { tags: ['intro'] },
  });
  assert.equal(nb.cells[2]!.kind, 'raw');
  assert.equal(nb.cells[3]!.source, '');
  const [out, err, display, result, error] = code.outputs;
  assert.deepEqual(out!.items, [{ mime: STDOUT_MIME, value: '(800, 50, 1)\ndone\n' }]);
  assert.deepEqual(err!.items, [{ mime: STDERR_MIME, value: 'warning\n' }]);
  assert.deepEqual(
    display!.items.map((i) => i.mime),
    ['application/vnd.rnnlab.run+json', 'image/svg+xml', 'text/html', 'text/plain'],
  );
  assert.deepEqual(JSON.parse(display!.items[0]!.value), {
    version: 1,
    history: { loss: [0.5, 0.25] },
  });
  assert.equal(display!.items[1]!.value, '<svg>\n</svg>');
  assert.deepEqual(result!.metadata, {
    outputType: 'execute_result',
    metadata: { 'image/png': { width: 10 } },
    executionCount: 3,
  });
  assert.deepEqual(result!.items[0], { mime: 'image/png', value: 'iVBORw0KGgo=' });
  assert.equal(error!.items[0]!.mime, ERROR_MIME);
  assert.deepEqual(JSON.parse(error!.items[0]!.value), {
    name: 'cell',
    message: "line 2: name 'x' is not defined",
    stack: "cell: line 2: name 'x' is not defined\n    at cell 2, line 2",
  });
});

test('sources given as one string read the same and are written as lists of lines', () => {
  const asString = JSON.stringify({
    cells: [
      { cell_type: 'code', metadata: {}, source: 'a = 1\nb = 2\n', outputs: [] },
      { cell_type: 'markdown', metadata: {}, source: 'one line' },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 4,
  });
  const nb = readNotebook(asString);
  assert.equal(nb.cells[0]!.source, 'a = 1\nb = 2\n');
  const written = JSON.parse(writeNotebook(nb)) as {
    cells: Array<{ source: string[] }>;
    nbformat_minor: number;
  };
  assert.deepEqual(written.cells[0]!.source, ['a = 1\n', 'b = 2\n']);
  assert.deepEqual(written.cells[1]!.source, ['one line']);
  assert.equal(written.nbformat_minor, 4, 'the minor version is kept');
});

test('written notebooks use sorted keys, one-space indent and a final newline', () => {
  const nb = readNotebook(
    '{"nbformat_minor": 5, "nbformat": 4, "metadata": {"z": 1, "a": {"y": 2, "b": 3}}, "cells": [{"source": "x", "outputs": [], "metadata": {}, "execution_count": 7, "cell_type": "code"}]}',
  );
  assert.equal(
    writeNotebook(nb),
    [
      '{',
      ' "cells": [',
      '  {',
      '   "cell_type": "code",',
      '   "execution_count": 7,',
      '   "metadata": {},',
      '   "outputs": [],',
      '   "source": [',
      '    "x"',
      '   ]',
      '  }',
      ' ],',
      ' "metadata": {',
      '  "a": {',
      '   "b": 3,',
      '   "y": 2',
      '  },',
      '  "z": 1',
      ' },',
      ' "nbformat": 4,',
      ' "nbformat_minor": 5',
      '}',
      '',
    ].join('\n'),
  );
});

test('stream pieces of one output are one text; a copied cell loses its duplicate id', () => {
  const text = writeNotebook({
    cells: [
      {
        kind: 'code',
        source: 'print(1)',
        metadata: { id: 'same', metadata: {} },
        executionCount: 1,
        outputs: [
          {
            items: [
              { mime: STDOUT_MIME, value: 'a\nb' },
              { mime: STDOUT_MIME, value: 'c\n' },
            ],
            metadata: { outputType: 'stream' },
          },
          // An output the controller made, with no metadata of ours.
          { items: [{ mime: 'text/plain', value: 'x' }], metadata: { outputType: 'display_data' } },
        ],
      },
      { kind: 'markdown', source: '', metadata: { id: 'same' }, executionCount: null, outputs: [] },
    ],
    metadata: { metadata: {}, nbformat: 4, nbformat_minor: 5 },
  });
  const nb = JSON.parse(text) as { cells: Array<Record<string, unknown>> };
  assert.deepEqual(nb.cells[0]!['outputs'], [
    { name: 'stdout', output_type: 'stream', text: ['a\n', 'bc\n'] },
    { data: { 'text/plain': ['x'] }, metadata: {}, output_type: 'display_data' },
  ]);
  assert.equal(nb.cells[0]!['id'], 'same');
  assert.equal(nb.cells[1]!['id'], undefined);
  assert.deepEqual(nb.cells[1]!['metadata'], {}, 'cell metadata is always written');
  assert.ok(!('outputs' in nb.cells[1]!) && !('execution_count' in nb.cells[1]!));
});

test('an empty or blank file opens as an empty playground (nothing to lose)', () => {
  for (const text of ['', '  \n', '\ufeff']) {
    const nb = readNotebook(text);
    assert.deepEqual(nb.cells, []);
    assert.equal(nb.metadata['nbformat'], 4);
  }
});

test('a byte order mark is ignored', () => {
  const text = readFileSync('examples/sine.rnnlab', 'utf8');
  assert.equal(readNotebook(`\ufeff${text}`).cells.length, 5);
});

/** The message a broken file gets. */
function problem(text: string): string {
  try {
    readNotebook(text, 'examples/x.rnnlab');
  } catch (e) {
    assert.ok(e instanceof NotebookFormatError);
    assert.ok(e.message.endsWith(' — the file was not changed'), e.message);
    return e.message.replace(' — the file was not changed', '');
  }
  assert.fail('no error');
}

test('invalid JSON is refused with the line, column and reason', () => {
  assert.equal(
    problem('{\n "cells": [\n    }'),
    'examples/x.rnnlab is not valid JSON at line 3 column 5: expected a value (an object, list, string, number, true, false or null), found "}"',
  );
  assert.equal(
    problem('{"cells": [],\n "nbformat": 4,\n}'),
    "examples/x.rnnlab is not valid JSON at line 3 column 1: a comma before '}' (JSON allows no trailing comma)",
  );
  assert.match(problem('{"cells": [1, 2,]}'), /line 1 column 17: a comma before '\]'/);
  assert.match(
    problem('{"cells": [\n'),
    /line 2 column 1: the file ends where a value should be \(is it cut short\?\)/,
  );
  assert.match(
    problem('{"nbformat": 4'),
    /line 1 column 15: the file ends inside an object: a closing '\}' is missing \(is it cut short\?\)/,
  );
  assert.match(problem('[1, [2'), /the file ends inside a list: a closing '\]' is missing/);
  assert.match(problem('{"a": "abc'), /line 1 column 7: a string is not closed/);
  assert.match(problem('{"a": "a\nb"}'), /line 1 column 9: a string holds a raw control character/);
  assert.match(
    problem("{'cells': []}"),
    /line 1 column 2: expected a property name in double quotes, found "'"/,
  );
  assert.match(
    problem('{"a" 1}'),
    /line 1 column 6: expected ':' after a property name, found "1"/,
  );
  assert.match(
    problem('{"a": 1 "b": 2}'),
    /line 1 column 9: expected ',' or '}' after a property value/,
  );
  assert.match(problem('[1 2]'), /line 1 column 4: expected ',' or '\]' after a list item/);
  assert.match(problem('{"a": 01}'), /line 1 column 8: expected ',' or '}'/);
  assert.match(problem('{"a": "\\x"}'), /"\\x" is not a JSON escape/);
  assert.match(problem('{"a": -}'), /a number is malformed/);
  assert.match(problem('{} {}'), /line 1 column 4: unexpected "\{" after the end/);
  assert.match(problem('<!DOCTYPE html>'), /line 1 column 1: expected a value/);
});

test('JSON that is not an nbformat 4 notebook is refused, saying what is wrong', () => {
  assert.equal(
    problem('[]'),
    'examples/x.rnnlab is not an nbformat 4 notebook: the top level is a list, not an object',
  );
  assert.equal(
    problem('{"cells": []}'),
    'examples/x.rnnlab is not an nbformat 4 notebook: it has no "nbformat" version',
  );
  assert.match(
    problem('{"nbformat": 3, "worksheets": []}'),
    /is an nbformat 3 notebook; RNN Lab reads nbformat 4 \(convert it/,
  );
  assert.match(problem('{"nbformat": "4", "cells": []}'), /"nbformat" is a string/);
  assert.match(problem('{"nbformat": 4}'), /"cells" is missing, not a list/);
  assert.match(problem('{"nbformat": 4, "cells": {}}'), /"cells" is an object, not a list/);
  assert.match(problem('{"nbformat": 4, "cells": [], "metadata": []}'), /"metadata" is a list/);
  const cell = (c: unknown) =>
    problem(JSON.stringify({ nbformat: 4, cells: [{ cell_type: 'markdown', source: '' }, c] }));
  assert.match(cell(3), /has a broken cell 2: it is the number 3, not an object/);
  assert.match(
    cell({ source: '' }),
    /cell 2: cell_type is missing \(expected "code", "markdown" or "raw"\)/,
  );
  assert.match(cell({ cell_type: 'heading', source: '' }), /cell 2: cell_type is "heading"/);
  assert.match(
    cell({ cell_type: 'code', source: 5 }),
    /cell 2: source is the number 5, not text or a list of lines/,
  );
  assert.match(cell({ cell_type: 'code', source: ['a', 1] }), /cell 2: source is a list, not text/);
  assert.match(
    cell({ cell_type: 'code', source: '', metadata: 'x' }),
    /cell 2: metadata is a string/,
  );
  assert.match(
    cell({ cell_type: 'code', source: '', outputs: {} }),
    /cell 2: outputs is an object, not a list/,
  );
  assert.match(
    cell({ cell_type: 'code', source: '', outputs: [{ output_type: 'pyout' }] }),
    /cell 2, output 1: output_type is "pyout" \(expected "stream", "display_data", "execute_result" or "error"\)/,
  );
  assert.match(
    cell({ cell_type: 'code', source: '', outputs: [{ output_type: 'stream', text: 3 }] }),
    /cell 2, output 1: the stream text is the number 3/,
  );
  assert.match(
    cell({ cell_type: 'code', source: '', outputs: [{ output_type: 'display_data', data: [] }] }),
    /cell 2, output 1: data is a list, not an object/,
  );
});

test('locateJsonError agrees with JSON.parse on valid text', () => {
  for (const text of [
    readFileSync('examples/sine.rnnlab', 'utf8'),
    RICH,
    '{"a": [1, -2.5e-3, true, false, null, "\\u00e9\\n", {}, []]}',
    ' 0 ',
  ]) {
    JSON.parse(text);
    assert.equal(locateJsonError(text), null);
  }
});
