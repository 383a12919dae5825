/** Reads the `[tool.rnnlab]` table (already parsed from TOML) into lint options. */
import { RULES_BY_CODE } from './catalog';
import { SEVERITIES, TARGETS, type LintOptions, type Severity, type Target } from './types';

export interface ProjectConfig {
  options: Partial<LintOptions>;
  failOn: Severity | null;
  /** Problems with the table, each naming the key and what to write instead. */
  errors: string[];
}

function stringList(v: unknown, key: string, errors: string[]): string[] {
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  errors.push(`${key} must be a list of rule codes or prefixes, e.g. ["DR101", "CU"]`);
  return [];
}

/** Checks codes and prefixes against the catalog so that a typo does not silently do nothing. */
export function unknownCodes(list: string[]): string[] {
  return list.filter((p) => ![...RULES_BY_CODE.keys()].some((c) => c.startsWith(p.toUpperCase())));
}

/** Interprets `[tool.rnnlab]`: target, select, ignore, fail-on, and a severity table. */
export function readProjectConfig(table: unknown): ProjectConfig {
  const errors: string[] = [];
  const options: Partial<LintOptions> = {};
  let failOn: Severity | null = null;
  if (table === undefined || table === null) return { options, failOn, errors };
  if (typeof table !== 'object' || Array.isArray(table)) {
    return { options, failOn, errors: ['[tool.rnnlab] must be a table'] };
  }
  for (const [key, value] of Object.entries(table as Record<string, unknown>)) {
    switch (key) {
      case 'target':
        if (typeof value === 'string' && (TARGETS as readonly string[]).includes(value))
          options.target = value as Target;
        else errors.push(`target must be one of ${TARGETS.join(', ')}`);
        break;
      case 'select':
      case 'ignore': {
        const list = stringList(value, key, errors);
        const bad = unknownCodes(list);
        if (bad.length) errors.push(`${key}: unknown rule code ${bad.join(', ')}`);
        options[key] = list;
        break;
      }
      case 'fail-on':
      case 'fail_on':
        if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value))
          failOn = value as Severity;
        else errors.push(`${key} must be one of ${SEVERITIES.join(', ')}`);
        break;
      case 'severity': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          errors.push('severity must be a table such as { DR101 = "error" }');
          break;
        }
        const severity: LintOptions['severity'] = {};
        for (const [code, level] of Object.entries(value as Record<string, unknown>)) {
          if (!RULES_BY_CODE.has(code.toUpperCase()))
            errors.push(`severity: unknown rule code ${code}`);
          else if (
            typeof level === 'string' &&
            (level === 'off' || (SEVERITIES as readonly string[]).includes(level))
          ) {
            severity[code.toUpperCase()] = level as Severity | 'off';
          } else errors.push(`severity.${code} must be "error", "warning", "info" or "off"`);
        }
        options.severity = severity;
        break;
      }
      default:
        errors.push(`unknown key "${key}" (known: target, select, ignore, fail-on, severity)`);
    }
  }
  return { options, failOn, errors };
}
