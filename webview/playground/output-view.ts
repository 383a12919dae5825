/**
 * One cell output in the page, drawn as VS Code's notebook would: runs, masks and comparisons by
 * RNN Lab's own renderer (webview/renderer.ts, through LiveRuns's context), the summary table as
 * its HTML (the kernel writes it from the rows, every value escaped), printed text and errors as
 * text, an SVG picture as an image.
 */
import { activate } from '../renderer';
import { COMPARE_MIME, RUN_MIME } from '../../kernels/protocol';
import { MASKS_MIME } from '../../kernels/mask-output';
import { ERROR_MIME, STDERR_MIME, STDOUT_MIME, type CellOutput } from '../../notebook/nbformat';

const VIEW_MIMES = [RUN_MIME, MASKS_MIME, COMPARE_MIME];
/** The order a viewer prefers (the first item present is drawn). */
const PREFERRED = [
  ...VIEW_MIMES,
  'text/html',
  'image/svg+xml',
  ERROR_MIME,
  STDOUT_MIME,
  STDERR_MIME,
  'text/plain',
];

export type Renderer = ReturnType<typeof activate>;

let outputIds = 0;

/** Draws `output` into a new element; `dispose` releases its view. */
export function renderOutput(
  renderer: Renderer,
  output: CellOutput,
): { element: HTMLElement; dispose(): void } {
  const element = document.createElement('div');
  element.className = 'output';
  const item =
    PREFERRED.map((m) => output.items.find((i) => i.mime === m)).find((i) => i) ?? output.items[0];
  if (!item) return { element, dispose: () => undefined };
  element.dataset['mime'] = item.mime;
  if (VIEW_MIMES.includes(item.mime)) {
    const id = `out-${++outputIds}`;
    renderer.renderOutputItem({ id, mime: item.mime, json: () => JSON.parse(item.value) }, element);
    return { element, dispose: () => renderer.disposeOutputItem(id) };
  }
  if (item.mime === 'text/html') {
    element.innerHTML = item.value;
  } else if (item.mime === 'image/svg+xml') {
    const img = document.createElement('img');
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(item.value)}`;
    img.alt = output.items.find((i) => i.mime === 'text/plain')?.value ?? 'picture';
    element.append(img);
  } else if (item.mime === ERROR_MIME) {
    const e = JSON.parse(item.value) as { name: string; message: string };
    const pre = document.createElement('pre');
    pre.className = 'error';
    pre.textContent = `${e.name}: ${e.message}`;
    element.append(pre);
  } else {
    const pre = document.createElement('pre');
    pre.className = item.mime === STDERR_MIME ? 'stderr' : 'stdout';
    pre.textContent = item.value;
    element.append(pre);
  }
  return { element, dispose: () => undefined };
}
