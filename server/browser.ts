/**
 * The language server in a Web Worker (the browser playground, VS Code for the Web): messages
 * come and go through the worker's own port. It cannot read files: a client sends pyproject.toml
 * texts with `rnnlab/pyproject`.
 */
import {
  BrowserMessageReader,
  BrowserMessageWriter,
  createConnection,
  ProposedFeatures,
} from 'vscode-languageserver/browser';
import { startServer } from './core';

// The worker's global scope is the port (a DedicatedWorkerGlobalScope; no DOM types here).
const port = globalThis as unknown as ConstructorParameters<typeof BrowserMessageReader>[0];
const connection = createConnection(
  ProposedFeatures.all,
  new BrowserMessageReader(port),
  new BrowserMessageWriter(port),
);
startServer(connection, { readFile: null });
connection.listen();
