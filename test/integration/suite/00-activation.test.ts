/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID } from './util';

suite('activation', () => {
  test('the extension activates and reports its activation time', async () => {
    const ext = await activateExtension();
    assert.ok(ext.isActive, `${EXTENSION_ID} is active`);
    const ms = ext.exports?.activationMs;
    assert.equal(typeof ms, 'number', 'activate() returns { activationMs }');
    console.log(`RNN Lab activated in ${ms!.toFixed(1)} ms (extension host ${vscode.version})`);
  });

  test('every contributed command is registered', async () => {
    const ext = await activateExtension();
    const contributed = (
      ext.packageJSON as { contributes: { commands: Array<{ command: string }> } }
    ).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.ok(
      missing.length === 0,
      `contributed commands without a handler: ${missing.join(', ')}`,
    );
  });
});
