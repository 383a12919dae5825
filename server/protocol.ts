/**
 * RNN Lab's own messages on top of LSP, declared once: who sends each and what it carries. A
 * client that speaks plain LSP needs none of them; they fill gaps that LSP leaves (a model's
 * summary) and give clients without notebook sync or `workspace/configuration` the same results.
 */
import { NotificationType, RequestType, type Position, type Range } from 'vscode-languageserver';
import type { ModelSummary } from '../analyzer/summary';
import type { ComparisonPlan } from './compare-cell';

/** The notebook types whose code cells are analysed together (LSP notebook sync selector). */
export const PLAYGROUND_NOTEBOOK = 'rnnlab';
export const JUPYTER_NOTEBOOK = 'jupyter-notebook';

/** The command the "Explain CODE" action runs, with the rule code as its one argument. */
export const EXPLAIN_COMMAND = 'rnnlab.explainRule';

/**
 * The command of the "Show Dropout Masks" code lens (on a dropout in a playground cell), run by
 * the client with one ShowMasksArgs. Lenses are offered only to a client that says it has the
 * command (`initializationOptions.maskLenses`).
 */
export const SHOW_MASKS_COMMAND = 'rnnlab.showMasks';

/** The argument of SHOW_MASKS_COMMAND: insert a code cell holding `code` below `cell`. */
export interface ShowMasksArgs {
  /** The URI of the cell the lens is on. */
  cell: string;
  /** `import rnnlab\nrnnlab.show_masks(model, x_train)`, with the model's and the data's names. */
  code: string;
}

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
  /**
   * The cells' document URIs in notebook order. Markdown cells may be listed too without being
   * opened: only opened `python` (or, in playgrounds, `rnnlab`) documents are read, but every
   * listed cell counts when a message names "cell N", as the notebook numbers its cells.
   */
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
 * Client → server: the Keras summary of one model. `textDocument` is a Python or rnnlab document,
 * a notebook cell, or a notebook (its code cells analysed together). The model is the one named
 * `model`, else the one at `position` (whose constructor, layers or compile call hold it), else
 * the unit's last model. Null when the text builds no model at all. Fails with `RequestFailed`
 * (-32803) and `data: ModelSummaryErrorData` when the document is not open (or not one RNN Lab
 * reads), too large to analyse, or builds no model of that name (the message names it).
 */
export interface ModelSummaryParams {
  textDocument: { uri: string };
  /** The model's Keras name (`model.name`, the summary's title); takes precedence over position. */
  model?: string;
  /** A position in `textDocument` (ignored for a notebook's URI, which has no lines). */
  position?: Position;
}
export interface ModelSummaryResult {
  /** The rows, names and totals as Keras's `model.summary()` prints them. */
  summary: ModelSummary;
  /**
   * The summary as the VS Code command shows it: the table in plain ASCII, where the model was
   * built (`file.py:12`, or `nb.ipynb, cell 3, line 2`, cells counted as the notebook numbers
   * them, markdown included), and notes.
   */
  text: string;
  /** Where the model's constructor is: the document (a cell for notebooks) and range. */
  location: { uri: string; range: Range };
  /** What to ask again with `model` to refresh it: the notebook's URI for a cell, else the document's. */
  source: string;
}
/** Why rnnlab/modelSummary failed (the `data` of its `RequestFailed` error). */
export interface ModelSummaryErrorData {
  reason: 'notOpen' | 'tooLarge' | 'unknownModel';
}
export const ModelSummaryRequest = new RequestType<
  ModelSummaryParams,
  ModelSummaryResult | null,
  ModelSummaryErrorData
>('rnnlab/modelSummary');

/**
 * Client → server: the plan of a dropout-placement comparison for the model at `position` in
 * `textDocument` (a Python or rnnlab document, or a notebook cell), as "RNN Lab: Compare Dropout
 * Placements" turns it into an `rnnlab.compare(...)` cell (server/compare-cell.ts). Fails with
 * `RequestFailed` and `data: ComparisonPlanErrorData` when the document is not open, too large,
 * builds no model, or the model has nothing to compare (the message says what to do).
 */
export interface ComparisonPlanParams {
  textDocument: { uri: string };
  position: Position;
}
export interface ComparisonPlanResult {
  plan: ComparisonPlan;
  /** The document (a cell for notebooks) that holds the model's code. */
  location: { uri: string; range: Range };
  /** Whether the document belongs to a notebook (a playground or a Jupyter notebook). */
  notebook: boolean;
}
export interface ComparisonPlanErrorData {
  reason: 'notOpen' | 'tooLarge' | 'noModel' | 'nothingToCompare';
}
export const ComparisonPlanRequest = new RequestType<
  ComparisonPlanParams,
  ComparisonPlanResult,
  ComparisonPlanErrorData
>('rnnlab/comparisonPlan');

/**
 * The `rnnlab` settings section, as `workspace/configuration` answers it for section `rnnlab`
 * (and as `initializationOptions.settings` or `workspace/didChangeConfiguration`'s
 * `settings.rnnlab` carry it for clients that push settings). Every key is optional.
 */
export interface SettingsSection {
  lint?: {
    enable?: boolean;
    pythonFiles?: boolean;
    jupyterNotebooks?: boolean;
    /** Milliseconds without a change before an edited document is analysed (0 to 5000, default 300). */
    delay?: number;
  };
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
  /** The client runs SHOW_MASKS_COMMAND: offer its code lenses. */
  maskLenses?: boolean;
}
