/**
 * The notebook renderer of training runs (RUN_MIME): one RunChart per output; and of dropout
 * masks (MASKS_MIME, `rnnlab.show_masks`): one MasksView; of comparisons (COMPARE_MIME,
 * `rnnlab.compare`): one CompareView. VS Code calls
 * `renderOutputItem` again with the same element when the output changes (the final series
 * replacing the live stub), and the view is then drawn afresh.
 */
import { RunChart } from './chart';
import { notebookHost, type RendererContext } from './hosts/notebook-renderer';
import { readRun } from './series';
import { MASKS_MIME, readMasks } from '../kernels/mask-output';
import { MasksView } from './masks';
import { COMPARE_MIME } from '../kernels/protocol';
import { CompareView } from './compare';
import { readCompare } from './compare-data';

interface OutputItem {
  id: string;
  /** The item's mime type (VS Code always gives it; absent means a run). */
  mime?: string;
  json(): unknown;
}

export function activate(ctx: RendererContext) {
  const host = notebookHost(ctx);
  const views = new Map<string, { dispose(): void }>();
  return {
    renderOutputItem(item: OutputItem, element: HTMLElement): void {
      views.get(item.id)?.dispose();
      views.delete(item.id);
      if (item.mime === COMPARE_MIME) {
        let compare;
        try {
          compare = readCompare(item.json());
        } catch (e) {
          compare = `the comparison output is not JSON (${(e as Error).message})`;
        }
        if (typeof compare === 'string')
          element.textContent = `RNN Lab cannot draw this comparison: ${compare}.`;
        else views.set(item.id, new CompareView(element, compare, host));
        return;
      }
      if (item.mime === MASKS_MIME) {
        let masks;
        try {
          masks = readMasks(item.json());
        } catch (e) {
          masks = `the masks output is not JSON (${(e as Error).message})`;
        }
        if (typeof masks === 'string')
          element.textContent = `RNN Lab cannot draw these masks: ${masks}.`;
        else views.set(item.id, new MasksView(element, masks, host));
        return;
      }
      let run;
      try {
        run = readRun(item.json());
      } catch (e) {
        run = `the run output is not JSON (${(e as Error).message})`;
      }
      if (typeof run === 'string') {
        element.textContent = `RNN Lab cannot draw this run: ${run}.`;
        return;
      }
      views.set(item.id, new RunChart(element, run, host));
    },
    disposeOutputItem(id?: string): void {
      for (const [key, view] of views) {
        if (id !== undefined && key !== id) continue;
        view.dispose();
        views.delete(key);
      }
    },
  };
}
