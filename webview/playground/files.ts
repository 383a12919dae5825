/**
 * Opening and saving `.rnnlab` files: the File System Access API where the browser has it (the
 * file is saved back in place), else an upload field and a download. And the CSV files that
 * `datasets.csv(...)` reads, uploaded into the page.
 */

interface FileHandle {
  name: string;
  getFile(): Promise<File>;
  createWritable(): Promise<{ write(data: string): Promise<void>; close(): Promise<void> }>;
}
interface PickerOptions {
  types?: Array<{ description: string; accept: Record<string, string[]> }>;
  suggestedName?: string;
  multiple?: boolean;
}
/** The File System Access API's pickers (Chromium), absent from TypeScript's DOM types. */
interface FileSystemAccess {
  showOpenFilePicker?(o: PickerOptions): Promise<FileHandle[]>;
  showSaveFilePicker?(o: PickerOptions): Promise<FileHandle>;
}

const NOTEBOOK_TYPES = [
  {
    description: 'RNN Lab notebook',
    accept: { 'application/x-ipynb+json': ['.rnnlab', '.ipynb'] },
  },
];

const picker = () => window as unknown as FileSystemAccess;
/** The user closed the picker: not an error. */
const cancelled = (e: unknown) => e instanceof DOMException && e.name === 'AbortError';

/** Files picked with a plain upload field. */
function upload(accept: string, multiple: boolean): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = multiple;
    input.addEventListener('change', () => resolve([...(input.files ?? [])]));
    input.addEventListener('cancel', () => resolve([]));
    input.click();
  });
}

export class NotebookFiles {
  /** Where Save writes without asking (a file opened or saved through the API). */
  private handle: FileHandle | null = null;
  name = 'playground.rnnlab';

  /** The text and name of a notebook the user picks, or null when they cancel. */
  async open(): Promise<{ name: string; text: string } | null> {
    const api = picker();
    if (api.showOpenFilePicker) {
      try {
        const [h] = await api.showOpenFilePicker({ types: NOTEBOOK_TYPES });
        if (!h) return null;
        this.handle = h;
        this.name = h.name;
        return { name: h.name, text: await (await h.getFile()).text() };
      } catch (e) {
        if (cancelled(e)) return null;
        throw e;
      }
    }
    const [f] = await upload('.rnnlab,.ipynb', false);
    if (!f) return null;
    this.handle = null;
    this.name = f.name;
    return { name: f.name, text: await f.text() };
  }

  /** Writes the notebook: in place, to a file the user picks, or as a download. */
  async save(text: string, saveAs = false): Promise<string | null> {
    const api = picker();
    if (api.showSaveFilePicker) {
      try {
        if (!this.handle || saveAs)
          this.handle = await api.showSaveFilePicker({
            types: NOTEBOOK_TYPES,
            suggestedName: this.name,
          });
        const w = await this.handle.createWritable();
        await w.write(text);
        await w.close();
        this.name = this.handle.name;
        return this.name;
      } catch (e) {
        if (cancelled(e)) return null;
        throw e;
      }
    }
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/x-ipynb+json' }));
    a.download = this.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    return this.name;
  }

  /** Forgets the file (a new notebook, an example, a shared link). */
  detach(name: string): void {
    this.handle = null;
    this.name = name;
  }
}

/** CSV files the user picks, as the kernel reads them. */
export async function uploadCsv(): Promise<Array<{ name: string; text: string }>> {
  const files = await upload('.csv,text/csv', true);
  return Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
}
