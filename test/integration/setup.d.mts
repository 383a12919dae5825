// Types of what test/integration/setup.mjs exports, for the TypeScript tests that use the tools.
export interface ToolPaths {
  dir: string;
  marker: string;
  node24: string;
  node24Bin: string;
  node: string;
  codeServer: string;
  driver: string;
  playwright: string;
  chromium: string;
}
export const VERSIONS: { node: string; codeServer: string; playwrightCore: string };
export function cacheDir(): string;
export function toolPaths(dir?: string): ToolPaths;
export function isInstalled(p?: ToolPaths): boolean;
export function nestedEnv(
  env?: Record<string, string | undefined>,
): Record<string, string | undefined>;
export class SetupError extends Error {}
export function ensureTools(options?: { quiet?: boolean }): ToolPaths;
