/** The chart's style: VS Code's theme variables only, so light, dark and high contrast all read. */
export const CHART_CSS = `
.rnnlab-run { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); padding: 4px 0; }
.rnnlab-run .rnnlab-title strong { font-weight: 600; }
.rnnlab-run .rnnlab-desc { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.95em; }
.rnnlab-run .rnnlab-config, .rnnlab-run .rnnlab-progress { color: var(--vscode-descriptionForeground); }
.rnnlab-run .rnnlab-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; margin: 6px 0 4px; }
.rnnlab-run .rnnlab-progress { font-variant-numeric: tabular-nums; min-width: 16em; }
.rnnlab-run .rnnlab-controls { display: inline-flex; align-items: center; gap: 8px; margin-left: auto; }
.rnnlab-run .rnnlab-controls output { font-variant-numeric: tabular-nums; min-width: 2.4em; }
.rnnlab-run input[type=range] { accent-color: var(--vscode-focusBorder); width: 110px; }
.rnnlab-run input[type=range]:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.rnnlab-run .rnnlab-chart { margin-top: 6px; }
.rnnlab-run .uplot, .rnnlab-run .u-legend { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
.rnnlab-run .u-legend { font-size: 12px; text-align: left; }
.rnnlab-run .u-legend th { font-weight: normal; }
.rnnlab-run .u-legend .u-value { font-variant-numeric: tabular-nums; }
.rnnlab-run .u-select { background: var(--vscode-editor-selectionBackground, rgba(128, 128, 128, 0.2)); }
.rnnlab-run .u-cursor-x, .rnnlab-run .u-cursor-y { border-color: var(--vscode-editorCursor-foreground, currentColor) !important; }
.rnnlab-run .rnnlab-empty { color: var(--vscode-descriptionForeground); padding: 8px 0; }
`;
