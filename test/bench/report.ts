/** What every benchmark shares: the median, the machine it ran on, and the report file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The median of samples (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The 1, 5 and 15 minute load averages, to two decimals (how busy the machine was). */
export function loadAverage(): number[] {
  return loadavg().map((l) => Number(l.toFixed(2)));
}

/** The machine, as a report records it (the load says how noisy the figures may be). */
export function machine(): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverage: loadAverage(),
  };
}

/** Writes `.bench/<name>` (machine first, then the benchmark's own fields); returns its path. */
export function writeReport(name: string, fields: Record<string, unknown>): string {
  const dir = fileURLToPath(new URL('../../.bench/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}`;
  writeFileSync(path, `${JSON.stringify({ ...machine(), ...fields }, null, 2)}\n`);
  return path;
}
