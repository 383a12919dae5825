/** Where the CLI writes: injectable so tests can capture it. */
export interface Output {
  log(text: string): void;
  err(text: string): void;
}

export const consoleOutput: Output = {
  log: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};
