/**
 * The language server in a Node process: `node dist/server.js --stdio` (or `--node-ipc`,
 * `--socket=PORT`, `--pipe=NAME`: vscode-languageserver picks the transport from the arguments),
 * and `rnnlab server --stdio`. Files are read from disk here, and only here.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './core';
import type { ReadFile } from './settings';

/** Reads a `file:` URI; null for a missing file, another scheme, or anything unreadable. */
export const readFileUri: ReadFile = async (uri) => {
  if (!uri.startsWith('file:')) return null;
  try {
    return await readFile(fileURLToPath(uri), 'utf8');
  } catch {
    // Missing is the common case (the walk up looks in every folder); both mean "no file here".
    return null;
  }
};

/** Starts the server on the transport named in process.argv; it runs until `exit`. */
export function runNodeServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  startServer(connection, { readFile: readFileUri });
  connection.listen();
}

// The bundle dist/server.js runs it; cli/main.ts imports runNodeServer instead.
declare const RNNLAB_SERVER_ENTRY: boolean | undefined;
if (typeof RNNLAB_SERVER_ENTRY === 'boolean' && RNNLAB_SERVER_ENTRY) runNodeServer();
