/** `rnnlab lint`: findings as text, JSON or SARIF 2.1.0, with CI-friendly exit codes. */
import { unknownCodes } from '../lint/config';
import {
  analyzerOptions,
  docUrl,
  lint,
  RULES,
  type Finding,
  type LintOptions,
  type Severity,
} from '../lint/index';
import type { Span } from '../analyzer/python/values';
import type { SourceDoc } from '../notebook/cells';
import { analyseFile, where } from './analysis';
import { collectFiles } from './files';
import { paint, type Output } from './output';

const SEVERITY_COLOR = { error: 'red', warning: 'yellow', info: 'blue' } as const;

export interface LintCommandOptions {
  format: 'text' | 'json' | 'sarif';
  failOn: Severity;
  lint: Partial<LintOptions>;
  paths: string[];
  version: string;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

interface Located {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  cell?: number;
}

function locate(index: SourceDoc, span: Span): Located {
  const a = index.position(span.from);
  const b = index.position(span.to);
  return {
    ...(a.cell !== undefined ? { cell: a.cell } : {}),
    line: a.line,
    column: a.column,
    endLine: b.line,
    endColumn: b.column,
  };
}

interface JsonFinding extends Located {
  file: string;
  code: string;
  severity: Severity;
  message: string;
  fixes: Array<{
    title: string;
    isPreferred: boolean;
    edits: Array<Located & { newText: string }>;
  }>;
  related: Array<Located & { message: string }>;
}

function toJson(file: string, index: SourceDoc, f: Finding): JsonFinding {
  const at = locate(index, f.span);
  return {
    file,
    ...(at.cell !== undefined ? { cell: at.cell } : {}),
    line: at.line,
    column: at.column,
    endLine: at.endLine,
    endColumn: at.endColumn,
    code: f.code,
    severity: f.severity,
    message: f.message,
    fixes: f.fixes.map((fix) => ({
      title: fix.title,
      isPreferred: fix.isPreferred,
      edits: fix.edits.map((e) => ({ ...locate(index, e.span), newText: e.newText })),
    })),
    related: f.related.map((r) => ({ ...locate(index, r.span), message: r.message })),
  };
}

function sarif(findings: JsonFinding[], version: string): unknown {
  const level = (s: Severity) => (s === 'info' ? 'note' : s);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'rnnlab',
            version,
            informationUri: 'https://github.com/rnnlab/rnnlab',
            rules: RULES.map((r) => ({
              id: r.code,
              name: r.name,
              shortDescription: { text: r.summary },
              helpUri: docUrl(r.code),
              defaultConfiguration: { level: level(r.severity) },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: RULES.findIndex((r) => r.code === f.code),
          level: level(f.severity),
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  endLine: f.endLine,
                  endColumn: f.endColumn,
                },
              },
              ...(f.cell !== undefined ? { properties: { cell: f.cell } } : {}),
            },
          ],
          ...(f.fixes.length
            ? {
                fixes: f.fixes.map((fix) => ({
                  description: { text: fix.title },
                  artifactChanges: [
                    {
                      artifactLocation: { uri: f.file.split('\\').join('/') },
                      replacements: fix.edits.map((e) => ({
                        deletedRegion: {
                          startLine: e.line,
                          startColumn: e.column,
                          endLine: e.endLine,
                          endColumn: e.endColumn,
                        },
                        insertedContent: { text: e.newText },
                      })),
                    },
                  ],
                })),
              }
            : {}),
        })),
      },
    ],
  };
}

/** Runs the lint command; returns 0 (clean or below --fail-on), 1 (findings) or 2 (I/O error). */
export function runLint(opts: LintCommandOptions, out: Output): number {
  const files = collectFiles(opts.paths);
  const status = { ioError: false };
  const all: JsonFinding[] = [];
  const text: string[] = [];
  for (const file of files) {
    const analysed = analyseFile(file, out, status, analyzerOptions(opts.lint.target ?? 'keras3'));
    if (!analysed) continue;
    // Playground notebooks run on the kernel (Keras 3 semantics): cuDNN findings are informational.
    const playground = file.endsWith('.rnnlab');
    const findings = lint(analysed.analysis, analysed.doc.text, {
      ...opts.lint,
      playground: opts.lint.playground || playground,
    });
    for (const f of findings) {
      const j = toJson(file, analysed.index, f);
      all.push(j);
      const p = analysed.index.position(f.span.from);
      const c = out.color;
      const severity = paint(c, SEVERITY_COLOR[f.severity], f.severity);
      text.push(
        `${paint(c, 'cyan', where(file, p))}: ${severity} ${paint(c, 'bold', f.code)} ${f.message}`,
      );
    }
  }
  if (opts.format === 'json') out.log(JSON.stringify(all, null, 2));
  else if (opts.format === 'sarif') out.log(JSON.stringify(sarif(all, opts.version), null, 2));
  else {
    for (const line of text) out.log(line);
    const count = (s: Severity) => all.filter((f) => f.severity === s).length;
    const parts = (['error', 'warning', 'info'] as const).map(
      (s) => `${count(s)} ${s}${count(s) === 1 ? '' : 's'}`,
    );
    out.log(
      all.length
        ? `\nFound ${all.length} problem${all.length === 1 ? '' : 's'} (${parts.join(', ')}) in ${files.length} file${files.length === 1 ? '' : 's'}.`
        : `No problems in ${files.length} file${files.length === 1 ? '' : 's'}.`,
    );
  }
  if (status.ioError) return 2;
  return all.some((f) => RANK[f.severity] >= RANK[opts.failOn]) ? 1 : 0;
}

/** Validates `--select`/`--ignore` lists against the catalog. */
export function parseCodes(value: string): { codes: string[]; unknown: string[] } {
  const codes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { codes, unknown: unknownCodes(codes) };
}
