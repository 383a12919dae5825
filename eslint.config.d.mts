// Types of what eslint.config.mjs exports for test/unit/layering.test.ts.
export interface Layer {
  /** The product folders this one may import from. */
  may: string[];
  /** Single modules of otherwise forbidden folders that this one may import (`kernels/protocol`). */
  allow?: string[];
  /** No I/O and no tfjs. */
  pure: boolean;
}
export const LAYERS: Record<string, Layer>;
declare const config: unknown;
export default config;
