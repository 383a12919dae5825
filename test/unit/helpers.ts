/** Small helpers shared by the unit tests. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Analysis, LayerNode, ModelNode } from '../../analyzer/graph';
import { analyze } from '../../analyzer/python/evaluate';
import { summarize, type ModelSummary } from '../../analyzer/summary';

/** Analyses Python text and returns the analysis (asserting nothing). */
export function run(src: string): Analysis {
  return analyze(src);
}

/** The only model in the text; throws when there is not exactly one. */
export function onlyModel(src: string): ModelNode {
  const a = analyze(src);
  if (a.models.length !== 1) throw new Error(`expected one model, found ${a.models.length}`);
  return a.models[0]!;
}

/** Summary of the only model in the text. */
export function summary(src: string): ModelSummary {
  return summarize(onlyModel(src));
}

/** `[name, outputShape, params]` per row, for compact assertions. */
export function rows(src: string): Array<[string, string, number | null]> {
  return summary(src).rows.map((r) => [r.name, r.outputShape, r.params]);
}

/** The layer of a given type in the text (the first one). */
export function layerOf(a: Analysis, type: string): LayerNode {
  const l = a.layers.find((x) => x.type === type);
  if (!l) throw new Error(`no ${type} layer`);
  return l;
}

const SOURCE_FOLDERS = ['analyzer', 'lint', 'notebook', 'kernels', 'server', 'extension', 'cli'];

/**
 * Fails with a clear message when dist/ is missing or older than the sources. `npm run test:unit`
 * builds it once before the tests; tests never rebuild it themselves (they run in parallel, and a
 * rebuild under a running test replaced the bundle it was using).
 */
export function assertBuilt(): void {
  const bundles = ['dist/cli.js', 'dist/worker.js', 'dist/extension.js'];
  const missing = bundles.filter((b) => !existsSync(b));
  if (missing.length > 0)
    throw new Error(
      `${missing.join(', ')} missing: run \`npm run build\` (npm run test:unit builds first)`,
    );
  const built = Math.min(...bundles.map((b) => statSync(b).mtimeMs));
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(
        m,
        e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0,
      );
    }, 0);
  const changed = Math.max(...SOURCE_FOLDERS.filter((d) => existsSync(d)).map(newest));
  if (changed > built)
    throw new Error(
      'dist/ is older than the sources: run `npm run build` (npm run test:unit builds first)',
    );
}

/** Writes files (text or raw bytes, paths with folders) into a new folder under `root`. */
export function writeTree(root: string, files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}
