/**
 * The views' style: CSS text (VS Code's theme variables only, so light, dark and high contrast
 * all read) and the theme colours a canvas needs resolved.
 */
import type uPlot from 'uplot';

/** A CSS variable of the theme, resolved at `el` (a canvas takes no CSS variables). */
export function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** A CSS colour with its opacity scaled by `alpha` (canvas strokes take no CSS variables). */
export function translucent(colour: string, alpha: number): string {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return colour;
  ctx.fillStyle = colour;
  // The canvas normalises a colour to #rrggbb, or rgba(r, g, b, a) when it is translucent.
  const c = String(ctx.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (hex) {
    const [r, g, b] = hex.slice(1).map((x) => parseInt(x, 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgba = /^rgba\(([^,]+),([^,]+),([^,]+),([^)]+)\)$/.exec(c);
  return rgba ? `rgba(${rgba[1]},${rgba[2]},${rgba[3]}, ${Number(rgba[4]) * alpha})` : c;
}

/** What every chart takes from the theme: the axes' text, the grid, and marker lines. */
export interface AxisColours {
  text: string;
  grid: string;
  /** Dotted lines over the plot (epoch boundaries). */
  marker: string;
}

export function axisColours(el: Element): AxisColours {
  const text = cssVar(
    el,
    '--vscode-descriptionForeground',
    cssVar(el, '--vscode-foreground', '#808080'),
  );
  const contrast = cssVar(el, '--vscode-contrastBorder', '');
  return {
    text,
    // Faint, so the curves and the epoch boundaries stand out (high contrast keeps its border).
    grid: translucent(
      cssVar(el, '--vscode-charts-lines', 'rgba(128, 128, 128, 0.5)'),
      contrast ? 0.6 : 0.35,
    ),
    marker: contrast || translucent(text, 0.75),
  };
}

/** A uPlot axis in the theme's colours and the page's font. */
export function axisStyle(label: string, colours: AxisColours, el: Element): uPlot.Axis {
  const font = `11px ${getComputedStyle(el).fontFamily || 'sans-serif'}`;
  return {
    label,
    stroke: colours.text,
    grid: { stroke: colours.grid, width: 1 },
    ticks: { stroke: colours.grid, width: 1, size: 4 },
    font,
    labelFont: font,
    labelSize: 16,
    labelGap: 0,
  };
}

/** uPlot's legend, selection and cursor in the theme's colours, for the view `scope`. */
const uplotTheme = (scope: string) => `
${scope} .uplot, ${scope} .u-legend { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
${scope} .u-legend { font-size: 12px; text-align: left; }
${scope} .u-legend th { font-weight: normal; }
${scope} .u-legend .u-value { font-variant-numeric: tabular-nums; }
${scope} .u-select { background: var(--vscode-editor-selectionBackground, rgba(128, 128, 128, 0.2)); }
${scope} .u-cursor-x, ${scope} .u-cursor-y { border-color: var(--vscode-editorCursor-foreground, currentColor) !important; }`;

/** The chart of one run (the notebook renderer). */
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
${uplotTheme('.rnnlab-run')}
.rnnlab-run .rnnlab-empty { color: var(--vscode-descriptionForeground); padding: 8px 0; }
.rnnlab-run .rnnlab-log { margin-top: 6px; }
.rnnlab-run .rnnlab-log summary { cursor: pointer; color: var(--vscode-descriptionForeground); width: fit-content; }
.rnnlab-run .rnnlab-log summary:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.rnnlab-run .rnnlab-log pre { margin: 4px 0 0; padding: 6px 8px; max-height: 20em; overflow: auto; font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 12px); background: var(--vscode-textCodeBlock-background, transparent); border: 1px solid var(--vscode-widget-border, transparent); }
`;

/**
 * The colours of runs in the dashboard, in the order runs get them: VS Code's chart colours
 * (each theme sets them), with the default dark values as fallbacks.
 */
export const RUN_COLOURS: ReadonlyArray<readonly [variable: string, fallback: string]> = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];

/** The colour of the `i`th run, resolved at `el` for a canvas. */
export function runColour(el: Element, i: number): string {
  const [name, fallback] = RUN_COLOURS[i % RUN_COLOURS.length]!;
  return cssVar(el, name, fallback);
}

const border = 'var(--vscode-widget-border, var(--vscode-panel-border, rgba(128, 128, 128, 0.35)))';

/** The runs dashboard (a webview panel): header, toolbar, comparison table, overlay chart. */
export const DASHBOARD_CSS = `
body { background: var(--vscode-editor-background); }
.rnnlab-dash { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); padding: 12px 20px 28px; }
.rnnlab-dash h1 { font-size: 1.3em; font-weight: 600; margin: 0; }
.rnnlab-dash h2 { font-size: 1.05em; font-weight: 600; margin: 0; }
.rnnlab-dash .rnnlab-head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; margin-bottom: 10px; }
.rnnlab-dash .rnnlab-notebook { color: var(--vscode-descriptionForeground); }
.rnnlab-dash .rnnlab-field { display: inline-flex; align-items: center; gap: 6px; }
.rnnlab-dash .rnnlab-field vscode-single-select { min-width: 12em; }
.rnnlab-dash .rnnlab-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; margin: 6px 0 8px; }
.rnnlab-dash .rnnlab-count { color: var(--vscode-descriptionForeground); margin-right: auto; font-variant-numeric: tabular-nums; }
.rnnlab-dash .rnnlab-table-wrap { overflow-x: auto; }
.rnnlab-dash table { border-collapse: collapse; width: 100%; }
.rnnlab-dash th { text-align: left; font-weight: 600; padding: 5px 7px; border-bottom: 1px solid ${border}; white-space: nowrap; }
.rnnlab-dash td { padding: 4px 7px; border-bottom: 1px solid ${border}; vertical-align: middle; }
.rnnlab-dash tbody tr:hover td { background: var(--vscode-list-hoverBackground, transparent); }
.rnnlab-dash tbody tr[aria-selected=true] td { background: var(--vscode-list-inactiveSelectionBackground, transparent); }
.rnnlab-dash .rnnlab-select { width: 1px; }
.rnnlab-dash .rnnlab-num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rnnlab-dash .rnnlab-model { white-space: nowrap; font-weight: 600; }
.rnnlab-dash .rnnlab-desc { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.92em; min-width: 16em; }
.rnnlab-dash .rnnlab-detail { color: var(--vscode-descriptionForeground); font-size: 0.92em; margin-left: 6px; }
.rnnlab-dash .rnnlab-started { white-space: nowrap; }
.rnnlab-dash .rnnlab-status { white-space: nowrap; }
.rnnlab-dash .rnnlab-status vscode-button { margin-left: 8px; }
.rnnlab-dash .rnnlab-status[data-status=diverged], .rnnlab-dash .rnnlab-status[data-status=lost] { color: var(--vscode-errorForeground); }
.rnnlab-dash .rnnlab-status[data-status=stopped] { color: var(--vscode-descriptionForeground); }
.rnnlab-dash .rnnlab-status[data-status=running]::before { content: ''; display: inline-block; width: 7px; height: 7px; border-radius: 50%; margin-right: 6px; vertical-align: 1px; background: var(--vscode-progressBar-background, var(--vscode-focusBorder)); }
.rnnlab-dash input[type=checkbox] { appearance: none; margin: 0; width: 16px; height: 16px; border-radius: 3px; display: grid; place-content: center; cursor: pointer; background: var(--vscode-checkbox-background, var(--vscode-settings-checkboxBackground)); border: 1px solid var(--vscode-checkbox-border, var(--vscode-settings-checkboxBorder)); }
.rnnlab-dash input[type=checkbox]::after { content: ''; width: 4px; height: 8px; margin-top: -2px; border: solid var(--vscode-checkbox-foreground, var(--vscode-settings-checkboxForeground)); border-width: 0 2px 2px 0; transform: rotate(45deg); visibility: hidden; }
.rnnlab-dash input[type=checkbox]:checked::after { visibility: visible; }
.rnnlab-dash input[type=checkbox]:indeterminate::after { visibility: visible; transform: none; width: 8px; height: 0; margin-top: 0; border-width: 0 0 2px 0; }
.rnnlab-dash input[type=checkbox]:focus-visible, .rnnlab-dash summary:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
${RUN_COLOURS.map(([v, f], i) => `.rnnlab-dash [data-colour="${i}"] { --rnnlab-run: var(${v}, ${f}); }`).join('\n')}
.rnnlab-dash .rnnlab-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: 0; visibility: hidden; }
.rnnlab-dash .rnnlab-swatch[data-colour] { visibility: visible; background: var(--rnnlab-run); }
.rnnlab-dash .rnnlab-legend { list-style: none; margin: 4px 0 0; padding: 0 0 0 56px; display: flex; flex-wrap: wrap; gap: 4px 20px; }
.rnnlab-dash .rnnlab-legend li { display: inline-flex; align-items: center; gap: 6px; }
.rnnlab-dash .rnnlab-legend .rnnlab-line { display: inline-block; width: 16px; border-top: 2px solid var(--rnnlab-run); }
.rnnlab-dash .rnnlab-legend .rnnlab-dashed { border-top-style: dashed; margin-left: -2px; }
.rnnlab-dash .rnnlab-legend .rnnlab-value, .rnnlab-dash .rnnlab-hover-epoch { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.rnnlab-dash .rnnlab-overlay { margin-top: 18px; }
.rnnlab-dash .rnnlab-chart-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; margin-bottom: 6px; }
.rnnlab-dash .rnnlab-key { color: var(--vscode-descriptionForeground); }
.rnnlab-dash .rnnlab-empty { color: var(--vscode-descriptionForeground); padding: 12px 0; }
${uplotTheme('.rnnlab-dash')}
`;

/** A comparison's view (`rnnlab.compare`): verdict, chart of every run, table, method. */
export const COMPARE_CSS = `
.rnnlab-compare { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); padding: 4px 0; max-width: 980px; }
.rnnlab-compare .rnnlab-title strong { font-weight: 600; }
.rnnlab-compare .rnnlab-config, .rnnlab-compare .rnnlab-progress, .rnnlab-compare .rnnlab-key, .rnnlab-compare .rnnlab-note { color: var(--vscode-descriptionForeground); }
.rnnlab-compare .rnnlab-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; margin: 6px 0 4px; }
.rnnlab-compare .rnnlab-progress { font-variant-numeric: tabular-nums; }
.rnnlab-compare .rnnlab-verdict { margin: 8px 0 10px; padding: 6px 10px; line-height: 1.5; border-left: 3px solid var(--vscode-focusBorder); background: var(--vscode-textCodeBlock-background, transparent); }
.rnnlab-compare .rnnlab-verdict[data-best] { border-left-color: var(--vscode-charts-green, var(--vscode-focusBorder)); }
.rnnlab-compare code { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.95em; color: var(--vscode-foreground); background: none; }
.rnnlab-compare .rnnlab-plot { margin-top: 4px; }
.rnnlab-compare .rnnlab-legend { list-style: none; margin: 2px 0 0; padding: 0 0 0 60px; display: flex; flex-wrap: wrap; gap: 4px 20px; }
.rnnlab-compare .rnnlab-legend li { display: inline-flex; align-items: center; gap: 6px; }
.rnnlab-compare .rnnlab-line { display: inline-block; width: 18px; border-top: 3px solid var(--rnnlab-run); }
.rnnlab-compare .rnnlab-baseline-line { display: inline-block; width: 18px; border-top: 2px dotted var(--vscode-foreground); }
.rnnlab-compare .rnnlab-value, .rnnlab-compare .rnnlab-hover-epoch { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.rnnlab-compare .rnnlab-key { margin: 4px 0 10px 60px; font-size: 0.92em; }
.rnnlab-compare .rnnlab-table-wrap { overflow-x: auto; }
.rnnlab-compare table { border-collapse: collapse; margin: 2px 0 6px; }
.rnnlab-compare th { text-align: left; font-weight: 600; padding: 4px 10px 4px 6px; border-bottom: 2px solid ${border}; white-space: nowrap; }
.rnnlab-compare td { padding: 3px 10px 3px 6px; border-bottom: 1px solid ${border}; vertical-align: top; }
.rnnlab-compare .rnnlab-num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rnnlab-compare .rnnlab-name { white-space: nowrap; font-weight: 600; }
.rnnlab-compare .rnnlab-desc { display: block; min-width: 19em; font-weight: normal; font-family: var(--vscode-editor-font-family, monospace); font-size: 0.9em; color: var(--vscode-descriptionForeground); white-space: normal; }
.rnnlab-compare .rnnlab-pair { white-space: nowrap; }
.rnnlab-compare tr.rnnlab-baseline td { color: var(--vscode-descriptionForeground); }
.rnnlab-compare tr[data-best] .rnnlab-variant::after { content: ' best'; font-weight: normal; font-size: 0.85em; color: var(--vscode-charts-green, var(--vscode-foreground)); }
${RUN_COLOURS.map(([v, f], i) => `.rnnlab-compare [data-colour="${i}"] { --rnnlab-run: var(${v}, ${f}); }`).join('\n')}
.rnnlab-compare .rnnlab-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; background: var(--rnnlab-run); }
.rnnlab-compare details { margin-top: 6px; }
.rnnlab-compare summary { cursor: pointer; color: var(--vscode-descriptionForeground); width: fit-content; }
.rnnlab-compare summary:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.rnnlab-compare .rnnlab-method { line-height: 1.5; max-width: 80ch; }
${uplotTheme('.rnnlab-compare')}
`;

/** The masks view (`rnnlab.show_masks`): a heatmap per mask, with its caption and readout. */
export const MASKS_CSS = `
.rnnlab-masks { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); padding: 4px 0; }
.rnnlab-masks-head { margin-bottom: 4px; }
.rnnlab-masks-head strong { font-weight: 600; }
.rnnlab-masks-legend { display: flex; align-items: center; gap: 6px; color: var(--vscode-descriptionForeground); margin-bottom: 10px; }
.rnnlab-masks-legend .rnnlab-swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; }
.rnnlab-masks-legend .rnnlab-swatch:not(:first-child) { margin-left: 10px; }
.rnnlab-masks-legend .rnnlab-kept { background: var(--vscode-charts-blue, #3794ff); }
.rnnlab-masks-legend .rnnlab-dropped { background: color-mix(in srgb, var(--vscode-foreground) 16%, transparent); border: 1px solid var(--vscode-contrastBorder, transparent); }
.rnnlab-masks-axes { margin-left: 18px; }
.rnnlab-masks-list { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 16px 32px; }
.rnnlab-mask { min-width: 0; max-width: 100%; }
.rnnlab-mask-title { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.95em; }
.rnnlab-mask-title strong { font-weight: 600; }
.rnnlab-mask-caption { margin: 2px 0 6px; }
.rnnlab-mask-plot { display: grid; grid-template-columns: auto minmax(0, auto); column-gap: 6px; align-items: stretch; justify-content: start; }
.rnnlab-mask-y { display: flex; flex-direction: column; justify-content: space-between; align-items: flex-end; }
.rnnlab-mask-y, .rnnlab-mask-x, .rnnlab-mask-readout { color: var(--vscode-descriptionForeground); font-size: 0.9em; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rnnlab-mask-x { display: flex; justify-content: space-between; gap: 12px; }
.rnnlab-mask-scroll { overflow: auto; max-width: 100%; max-height: 360px; line-height: 0; }
.rnnlab-mask-canvas { display: block; image-rendering: pixelated; }
.rnnlab-mask-canvas:focus { outline: none; }
.rnnlab-mask-canvas:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.rnnlab-mask-size { margin-left: 10px; color: var(--vscode-descriptionForeground); font-family: var(--vscode-font-family); font-size: 0.95em; white-space: nowrap; }
.rnnlab-mask-readout { min-height: 1.4em; margin-top: 2px; color: var(--vscode-foreground); }
.rnnlab-masks-empty { color: var(--vscode-descriptionForeground); padding: 8px 0; }
`;
