/** Where the CLI writes: injectable so tests can capture it. */
export interface Output {
  log(text: string): void;
  err(text: string): void;
  /** Whether `log` may use ANSI colours (a terminal, and no NO_COLOR). */
  color?: boolean;
}

/**
 * Colour on a terminal, none when piped, as ruff and eslint do: NO_COLOR (any value) turns it off,
 * FORCE_COLOR (other than 0) turns it on.
 */
export function wantsColor(
  isTTY: boolean | undefined,
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0';
  return isTTY === true && env['TERM'] !== 'dumb';
}

export const consoleOutput: Output = {
  log: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  get color() {
    return wantsColor(process.stdout.isTTY);
  },
};

const SGR = { bold: '1', dim: '2', red: '31', yellow: '33', blue: '34', cyan: '36' } as const;

/** Wraps text in an ANSI style when colour is on. */
export function paint(on: boolean | undefined, style: keyof typeof SGR, text: string): string {
  return on ? `\x1b[${SGR[style]}m${text}\x1b[0m` : text;
}
