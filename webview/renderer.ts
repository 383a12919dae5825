/**
 * The notebook renderer of training runs (RUN_MIME): one RunChart per output. VS Code calls
 * `renderOutputItem` again with the same element when the output changes (the final series
 * replacing the live stub), and the view is then drawn afresh.
 */
import { RunChart } from './chart';
import { notebookHost, type RendererContext } from './hosts/notebook-renderer';
import { readRun } from './series';

interface OutputItem {
  id: string;
  json(): unknown;
}

export function activate(ctx: RendererContext) {
  const host = notebookHost(ctx);
  const views = new Map<string, RunChart>();
  return {
    renderOutputItem(item: OutputItem, element: HTMLElement): void {
      views.get(item.id)?.dispose();
      views.delete(item.id);
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
