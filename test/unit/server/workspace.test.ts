/** The server's document store: units, notebooks (sync and fallback), malformed messages. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadMessage, Workspace } from '../../../server/workspace';

const item = (uri: string, text: string, languageId = 'python', version = 1) => ({
  uri,
  languageId,
  version,
  text,
});
const NB = 'file:///w/a.ipynb';
const cell = (id: string) => `vscode-notebook-cell:/w/a.ipynb#${id}`;

function openNotebook(ws: Workspace): void {
  ws.openNotebook({
    notebookDocument: {
      uri: NB,
      notebookType: 'jupyter-notebook',
      version: 1,
      cells: [
        { kind: 2, document: cell('1') },
        { kind: 1, document: cell('2') },
        { kind: 2, document: cell('3') },
      ],
    },
    cellTextDocuments: [
      item(cell('1'), 'import keras\n'),
      item(cell('2'), '# title', 'markdown'),
      item(cell('3'), 'x = 1\n'),
    ],
  });
}

describe('Workspace', () => {
  test('documents: python and rnnlab are read, other languages and view schemes are not', () => {
    const ws = new Workspace();
    ws.openText(item('file:///w/m.py', 'x = 1'));
    ws.openText(item('file:///w/c.rnnlab-cell', 'x = 1', 'rnnlab'));
    ws.openText(item('file:///w/r.md', '# x', 'markdown'));
    ws.openText(item('git:/w/m.py', 'x = 1'));
    ws.openText(item(cell('9'), 'x = 1'));
    assert.equal(ws.unit('file:///w/m.py')?.kind, 'python');
    assert.equal(ws.unit('file:///w/c.rnnlab-cell')?.kind, 'playground');
    assert.equal(ws.unit('file:///w/r.md'), null);
    assert.equal(ws.unit('git:/w/m.py'), null);
    assert.equal(ws.unit(cell('9')), null, 'a cell of an unknown notebook');
  });

  test('a synced notebook is its code cells in order; the version changes with any cell', () => {
    const ws = new Workspace();
    openNotebook(ws);
    const unit = ws.unitOf(cell('3'))!;
    assert.equal(unit.key, NB);
    assert.deepEqual(
      unit.docs.map((d) => d.uri),
      [cell('1'), cell('3')],
    );
    assert.equal(ws.unitOf(cell('2')), null, 'markdown is no part of the unit');
    ws.changeNotebook({
      notebookDocument: { uri: NB, version: 2 },
      change: {
        cells: {
          textContent: [
            {
              document: { uri: cell('1'), version: 2 },
              changes: [
                {
                  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
                  text: '#',
                },
              ],
            },
          ],
        },
      },
    });
    const after = ws.unitOf(cell('1'))!;
    assert.notEqual(after.version, unit.version);
    assert.equal(after.docs[0]!.getText(), '#import keras\n');
  });

  test('a malformed notebook change is refused whole: nothing of it is applied', () => {
    const ws = new Workspace();
    openNotebook(ws);
    const before = ws.unit(NB)!.version;
    assert.throws(
      () =>
        ws.changeNotebook({
          notebookDocument: { uri: NB, version: 2 },
          change: {
            cells: {
              structure: { array: { start: 0, deleteCount: 1 }, didOpen: [{ uri: 3 } as never] },
              textContent: [
                { document: { uri: cell('1'), version: 2 }, changes: [{ text: 'gone' }] },
              ],
            },
          },
        }),
      BadMessage,
    );
    assert.equal(ws.unit(NB)!.version, before);
    assert.equal(ws.unit(NB)!.docs[0]!.getText(), 'import keras\n');
  });

  test('the fallback: documents named by rnnlab/notebookCells become one unit, and leave it', () => {
    const ws = new Workspace();
    ws.openText(item('inmemory://m/1', 'import keras\n', 'rnnlab'));
    ws.openText(item('inmemory://m/2', 'x = 1\n', 'rnnlab'));
    const key = ws.setCells({
      notebook: 'inmemory://m',
      notebookType: 'rnnlab',
      cells: ['inmemory://m/2', 'inmemory://m/1'],
    });
    const unit = ws.unitOf('inmemory://m/1')!;
    assert.equal(unit.key, key);
    assert.equal(unit.kind, 'playground');
    assert.deepEqual(
      unit.docs.map((d) => d.uri),
      ['inmemory://m/2', 'inmemory://m/1'],
    );
    assert.deepEqual(ws.keys(), ['inmemory://m']);
    ws.setCells({ notebook: 'inmemory://m', cells: [] });
    assert.equal(ws.unitOf('inmemory://m/1')?.key, 'inmemory://m/1');
    assert.throws(() => ws.setCells({ notebook: 'x', cells: [1 as never] }), BadMessage);
  });
});
