/**
 * `npm run bench [-- --analyzer --server --training --renderer --web] [--json FILE]`: the benchmark
 * suite's entry. With no part named it runs them all, in that order (`npm run build` before the
 * training part, whose example-notebook step runs dist/cli.js, the renderer and the web part: the
 * playground's size and time to first diagnostics, test/bench/web.ts); `--json
 * FILE` goes to the training part (issue 11's contract, see train.ts).
 *
 * The analyzer part is this file: `node --import tsx test/bench/run.ts --analyzer`.
 *
 * Generates two realistic inputs (a ~2,000-line Keras file and a 200-cell notebook), warms up,
 * then times every contender on every input, interleaved round by round, for ROUNDS rounds. It
 * prints one table of medians with the paired ratio to the baseline (the bare parse), and writes
 * the raw samples to .bench/results.json.
 *
 * To add a contender, append one entry to CONTENDERS below; the table, the ratios and the JSON
 * pick it up.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { lint } from '../../lint/index';
import { analyze } from '../../analyzer/python/evaluate';
import { parsePython } from '../../analyzer/python/parse';
import { SourceDoc } from '../../notebook/cells';
import { summarize } from '../../analyzer/summary';
import { kerasFile, notebook } from './inputs';
import { median, writeReport } from './report';

// ---- contenders ---------------------------------------------------------------------------------

interface Contender {
  name: string;
  /** Processes one text; returns something derived from the work so it cannot be optimised away. */
  run(text: string): number;
}

/** The first contender is the baseline every ratio is paired against. */
const CONTENDERS: Contender[] = [
  { name: 'parse (@lezer/python)', run: (text) => parsePython(text).tree.length },
  { name: 'analyze', run: (text) => analyze(text).models.length },
  {
    name: 'analyze+summarize',
    run: (text) => {
      let params = 0;
      for (const model of analyze(text).models) params += summarize(model).totalParams ?? 0;
      return params;
    },
  },
  { name: 'analyze+lint', run: (text) => lint(analyze(text), text).length },
];

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const WARMUP_RUNS = 5;
/** Each sample repeats a contender until about this long, so timer resolution does not matter. */
const SAMPLE_TARGET_MS = 25;

// ---- measurement --------------------------------------------------------------------------------

interface Input {
  name: string;
  text: string;
  lines: number;
}

let sink = 0;

/** Mean ms per run over `reps` back-to-back runs. */
function sample(c: Contender, text: string, reps: number): number {
  const start = performance.now();
  for (let i = 0; i < reps; i++) sink += c.run(text);
  return (performance.now() - start) / reps;
}

function benchAnalyzer(): void {
  const file = kerasFile();
  const nb = SourceDoc.notebook(notebook());
  const inputs: Input[] = [
    { name: `keras file`, text: file, lines: file.split('\n').length },
    { name: `notebook, 200 cells`, text: nb.text, lines: nb.text.split('\n').length },
  ];

  for (const input of inputs) {
    const a = analyze(input.text);
    const layers = a.models.reduce((n, m) => n + m.layers.length, 0);
    console.log(
      `${input.name}: ${input.lines} lines, ${(input.text.length / 1024).toFixed(0)} KB, ` +
        `${a.models.length} models, ${layers} layers, ${a.notes.length} notes`,
    );
    for (const n of a.notes.slice(0, 3)) {
      const line = input.text.slice(0, n.span.from).split('\n').length;
      console.log(`  note at line ${line}: ${n.message}`);
    }
  }

  // Warm-up (JIT), and repetitions per sample so each sample lasts about SAMPLE_TARGET_MS.
  const reps = new Map<string, number>();
  for (const input of inputs) {
    for (const c of CONTENDERS) {
      for (let i = 0; i < WARMUP_RUNS; i++) sample(c, input.text, 1);
      const ms = sample(c, input.text, 3);
      reps.set(`${input.name}|${c.name}`, Math.max(1, Math.round(SAMPLE_TARGET_MS / ms)));
    }
  }

  // Interleaved rounds: every contender once per round, alternating direction (A B C, C B A, ...).
  const samples = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const input of inputs) {
      const order = round % 2 ? [...CONTENDERS].reverse() : CONTENDERS;
      for (const c of order) {
        const key = `${input.name}|${c.name}`;
        const list = samples.get(key) ?? [];
        list.push(sample(c, input.text, reps.get(key)!));
        samples.set(key, list);
      }
    }
  }

  const baseline = CONTENDERS[0]!;
  const results = inputs.flatMap((input) =>
    CONTENDERS.map((c) => {
      const ms = samples.get(`${input.name}|${c.name}`)!;
      const base = samples.get(`${input.name}|${baseline.name}`)!;
      return {
        input: input.name,
        lines: input.lines,
        contender: c.name,
        reps: reps.get(`${input.name}|${c.name}`)!,
        medianMs: median(ms),
        minMs: Math.min(...ms),
        maxMs: Math.max(...ms),
        /** Median over rounds of this round's time / the baseline's time in the same round. */
        pairedRatio: median(ms.map((x, i) => x / base[i]!)),
        samplesMs: ms,
      };
    }),
  );

  const header = ['input', 'contender', 'median ms', 'min ms', 'max ms', `× ${baseline.name}`];
  const rows = results.map((r) => [
    `${r.input}, ${r.lines} lines`,
    r.contender,
    r.medianMs.toFixed(2),
    r.minMs.toFixed(2),
    r.maxMs.toFixed(2),
    r.pairedRatio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${ROUNDS} interleaved rounds after ${WARMUP_RUNS} warm-up runs; medians:\n`);
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));

  const path = writeReport('results.json', {
    rounds: ROUNDS,
    warmupRuns: WARMUP_RUNS,
    baseline: baseline.name,
    inputs: inputs.map((i) => ({ name: i.name, lines: i.lines, chars: i.text.length })),
    results,
  });
  console.log(`\nwrote ${path} (checksum ${sink})`);
}

// ---- the suite ----------------------------------------------------------------------------------

const PARTS = ['analyzer', 'server', 'training', 'renderer', 'web'] as const;

/** Runs a command from the repo root with the terminal's output; stops the suite if it fails. */
function step(args: string[]): void {
  console.log(`\n$ node ${args.join(' ')}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: \`node ${args.join(' ')}\` failed (${r.signal ?? `exit ${r.status}`})`);
    process.exit(r.status ?? 1);
  }
}

/** The parts named on the command line, and --json; a usage line on anything else. */
function options() {
  try {
    return parseArgs({
      options: {
        json: { type: 'string' },
        analyzer: { type: 'boolean' },
        server: { type: 'boolean' },
        training: { type: 'boolean' },
        renderer: { type: 'boolean' },
        web: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    console.error(
      `bench: ${(e as Error).message}\nusage: npm run bench [-- --analyzer --server --training ` +
        `--renderer --web] [--json FILE]`,
    );
    process.exit(2);
  }
}

function suite(): void {
  const values = options();
  const named = PARTS.filter((p) => values[p]);
  const parts = named.length ? named : PARTS;
  let built = false;
  const build = () => {
    if (!built) step(['scripts/build.mjs']);
    built = true;
  };
  for (const part of parts) {
    if (part === 'analyzer') benchAnalyzer();
    if (part === 'server') step(['--import', 'tsx', 'test/bench/server.ts']);
    if (part === 'training') {
      build();
      const json = values.json ? ['--json', values.json] : [];
      step(['--import', 'tsx', 'test/bench/train.ts', ...json]);
    }
    if (part === 'renderer') {
      build();
      step(['--import', 'tsx', 'test/bench/renderer.ts']);
    }
    if (part === 'web') {
      build();
      step(['--import', 'tsx', 'test/bench/web.ts']);
    }
  }
}

suite();
