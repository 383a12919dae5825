/**
 * The language server over real JSON-RPC: `rnnlab server --stdio` as a child process, spoken to
 * the way editors do (a plain client, a VS Code-like one with configuration and notebook sync, a
 * monaco-like one with the fallback notification), plus bad input that must not crash or hang it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  CodeAction,
  Diagnostic,
  DocumentSymbol,
  Hover,
  InlayHint,
  MarkupContent,
  TextDocumentEdit,
  TextEdit,
} from 'vscode-languageserver';
import { MAX_ANALYSED_CHARS, MAX_ANALYSED_LINES } from '../../../server/linter';
import type { ModelSummaryErrorData, ModelSummaryResult } from '../../../server/protocol';
import { LspClient } from './lsp-client';

/** A realistic script: data loading, a model whose Dropout feeds an LSTM (DR101), compile. */
const PY = `"""Sentiment classifier on IMDB reviews."""
import numpy as np
import keras
from keras import layers

VOCAB = 20000
MAXLEN = 200


def load(path):
    data = np.load(path)
    return data["x"], data["y"]


model = keras.Sequential(
    [
        keras.Input(shape=(MAXLEN,)),
        layers.Embedding(VOCAB, 128),
        layers.Dropout(0.3),
        layers.LSTM(64),
        layers.Dense(1, activation="sigmoid"),
    ],
    name="sentiment",
)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
`;
const DROPOUT_LINE = 18;
const LSTM_LINE = 19;

/** PY with the preferred DR101 fix applied, as an editor would apply the code action. */
const PY_FIXED = PY.replace('        layers.Dropout(0.3),\n', '').replace(
  'layers.LSTM(64)',
  'layers.LSTM(64, dropout=0.3)',
);

/** Two models in one file: a position picks one, a name picks one wherever the cursor is. */
const TWO = `import keras
from keras import layers

encoder = keras.Sequential(
    [keras.Input(shape=(30, 4)), layers.LSTM(16, return_sequences=True), layers.LSTM(8)],
    name="encoder",
)
head = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(1)], name="head")
`;

const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

/** Asserts that a request failed with RequestFailed for `reason`, its message matching `message`. */
async function refused(
  request: Promise<unknown>,
  reason: ModelSummaryErrorData['reason'],
  message: RegExp,
): Promise<void> {
  await assert.rejects(request, (e: { code: number; message: string; data?: unknown }) => {
    assert.equal(e.code, -32803, 'LSP RequestFailed');
    assert.deepEqual(e.data, { reason });
    assert.match(e.message, message);
    return true;
  });
}
const at = (line: number, character: number) => ({ line, character });

/** Applies a code action's edit to the texts of the documents it names. */
function applyEdit(action: CodeAction, texts: Map<string, string>): Map<string, string> {
  const out = new Map(texts);
  const byUri: [string, TextEdit[]][] = action.edit?.documentChanges
    ? (action.edit.documentChanges as TextDocumentEdit[]).map((c) => [
        c.textDocument.uri,
        c.edits as TextEdit[],
      ])
    : Object.entries(action.edit?.changes ?? {});
  for (const [uri, edits] of byUri) {
    const doc = TextDocument.create(uri, 'python', 0, texts.get(uri)!);
    out.set(uri, TextDocument.applyEdits(doc, edits));
  }
  return out;
}

let dir = '';
let pyUri = '';
const clients: LspClient[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnnlab-lsp-'));
  // [tool.rnnlab] raises DR101 to an error: the plain client must see it read from disk.
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.rnnlab]\nseverity = { DR101 = "error" }\n');
  pyUri = pathToFileURL(join(dir, 'train.py')).href;
});

after(async () => {
  for (const c of clients) {
    try {
      await c.stop();
    } catch {
      c.kill();
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof LspClient.start>[0] = {}) {
  const client = await LspClient.start(options);
  clients.push(client);
  return client;
}

describe('a plain LSP client (no configuration, no notebook sync)', () => {
  let client: Awaited<ReturnType<typeof start>>;
  before(async () => {
    client = await start({ workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }] });
  });

  test('initialize announces the features and notebook sync for both notebook types', () => {
    const caps = client.init.capabilities;
    assert.equal(client.init.serverInfo?.name, 'rnnlab');
    assert.ok(caps.hoverProvider);
    assert.ok(caps.inlayHintProvider);
    assert.ok(caps.documentSymbolProvider);
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix'] });
    const types =
      caps.notebookDocumentSync && 'notebookSelector' in caps.notebookDocumentSync
        ? caps.notebookDocumentSync.notebookSelector.map((s) =>
            typeof s.notebook === 'object' && 'notebookType' in s.notebook
              ? s.notebook.notebookType
              : s.notebook,
          )
        : [];
    assert.deepEqual(types, ['rnnlab', 'jupyter-notebook']);
    const selector =
      caps.notebookDocumentSync && 'notebookSelector' in caps.notebookDocumentSync
        ? caps.notebookDocumentSync.notebookSelector
        : [];
    assert.ok(
      selector.every((s) => !('cells' in s) || s.cells === undefined),
      'every cell is synced, markdown too: "cell N" counts them as the notebook does',
    );
  });

  test('didOpen of a .py publishes DR101 with rule link, related location, and pyproject severity', async () => {
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: pyUri, languageId: 'python', version: 1, text: PY },
    });
    const p = await client.diagnostics(pyUri, (d) => d.version === 1);
    assert.deepEqual(codes(p.diagnostics), ['DR101']);
    const d = p.diagnostics[0]!;
    assert.equal(d.source, 'rnnlab');
    assert.equal(d.severity, 1, 'pyproject.toml [tool.rnnlab] severity DR101 = "error"');
    assert.deepEqual(d.range, { start: at(DROPOUT_LINE, 8), end: at(DROPOUT_LINE, 27) });
    assert.equal(
      d.codeDescription?.href,
      'https://github.com/rnnlab/rnnlab/blob/main/docs/rules/DR101.md',
    );
    assert.match(d.message as string, /Dropout\(0\.3\).*new mask/);
    assert.equal(d.relatedInformation?.[0]?.location.uri, pyUri);
    assert.equal(d.relatedInformation?.[0]?.location.range.start.line, LSTM_LINE);
  });

  test('hover on the LSTM shows its shape and params; on the Dropout, the finding', async () => {
    const h = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: pyUri },
      position: at(LSTM_LINE, 12),
    })) as Hover;
    const md = h.contents as MarkupContent;
    assert.equal(md.kind, 'markdown');
    assert.match(md.value, /^`LSTM → \(None, 64\) · 49,408 params`/);
    assert.deepEqual(h.range, { start: at(LSTM_LINE, 8), end: at(LSTM_LINE, 19) });
    const onDropout = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: pyUri },
      position: at(DROPOUT_LINE, 10),
    })) as Hover;
    assert.match(
      (onDropout.contents as MarkupContent).value,
      /\[DR101\]\(https:\/\/github\.com\/rnnlab\/rnnlab\/blob\/main\/docs\/rules\/DR101\.md\)/,
    );
    const nothing = await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: pyUri },
      position: at(6, 0),
    });
    assert.equal(nothing, null);
  });

  test('codeAction: the preferred fix gives the fixed text; ignore and explain follow', async () => {
    const diagnostics = (await client.diagnostics(pyUri)).diagnostics;
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: pyUri },
      range: { start: at(DROPOUT_LINE, 12), end: at(DROPOUT_LINE, 12) },
      context: { diagnostics },
    })) as CodeAction[];
    const preferred = actions.filter((a) => a.isPreferred);
    assert.equal(preferred.length, 1);
    assert.deepEqual(preferred[0]!.diagnostics, diagnostics);
    const fixed = applyEdit(preferred[0]!, new Map([[pyUri, PY]])).get(pyUri);
    assert.equal(fixed, PY_FIXED);
    const ignore = actions.find((a) => a.title === 'Ignore DR101 on this line')!;
    assert.match(
      applyEdit(ignore, new Map([[pyUri, PY]])).get(pyUri)!,
      /layers\.Dropout\(0\.3\), {2}# noqa: DR101\n/,
    );
    const explain = actions.at(-1)!;
    assert.equal(explain.title, 'Explain DR101');
    assert.deepEqual(explain.command, {
      command: 'rnnlab.explainRule',
      title: 'Explain DR101',
      arguments: ['DR101'],
    });
    const refactor = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: pyUri },
      range: { start: at(DROPOUT_LINE, 12), end: at(DROPOUT_LINE, 12) },
      context: { diagnostics, only: ['refactor'] },
    });
    assert.deepEqual(refactor, []);
  });

  test('modelSummary returns the rows of the model at a position', async () => {
    const r = (await client.connection.sendRequest('rnnlab/modelSummary', {
      textDocument: { uri: pyUri },
      position: at(LSTM_LINE, 12),
    })) as ModelSummaryResult;
    assert.equal(r.summary.name, 'sentiment');
    assert.deepEqual(
      r.summary.rows.map((row) => [row.name, row.type, row.outputShape, row.params]),
      [
        ['embedding', 'Embedding', '(None, 200, 128)', 2_560_000],
        ['dropout', 'Dropout', '(None, 200, 128)', 0],
        ['lstm', 'LSTM', '(None, 64)', 49_408],
        ['dense', 'Dense', '(None, 1)', 65],
      ],
    );
    assert.equal(r.summary.totalParams, 2_609_473);
    assert.equal(r.location.uri, pyUri);
    assert.equal(r.source, pyUri);
    assert.match(r.text, /Built at train\.py:15\./);
    assert.match(r.text, /^ lstm \(LSTM\) +\(None, 64\) +49,408$/m);
    assert.match(r.text, /^[\x20-\x7e\n]*$/, 'plain ASCII');
  });

  test('modelSummary by position or by name (a name wins over the position); unknown names and closed documents are errors', async () => {
    const uri = pathToFileURL(join(dir, 'two.py')).href;
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: TWO },
    });
    const ask = (params: object) =>
      client.connection.sendRequest('rnnlab/modelSummary', {
        textDocument: { uri },
        ...params,
      }) as Promise<ModelSummaryResult>;
    const inEncoder = at(4, 40);
    const atPosition = await ask({ position: inEncoder });
    assert.equal(atPosition.summary.name, 'encoder');
    assert.deepEqual(
      atPosition.summary.rows.map((r) => [r.name, r.outputShape, r.params]),
      [
        ['lstm', '(None, 30, 16)', 1_344],
        ['lstm_1', '(None, 8)', 800],
      ],
    );
    assert.match(atPosition.text, /Built at two\.py:4\./);
    assert.deepEqual(atPosition.location.range.start, at(3, 10));
    assert.equal((await ask({ position: at(7, 30) })).summary.name, 'head');
    assert.equal((await ask({})).summary.name, 'head', 'no position: the last model');

    const byName = await ask({ model: 'head', position: inEncoder });
    assert.equal(byName.summary.name, 'head');
    assert.equal(byName.summary.totalParams, 9);
    assert.match(byName.text, /Built at two\.py:8\./);
    assert.equal((await ask({ model: 'encoder' })).summary.totalParams, 2_144);

    await refused(
      ask({ model: 'decoder' }),
      'unknownModel',
      /^two\.py builds no model named "decoder" \(its models: "encoder", "head"\)$/,
    );
    await refused(
      client.connection.sendRequest('rnnlab/modelSummary', {
        textDocument: { uri: pathToFileURL(join(dir, 'closed.py')).href },
      }),
      'notOpen',
      /closed\.py is not open/,
    );
    await assert.rejects(
      client.connection.sendRequest('rnnlab/modelSummary', { textDocument: { uri }, model: 3 }),
      (e: { code: number }) => e.code === -32602,
    );
    const none = pathToFileURL(join(dir, 'no_model.py')).href;
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: none, languageId: 'python', version: 1, text: 'import keras\nx = 1\n' },
    });
    assert.equal(
      await client.connection.sendRequest('rnnlab/modelSummary', { textDocument: { uri: none } }),
      null,
      'a document that builds no model: null',
    );
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await refused(ask({ model: 'head' }), 'notOpen', /two\.py is not open/);
  });

  test('inlay hints and symbols: off for .py by default, on for a playground document', async () => {
    const everything = { start: at(0, 0), end: at(100, 0) };
    assert.deepEqual(
      await client.connection.sendRequest('textDocument/inlayHint', {
        textDocument: { uri: pyUri },
        range: everything,
      }),
      [],
    );
    assert.deepEqual(
      await client.connection.sendRequest('textDocument/documentSymbol', {
        textDocument: { uri: pyUri },
      }),
      [],
    );
    const cellUri = pathToFileURL(join(dir, 'scratch.rnnlab-cell')).href;
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: cellUri, languageId: 'rnnlab', version: 1, text: PY },
    });
    const hints = (await client.connection.sendRequest('textDocument/inlayHint', {
      textDocument: { uri: cellUri },
      range: { start: at(LSTM_LINE, 0), end: at(LSTM_LINE + 1, 0) },
    })) as InlayHint[];
    assert.deepEqual(hints, [
      { position: at(LSTM_LINE, 23), label: '→ (None, 64)', kind: 1, paddingLeft: true },
    ]);
    // No hierarchical support announced: a flat list with containers.
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', {
      textDocument: { uri: cellUri },
    })) as { name: string; containerName?: string }[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.containerName]),
      [
        ['sentiment', undefined],
        ['embedding', 'sentiment'],
        ['dropout', 'sentiment'],
        ['lstm', 'sentiment'],
        ['dense', 'sentiment'],
      ],
    );
  });

  test('didChange: the new version gets its own diagnostics (the fix removes DR101)', async () => {
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: pyUri, version: 2 },
      contentChanges: [{ text: PY_FIXED }],
    });
    const p = await client.diagnostics(pyUri, (d) => d.version === 2);
    assert.deepEqual(p.diagnostics, []);
    // An incremental change brings the Dropout back.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: pyUri, version: 3 },
      contentChanges: [
        {
          range: { start: at(DROPOUT_LINE, 0), end: at(DROPOUT_LINE, 0) },
          text: '        layers.Dropout(0.5),\n',
        },
        { range: { start: at(LSTM_LINE, 22), end: at(LSTM_LINE, 35) }, text: '' },
      ],
    });
    const again = await client.diagnostics(pyUri, (d) => d.version === 3);
    assert.deepEqual(codes(again.diagnostics), ['DR101']);
    assert.match(again.diagnostics[0]!.message as string, /Dropout\(0\.5\)/);
  });

  test("didClose clears the document's diagnostics", async () => {
    await client.connection.sendNotification('textDocument/didClose', {
      textDocument: { uri: pyUri },
    });
    const p = await client.diagnostics(pyUri, (d) => d.version === undefined);
    assert.deepEqual(p.diagnostics, []);
  });
});

/** A notebook's cells: imports, markdown, the model (analysed together, in order). */
const NB = 'file:///work/notebooks/forecast.ipynb';
const cellUri = (id: string) => `vscode-notebook-cell:/work/notebooks/forecast.ipynb#${id}`;
const IMPORTS = 'import keras\nfrom keras import layers\n';
const MODEL = [
  'model = keras.Sequential([',
  '    keras.Input(shape=(50, 8)),',
  '    layers.Dropout(0.2),',
  '    layers.GRU(32),',
  '    layers.Dense(1),',
  '])',
  '',
].join('\n');

describe('a VS Code-like client (configuration, notebook sync, versioned edits)', () => {
  let client: Awaited<ReturnType<typeof start>>;
  before(async () => {
    client = await start({
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
      capabilities: {
        workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
        textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } },
        notebookDocument: { synchronization: {} },
      },
      configuration: (scope) =>
        scope === NB
          ? { rules: { severity: { DR101: 'error' } } }
          : { rules: { severity: { DR101: 'info' } }, symbols: { pythonFiles: true } },
    });
  });

  test('settings come from workspace/configuration per scope and override pyproject.toml', async () => {
    const uri = pathToFileURL(join(dir, 'other.py')).href;
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 7, text: PY },
    });
    const p = await client.diagnostics(uri, (d) => d.version === 7);
    assert.equal(p.diagnostics[0]?.severity, 3, 'rnnlab.rules.severity info over pyproject error');
    assert.ok(client.configurationAsked.some((i) => i.scopeUri === uri && i.section === 'rnnlab'));
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', {
      textDocument: { uri },
    })) as DocumentSymbol[];
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0]!.name, 'sentiment');
    assert.deepEqual(
      symbols[0]!.children?.map((c) => c.name),
      ['embedding', 'dropout', 'lstm', 'dense'],
    );
    assert.deepEqual(symbols[0]!.selectionRange, { start: at(14, 8), end: at(14, 24) });
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: at(DROPOUT_LINE, 12), end: at(DROPOUT_LINE, 12) },
      context: { diagnostics: p.diagnostics },
    })) as CodeAction[];
    const change = actions.find((a) => a.isPreferred)!.edit!
      .documentChanges![0] as TextDocumentEdit;
    assert.deepEqual(change.textDocument, { uri, version: 7 });
  });

  test("notebook didOpen: cells analysed together, the finding on the model's cell", async () => {
    await client.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: {
        uri: NB,
        notebookType: 'jupyter-notebook',
        version: 1,
        cells: [
          { kind: 2, document: cellUri('a') },
          { kind: 1, document: cellUri('b') },
          { kind: 2, document: cellUri('c') },
        ],
      },
      cellTextDocuments: [
        { uri: cellUri('a'), languageId: 'python', version: 1, text: IMPORTS },
        { uri: cellUri('b'), languageId: 'markdown', version: 1, text: '# The model\n' },
        { uri: cellUri('c'), languageId: 'python', version: 1, text: MODEL },
      ],
    });
    const p = await client.diagnostics(cellUri('c'), (d) => d.diagnostics.length > 0);
    assert.deepEqual(codes(p.diagnostics), ['DR101']);
    assert.equal(p.diagnostics[0]!.severity, 1, 'the notebook scope says error');
    assert.deepEqual(p.diagnostics[0]!.range.start, at(2, 4));
    assert.equal(p.diagnostics[0]!.relatedInformation?.[0]?.location.uri, cellUri('c'));
    assert.deepEqual((await client.diagnostics(cellUri('a'))).diagnostics, []);
    assert.ok(!client.published.some((x) => x.uri === cellUri('b')), 'markdown cells are not read');
    const hover = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: cellUri('c') },
      position: at(3, 12),
    })) as Hover;
    assert.match((hover.contents as MarkupContent).value, /GRU → \(None, 32\)/);
  });

  test('notebook didChange: a new cell and an edited one, findings move with their cell', async () => {
    await client.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: NB, version: 2 },
      change: {
        cells: {
          structure: {
            array: { start: 0, deleteCount: 0, cells: [{ kind: 2, document: cellUri('z') }] },
            didOpen: [
              {
                uri: cellUri('z'),
                languageId: 'python',
                version: 1,
                text: '%matplotlib inline\nimport numpy as np\n',
              },
            ],
          },
          textContent: [
            {
              document: { uri: cellUri('c'), version: 2 },
              changes: [
                { range: { start: at(0, 0), end: at(0, 0) }, text: 'print("building")\n' },
                { range: { start: at(3, 19), end: at(3, 22) }, text: '0.4' },
              ],
            },
          ],
        },
      },
    });
    const p = await client.diagnostics(cellUri('c'), (d) => d.version === 2);
    assert.deepEqual(codes(p.diagnostics), ['DR101']);
    assert.deepEqual(p.diagnostics[0]!.range.start, at(3, 4));
    assert.match(p.diagnostics[0]!.message as string, /Dropout\(0\.4\)/);
    assert.deepEqual((await client.diagnostics(cellUri('z'))).diagnostics, []);
    const r = (await client.connection.sendRequest('rnnlab/modelSummary', {
      textDocument: { uri: NB },
    })) as ModelSummaryResult;
    assert.equal(r.location.uri, cellUri('c'));
    assert.equal(r.source, NB);
    // "cell 4": cells are numbered as the notebook numbers them, markdown included.
    assert.match(r.text, /Built at forecast\.ipynb, cell 4, line 2\./);
  });

  test('modelSummary of a notebook cell: by position in the cell, or by name from the notebook', async () => {
    const inCell = (await client.connection.sendRequest('rnnlab/modelSummary', {
      textDocument: { uri: cellUri('c') },
      position: at(4, 8),
    })) as ModelSummaryResult;
    assert.equal(inCell.summary.name, 'sequential');
    assert.deepEqual(
      inCell.summary.rows.map((row) => [row.name, row.outputShape, row.params]),
      [
        ['dropout', '(None, 50, 8)', 0],
        ['gru', '(None, 32)', 4_032],
        ['dense', '(None, 1)', 33],
      ],
    );
    assert.equal(inCell.source, NB, 'asked again by name through the notebook');
    assert.deepEqual(inCell.location.range.start, at(1, 8));
    assert.match(inCell.text, /^Built at forecast\.ipynb, cell 4, line 2\.$/m);
    const byName = (await client.connection.sendRequest('rnnlab/modelSummary', {
      textDocument: { uri: NB },
      model: 'sequential',
    })) as ModelSummaryResult;
    assert.equal(byName.text, inCell.text);
    await refused(
      client.connection.sendRequest('rnnlab/modelSummary', {
        textDocument: { uri: NB },
        model: 'gru',
      }),
      'unknownModel',
      /^forecast\.ipynb builds no model named "gru" \(its models: "sequential"\)$/,
    );
    await refused(
      client.connection.sendRequest('rnnlab/modelSummary', { textDocument: { uri: cellUri('b') } }),
      'notOpen',
      /not what it reads/,
    );
  });

  test('notebook didClose clears every cell', async () => {
    await client.connection.sendNotification('notebookDocument/didClose', {
      notebookDocument: { uri: NB },
      cellTextDocuments: [cellUri('z'), cellUri('a'), cellUri('b'), cellUri('c')].map((uri) => ({
        uri,
      })),
    });
    const p = await client.diagnostics(cellUri('c'), (d) => d.diagnostics.length === 0);
    assert.equal(p.version, undefined);
  });
});

describe('a monaco-like client (no notebook sync: the rnnlab/notebookCells fallback)', () => {
  let client: Awaited<ReturnType<typeof start>>;
  const PG = 'file:///work/playground.rnnlab';
  const cell = (id: string) => `vscode-notebook-cell:/work/playground.rnnlab#${id}`;
  before(async () => {
    client = await start({
      initializationOptions: { settings: { inlayHints: { outputShapes: 'always' } } },
    });
  });

  test('cells opened as documents are analysed together once the notification names them', async () => {
    for (const [id, text] of [
      ['1', IMPORTS],
      ['2', MODEL],
    ] as const)
      await client.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: cell(id), languageId: 'rnnlab', version: 1, text },
      });
    await client.settle();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      !client.published.some((p) => p.uri.startsWith('vscode-notebook-cell:')),
      'a lone cell is not analysed',
    );
    await client.connection.sendNotification('rnnlab/notebookCells', {
      notebook: PG,
      notebookType: 'rnnlab',
      cells: [cell('1'), cell('2')],
    });
    const p = await client.diagnostics(cell('2'), (d) => d.diagnostics.length > 0);
    assert.deepEqual(codes(p.diagnostics), ['DR101']);
    assert.deepEqual(p.diagnostics[0]!.range.start, at(2, 4));
    const hints = (await client.connection.sendRequest('textDocument/inlayHint', {
      textDocument: { uri: cell('2') },
      range: { start: at(0, 0), end: at(10, 0) },
    })) as InlayHint[];
    assert.deepEqual(
      hints.map((h) => h.label),
      ['→ (None, 50, 8)', '→ (None, 50, 8)', '→ (None, 32)', '→ (None, 1)'],
    );
    // An edit of a cell document re-lints the notebook.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: cell('1'), version: 2 },
      contentChanges: [{ text: '# imports moved\n' }],
    });
    const gone = await client.diagnostics(
      cell('2'),
      (d) => d.version === 1 && d.diagnostics.length === 0,
    );
    assert.deepEqual(gone.diagnostics, []);
  });

  test('"cell N" counts every listed cell, unopened markdown ones too', async () => {
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: cell('1'), version: 3 },
      contentChanges: [{ text: IMPORTS }],
    });
    await client.connection.sendNotification('rnnlab/notebookCells', {
      notebook: PG,
      notebookType: 'rnnlab',
      cells: [cell('1'), cell('md'), cell('2')],
    });
    const r = (await client.connection.sendRequest('rnnlab/modelSummary', {
      textDocument: { uri: PG },
    })) as ModelSummaryResult;
    assert.equal(r.location.uri, cell('2'));
    assert.match(r.text, /^Built at playground\.rnnlab, cell 3, line 1\.$/m);
    const p = await client.diagnostics(cell('2'), (d) => d.diagnostics.length > 0);
    assert.deepEqual(codes(p.diagnostics), ['DR101']);
  });

  test('initializationOptions settings apply (output shapes "always" in a .py)', async () => {
    const uri = 'file:///work/model.py';
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: PY },
    });
    const hints = (await client.connection.sendRequest('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: at(LSTM_LINE, 0), end: at(LSTM_LINE + 1, 0) },
    })) as InlayHint[];
    assert.deepEqual(
      hints.map((h) => h.label),
      ['→ (None, 64)'],
    );
  });
});

describe('lint.delay: an edited document is analysed once typing pauses', () => {
  test('five quick edits: one publish, for the last version; requests do not wait for it', async () => {
    // Long enough that the five notifications and a hover surely fit in it, even on a busy machine.
    const client = await start({ initializationOptions: { settings: { lint: { delay: 3000 } } } });
    const uri = 'file:///work/typing.py';
    let doc = TextDocument.create(uri, 'python', 1, PY);
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: PY },
    });
    await client.diagnostics(uri, (d) => d.version === 1);
    const from = client.published.length;
    for (let v = 2; v <= 6; v++) {
      const change = {
        range: { start: at(DROPOUT_LINE, 25), end: at(DROPOUT_LINE, 26) },
        text: `${v}`,
      };
      doc = TextDocument.update(doc, [change], v);
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [change],
      });
    }
    assert.match(doc.getText(), /layers\.Dropout\(0\.6\)/);
    // A hover analyses the text as it is now, without waiting for the delay: 0.6 is a high rate.
    const hover = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: at(DROPOUT_LINE, 10),
    })) as Hover;
    assert.match((hover.contents as MarkupContent).value, /DR109/);
    const ours = () => client.published.slice(from).filter((p) => p.uri === uri);
    assert.deepEqual(ours(), [], 'nothing published while typing has not paused');
    const p = await client.diagnostics(uri, (d) => d.version === 6);
    assert.deepEqual(codes(p.diagnostics).sort(), ['DR101', 'DR109']);
    assert.match(p.diagnostics[0]!.message as string, /Dropout\(0\.6\)/);
    await client.settle();
    assert.deepEqual(
      ours().map((x) => x.version),
      [6],
      'one publish, for the last version',
    );
  });
});

/** A model block repeated up to a size; each has a Dropout feeding an LSTM. */
function bigFile(chars: number): string {
  const block = (i: number) =>
    `\nm${i} = keras.Sequential([\n    keras.Input(shape=(50, 3)),\n    layers.LSTM(64, return_sequences=True),\n    layers.Dropout(0.5),\n    layers.LSTM(8),\n    layers.Dense(1),\n])\n`;
  let text = 'import keras\nfrom keras import layers\n';
  for (let i = 0; text.length < chars; i++) text += block(i);
  return text;
}

describe('bad input', () => {
  let client: Awaited<ReturnType<typeof start>>;
  before(async () => {
    client = await start();
  });

  test('an unknown method is a MethodNotFound error', async () => {
    await assert.rejects(
      client.connection.sendRequest('rnnlab/noSuchThing', {}),
      (e: { code: number }) => {
        assert.equal(e.code, -32601);
        return true;
      },
    );
  });

  test('malformed messages and params: logged, the server keeps answering', async () => {
    client.child.stdin!.write('Content-Length: 9\r\n\r\n{garbage}');
    client.child.stdin!.write('Content-Length: 24\r\n\r\n{"jsonrpc":"2.0","id":5}');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: 42 } });
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: 'file:///nope.py' },
    });
    await client.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: null,
    });
    await client.connection.sendNotification('rnnlab/notebookCells', { notebook: 3 });
    assert.equal(await client.connection.sendRequest('textDocument/hover', {}), null);
    assert.deepEqual(
      await client.connection.sendRequest('textDocument/codeAction', { textDocument: {} }),
      [],
    );
    const uri = 'file:///work/after-garbage.py';
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: PY },
    });
    const p = await client.diagnostics(uri, (d) => d.version === 1);
    assert.deepEqual(codes(p.diagnostics), ['DR101']);
    assert.equal(client.child.exitCode, null);
  });

  test('a document over the size limit is not analysed: one Information at line 1 says how large it is', async () => {
    const uri = 'file:///work/huge.py';
    const text = bigFile(MAX_ANALYSED_CHARS + 1000);
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    const p = await client.diagnostics(uri, (d) => d.version === 1);
    assert.equal(p.diagnostics.length, 1, JSON.stringify(p.diagnostics.slice(0, 2)));
    const d = p.diagnostics[0]!;
    assert.equal(d.severity, 3, 'Information');
    assert.equal(d.source, 'rnnlab');
    assert.deepEqual(d.range, { start: at(0, 0), end: at(0, 'import keras'.length) });
    const size = `${text.length.toLocaleString('en-US')} characters, ${text.split('\n').length.toLocaleString('en-US')} lines`;
    assert.equal(
      d.message,
      `This file is too large for RNN Lab to analyse: ${size} (the limit is 1,000,000 characters or 50,000 lines). No Keras diagnostics, hovers or shape hints until it is smaller.`,
    );
    assert.equal(
      await client.connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: at(5, 12),
      }),
      null,
    );
    await refused(
      client.connection.sendRequest('rnnlab/modelSummary', { textDocument: { uri } }),
      'tooLarge',
      /^huge\.py is too large for RNN Lab to analyse \(1,00\d,\d{3} characters/,
    );
    // Cut back under the limit, it is analysed again.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: PY }],
    });
    assert.deepEqual(codes((await client.diagnostics(uri, (x) => x.version === 2)).diagnostics), [
      'DR101',
    ]);
    // Lines count too: a file of short lines is capped at MAX_ANALYSED_LINES.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ text: PY + '\n'.repeat(MAX_ANALYSED_LINES) }],
    });
    const lines = await client.diagnostics(uri, (x) => x.version === 3);
    assert.deepEqual(
      lines.diagnostics.map((x) => (x.message as string).match(/[\d,]+ lines \(/)?.[0]),
      [`${(MAX_ANALYSED_LINES + PY.split('\n').length).toLocaleString('en-US')} lines (`],
    );
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });

  test('a notebook whose code cells are too large together: the Information is on its first cell', async () => {
    const nb = 'file:///work/big.ipynb';
    const cells = ['a', 'b'].map((id) => `vscode-notebook-cell:/work/big.ipynb#${id}`);
    const half = bigFile(MAX_ANALYSED_CHARS / 2 + 10);
    for (const uri of cells)
      await client.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'python', version: 1, text: half },
      });
    await client.connection.sendNotification('rnnlab/notebookCells', { notebook: nb, cells });
    const p = await client.diagnostics(cells[0]!, (d) => d.diagnostics.length > 0);
    assert.deepEqual(
      p.diagnostics.map((d) => [d.severity, d.range.start.line]),
      [[3, 0]],
    );
    assert.match(
      p.diagnostics[0]!.message as string,
      /^This notebook's code cells are too large for RNN Lab to analyse/,
    );
    assert.deepEqual((await client.diagnostics(cells[1]!)).diagnostics, []);
    await client.connection.sendNotification('rnnlab/notebookCells', { notebook: nb, cells: [] });
    for (const uri of cells)
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });

  test('rapid edits: analysed once at the end, only the last version published, never older', async () => {
    const uri = 'file:///work/rapid.py';
    // Big enough (about a second of analysis) that the burst arrives while the first run works.
    let doc = TextDocument.create(uri, 'python', 1, bigFile(500_000));
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: doc.getText() },
    });
    await client.diagnostics(uri, (d) => d.version === 1);
    const from = client.published.length;
    const rate = { start: at(6, 19), end: at(6, 22) };
    const EDITS = 20;
    for (let v = 2; v <= EDITS + 1; v++) {
      const change = { range: rate, text: `0.${(v % 9) + 1}` };
      doc = TextDocument.update(doc, [change], v);
      void client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [change],
      });
    }
    const last = await client.diagnostics(uri, (d) => d.version === EDITS + 1);
    assert.match(
      last.diagnostics[0]!.message as string,
      new RegExp(`Dropout\\(0\\.${((EDITS + 1) % 9) + 1}\\)`),
    );
    await client.settle();
    const versions = client.published
      .slice(from)
      .filter((p) => p.uri === uri)
      .map((p) => p.version!);
    assert.deepEqual(
      [...versions].sort((a, b) => a - b),
      versions,
      'versions never go back',
    );
    assert.ok(
      versions.length <= 3,
      `a burst of ${EDITS} edits is analysed at most a few times: ${versions}`,
    );
  });

  test('shutdown and exit end the process with code 0', async () => {
    assert.equal(await client.stop(), 0);
  });
});
