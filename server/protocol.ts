/**
 * RNN Lab's own messages on top of LSP, declared once: who sends each and what it carries. A
 * client that speaks plain LSP needs none of them; they fill gaps that LSP leaves (a model's
 * summary) and give clients without notebook sync or `workspace/configuration` the same results.
 */
import { NotificationType, RequestType, type Position, type Range } from 'vscode-languageserver';
import type { ModelSummary } from '../analyzer/summary';

/** The notebook types whose code cells are analysed together (LSP notebook sync selector). */
export const PLAYGROUND_NOTEBOOK = 'rnnlab';
export const JUPYTER_NOTEBOOK = 'jupyter-notebook';

/** The command the "Explain CODE" action runs, with the rule code as its one argument. */
export const EXPLAIN_COMMAND = 'rnnlab.explainRule';

/** The `source` of every diagnostic the server publishes. */
export const SOURCE = 'rnnlab';

/**
 * Client → server, for clients without LSP notebook sync (monaco's built-in client): the cells of
 * a notebook, in order, each already opened with `textDocument/didOpen`. From then on those
 * documents are analysed together, as one notebook; diagnostics still land on each cell's URI.
 * Sent again whenever cells are added, removed or reordered; `cells: []` forgets the notebook.
 */
export interface NotebookCellsParams {
  /** The notebook's URI: where settings and pyproject.toml are looked up. */
  notebook: string;
  /** `rnnlab` (a playground) or `jupyter-notebook`; default `jupyter-notebook`. */
  notebookType?: string;
  /** The code cells' document URIs in notebook order. */
  cells: string[];
}
export const NotebookCellsNotification = new NotificationType<NotebookCellsParams>(
  'rnnlab/notebookCells',
);

/**
 * Client → server, for virtual workspaces where the server cannot read files: the text of a
 * `pyproject.toml` (null when it was deleted). It takes precedence over the file on disk.
 */
export interface PyprojectParams {
  /** The pyproject.toml's own URI (`file:///work/pyproject.toml`). */
  uri: string;
  text: string | null;
}
export const PyprojectNotification = new NotificationType<PyprojectParams>('rnnlab/pyproject');

/**
 * Client → server: the Keras summary of the model at a position (the model whose constructor,
 * layers or compile call hold it; else the document's last model). `textDocument` may also be a
 * notebook's URI without a position (the notebook's last model). Null when no model is built.
 */
export interface ModelSummaryParams {
  textDocument: { uri: string };
  position?: Position;
}
export interface ModelSummaryResult {
  /** The rows, names and totals as Keras's `model.summary()` prints them. */
  summary: ModelSummary;
  /** The same as the ASCII table the VS Code command shows, with where and notes. */
  text: string;
  /** Where the model's constructor is: the document (a cell for notebooks) and range. */
  location: { uri: string; range: Range };
}
export const ModelSummaryRequest = new RequestType<
  ModelSummaryParams,
  ModelSummaryResult | null,
  void
>('rnnlab/modelSummary');

/**
 * The `rnnlab` settings section, as `workspace/configuration` answers it for section `rnnlab`
 * (and as `initializationOptions.settings` or `workspace/didChangeConfiguration`'s
 * `settings.rnnlab` carry it for clients that push settings). Every key is optional.
 */
export interface SettingsSection {
  lint?: { enable?: boolean; pythonFiles?: boolean; jupyterNotebooks?: boolean };
  /** Overrides `[tool.rnnlab] target`: a client should send it only when the user set it. */
  target?: string;
  rules?: { severity?: Record<string, string>; select?: string[]; ignore?: string[] };
  inlayHints?: { outputShapes?: string };
  symbols?: { pythonFiles?: boolean };
}

/** `initializationOptions` the server reads (all optional). */
export interface InitializationOptions {
  /** Settings for clients without `workspace/configuration`. */
  settings?: SettingsSection;
  /**
   * How hovers link a rule code: `url` (default) to its documentation page, `command` to
   * `command:rnnlab.explainRule` (for VS Code, which runs the command from a trusted hover).
   */
  ruleLinks?: 'url' | 'command';
}
