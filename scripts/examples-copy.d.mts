// Types of scripts/examples-copy.mjs for the tests.
export interface SyncResult {
  created: string[];
  updated: string[];
  kept: string[];
  unchanged: string[];
}
export function examplesDir(env?: Record<string, string | undefined>): string;
export function syncExamples(source: string, dir: string): SyncResult;
export function describeSync(dir: string, r: SyncResult): string[];
