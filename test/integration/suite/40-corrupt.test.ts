/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, sleep, workspaceUri } from './util';

suite('corrupt playground file', () => {
  test('a .rnnlab with invalid JSON fails to open and stays byte-for-byte unchanged', async () => {
    await activateExtension();
    // A valid playground opens: the refusal below is the serializer's, not a missing provider's.
    const valid = await vscode.workspace.openNotebookDocument(workspaceUri('sine.rnnlab'));
    assert.equal(valid.notebookType, 'rnnlab');
    const uri = workspaceUri('fixtures', 'corrupt.rnnlab');
    const before = await vscode.workspace.fs.readFile(uri);
    await assert.rejects(
      Promise.resolve(vscode.workspace.openNotebookDocument(uri)),
      (e: Error) => {
        console.log(`corrupt.rnnlab refused: ${e.message.split('\n')[0]}`);
        assert.doesNotMatch(e.message, /NO provider registered/);
        return true;
      },
      'opening the corrupt notebook is refused',
    );
    await sleep(1000);
    const after = await vscode.workspace.fs.readFile(uri);
    assert.equal(Buffer.compare(Buffer.from(before), Buffer.from(after)), 0, 'bytes unchanged');
    assert.ok(
      !vscode.workspace.notebookDocuments.some((d) => d.uri.toString() === uri.toString()),
      'no notebook document was created for it',
    );
  });
});
