/** The `rnnlab` command line: `rnnlab lint`, `summary`, `run` and `server`. */
import { UsageError } from './files';
import { consoleOutput, type Output } from './output';
import { findPyproject, loadProjectConfig } from './pyproject';
import { parseCodes, runLint } from './lint';
import { runNotebook } from './run';
import { runSummary } from './summarize';
import { runNodeServer } from '../server/node';
import { SEVERITIES, TARGETS, type LintOptions } from '../lint/types';

const USAGE = `usage: rnnlab <command> [options] PATH...

commands:
  lint [options] PATH...      dropout, shape, cuDNN and training findings in .py/.ipynb files or folders
      --format text|json|sarif   output format (default text: file:line:col: CODE message)
      --target keras3|tf-keras2|keras2-multibackend|tfjs
                                 Keras flavour (default from [tool.rnnlab] in pyproject.toml, else keras3;
                                 a file importing tf_keras, keras or multi-backend-only names such as
                                 keras.layers.CuDNNGRU decides for itself)
      --select CODES             only these codes or prefixes, comma-separated (e.g. DR,CU301)
      --ignore CODES             never these codes or prefixes
      --fail-on error|warning|info
                                 exit 1 when a finding at or above this severity exists (default error)
  summary [--format text|json] [--target ...] PATH...
                              Keras-style summary of every model (JSON: each unknown count's
                              reason, and the Keras 3 unbuilt note); --target as for lint
  run [--out FILE | --inplace] [--seed N] [--heap-mb MB] NOTEBOOK.rnnlab
                              run every code cell of a playground notebook in a training kernel and
                              write it with outputs beside the input as NOTEBOOK.out.rnnlab
      --out FILE                 write there instead
      --inplace                  overwrite the input instead
                              RNNLAB_MAX_EPOCHS caps epochs; Ctrl-C interrupts the running fit (its
                              cell fails with a KeyboardInterrupt, the notebook is written, exit 130)
  server --stdio | --node-ipc | --socket=PORT | --pipe=NAME
                              the language server (diagnostics, fixes, hovers, shape hints) for any
                              LSP editor; see docs/editors.md

exit codes: 0 success (no findings at or above --fail-on), 1 findings, 2 usage or I/O error

options:
  -h, --help     show this help
  --version      show the version`;

interface Parsed {
  flags: Map<string, string>;
  paths: string[];
}

/** Parses `--flag value`, `--flag=value` and positional paths; flags must be among `allowed`. */
function parseArgs(argv: string[], allowed: Set<string>): Parsed {
  const flags = new Map<string, string>();
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      paths.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (!allowed.has(name)) throw new UsageError(`unknown option --${name}`);
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else paths.push(a);
  }
  return { flags, paths };
}

function choice<T extends string>(
  flags: Map<string, string>,
  name: string,
  options: readonly T[],
  fallback: T,
): T {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  if (!(options as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${options.join(', ')} (got '${v}')`);
  }
  return v as T;
}

/** Runs the CLI; resolves to the process exit code (0 ok, 1 findings or failure, 2 usage or I/O error). */
export function main(argv: string[], out: Output = consoleOutput): number | Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '-h' || command === '--help' || command === 'help') {
      out.log(USAGE);
      return command ? 0 : 2;
    }
    if (command === '--version') {
      out.log(VERSION);
      return 0;
    }
    if (command === 'summary') {
      const { flags, paths } = parseArgs(rest, new Set(['format', 'target']));
      if (paths.length === 0) throw new UsageError('summary needs at least one file or folder');
      // Only the target matters here: a broken table is reported, and the summary goes on.
      const project = loadProjectConfig(findPyproject(paths[0]!));
      for (const e of project.errors) out.err(`${project.path}: [tool.rnnlab] ${e}`);
      const target = flags.has('target')
        ? choice(flags, 'target', TARGETS, 'keras3')
        : project.options.target;
      return runSummary(
        { format: choice(flags, 'format', ['text', 'json'], 'text'), paths, target },
        out,
      );
    }
    if (command === 'lint') {
      const { flags, paths } = parseArgs(
        rest,
        new Set(['format', 'target', 'select', 'ignore', 'fail-on']),
      );
      if (paths.length === 0) throw new UsageError('lint needs at least one file or folder');
      const project = loadProjectConfig(findPyproject(paths[0]!));
      for (const e of project.errors) out.err(`${project.path}: [tool.rnnlab] ${e}`);
      if (project.errors.length) return 2;
      const options: Partial<LintOptions> = { ...project.options };
      const target = flags.get('target');
      if (target !== undefined) options.target = choice(flags, 'target', TARGETS, 'keras3');
      for (const key of ['select', 'ignore'] as const) {
        const value = flags.get(key);
        if (value === undefined) continue;
        const { codes, unknown } = parseCodes(value);
        if (unknown.length)
          throw new UsageError(`--${key}: unknown rule code ${unknown.join(', ')}`);
        options[key] = codes;
      }
      return runLint(
        {
          format: choice(flags, 'format', ['text', 'json', 'sarif'], 'text'),
          failOn: choice(flags, 'fail-on', SEVERITIES, project.failOn ?? 'error'),
          lint: options,
          paths,
          version: VERSION,
        },
        out,
      );
    }
    if (command === 'run') {
      // --inplace is the one flag without a value (options end at `--`).
      const dashes = rest.indexOf('--');
      const options = dashes < 0 ? rest : rest.slice(0, dashes);
      if (options.some((a) => a.startsWith('--inplace=')))
        throw new UsageError('--inplace takes no value');
      const inplace = options.includes('--inplace');
      const { flags, paths } = parseArgs(
        [...options.filter((a) => a !== '--inplace'), ...(dashes < 0 ? [] : rest.slice(dashes))],
        new Set(['out', 'seed', 'heap-mb']),
      );
      if (inplace && flags.has('out'))
        throw new UsageError(
          '--out and --inplace cannot go together: --out writes elsewhere, --inplace overwrites the input',
        );
      const heapMb = Number(flags.get('heap-mb') ?? '2048');
      if (!Number.isInteger(heapMb) || heapMb < 128)
        throw new UsageError('--heap-mb must be a whole number >= 128');
      if (paths.length !== 1) throw new UsageError('run needs exactly one notebook');
      const seed = Number(flags.get('seed') ?? '0');
      if (!Number.isInteger(seed) || seed < 0)
        throw new UsageError('--seed must be a whole number >= 0');
      const cap = process.env['RNNLAB_MAX_EPOCHS'];
      const maxEpochs = cap !== undefined && cap !== '' ? Number(cap) : undefined;
      if (maxEpochs !== undefined && !(Number.isInteger(maxEpochs) && maxEpochs >= 1)) {
        throw new UsageError(`RNNLAB_MAX_EPOCHS must be a whole number >= 1 (got '${cap}')`);
      }
      return runNotebook(
        {
          path: paths[0]!,
          out: flags.get('out') ?? null,
          inplace,
          seed,
          maxEpochs,
          heapMb,
          tty: process.stderr.isTTY === true,
        },
        out,
      ).catch((e: unknown) => report(e, out));
    }
    if (command === 'server') {
      const transports = rest.filter((a) => /^--(stdio|node-ipc|socket=\d+|pipe=.+)$/.test(a));
      const other = rest.filter(
        (a) => !transports.includes(a) && !/^--clientProcessId=\d+$/.test(a),
      );
      if (transports.length !== 1 || other.length > 0)
        throw new UsageError(
          'server needs exactly one transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME',
        );
      // vscode-languageserver reads the transport from process.argv; it exits on LSP `exit`.
      runNodeServer();
      return new Promise<number>(() => {});
    }
    throw new UsageError(`unknown command '${command}'`);
  } catch (e) {
    return report(e, out);
  }
}

/** Turns an exception into the CLI's message and exit code 2. */
function report(e: unknown, out: Output): number {
  if (e instanceof UsageError) {
    out.err(`rnnlab: ${e.message}\n${USAGE}`);
    return 2;
  }
  out.err(`rnnlab: internal error: ${(e as Error).stack ?? String(e)}`);
  return 2;
}

declare const RNNLAB_VERSION: string | undefined;
const VERSION = typeof RNNLAB_VERSION === 'string' ? RNNLAB_VERSION : 'dev';
