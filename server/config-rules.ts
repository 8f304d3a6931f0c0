// Parsers for the configuration of ticket deadlines and alert rules (TICKET_DEADLINES, NEAR_DEADLINE_FRACTION,
// ALERT_RULES). Kept apart from config.ts so that each parser and its errors are read (and tested) in one
// place; config.ts calls them. Errors name the variable, the bad part and an example of a good value.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_URGENCY_DEADLINES, type UrgencyDeadlines } from './contract/config-defaults';
import { URGENCIES, type Urgency } from './contract/events';
import { resolveAlertRuleOptions, type AlertRuleOptions } from './rules/options';

/** Thrown with a message naming the variable; config.ts turns it into its ConfigError. */
export class RuleConfigError extends Error {
  override name = 'ConfigError';
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DEADLINES_EXAMPLE = 'urgent=2h/24h,normal=24h/7d,low=48h/15d';

/** "90m", "2h", "1.5d" → ms; undefined when it is not such a duration. */
function duration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
}

/**
 * TICKET_DEADLINES: `urgency=respond/resolve` pairs, comma-separated; units m, h, d. An urgency left out keeps
 * its default (config-defaults.ts), so `urgent=1h/12h` changes only the urgent clocks.
 */
export function parseTicketDeadlines(value: string): UrgencyDeadlines {
  const fail = (why: string): never => {
    throw new RuleConfigError(
      `TICKET_DEADLINES=${JSON.stringify(value)} is not valid: ${why}; e.g. ${DEADLINES_EXAMPLE}`,
    );
  };
  const result: UrgencyDeadlines = {
    urgent: { ...DEFAULT_URGENCY_DEADLINES.urgent },
    normal: { ...DEFAULT_URGENCY_DEADLINES.normal },
    low: { ...DEFAULT_URGENCY_DEADLINES.low },
  };
  if (value.trim() === '') return result;
  const seen = new Set<string>();
  for (const part of value.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*([^/]+)\/(.+)$/.exec(part);
    if (!m) fail(`"${part.trim()}" is not urgency=respond/resolve`);
    const [, name, respondText, resolveText] = m!;
    if (!(URGENCIES as readonly string[]).includes(name!))
      fail(`unknown urgency "${name}" (one of ${URGENCIES.join(', ')})`);
    if (seen.has(name!)) fail(`urgency "${name}" is given twice`);
    seen.add(name!);
    const respondMs = duration(respondText!);
    const resolveMs = duration(resolveText!);
    if (respondMs === undefined)
      fail(`"${respondText!.trim()}" (respond, ${name}) is not a duration like 30m, 2h or 7d`);
    if (resolveMs === undefined)
      fail(`"${resolveText!.trim()}" (resolve, ${name}) is not a duration like 30m, 2h or 7d`);
    if (resolveMs! < respondMs!) fail(`the resolve deadline of ${name} is shorter than its respond deadline`);
    result[name as Urgency] = { respondMs: respondMs!, resolveMs: resolveMs! };
  }
  return result;
}

/** NEAR_DEADLINE_FRACTION: the share of the resolve window after which an open ticket is "near deadline". */
export function parseNearDeadlineFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new RuleConfigError(
      `NEAR_DEADLINE_FRACTION=${JSON.stringify(value)} is not valid: expected a number between 0 and 1 (exclusive), e.g. 0.8`,
    );
  }
  return n;
}

/**
 * ALERT_RULES: empty (the defaults of rules/options.ts), inline JSON (starts with "{"), or the path of a JSON
 * file (relative to `root`). The JSON overrides the defaults rule by rule.
 */
export function loadAlertRules(value: string, root: string): AlertRuleOptions {
  const text = value.trim();
  let json: unknown = {};
  if (text !== '') {
    const inline = text.startsWith('{');
    try {
      json = JSON.parse(inline ? text : readFileSync(path.resolve(root, text), 'utf8'));
    } catch (e) {
      throw new RuleConfigError(
        `ALERT_RULES=${JSON.stringify(value)}: cannot read JSON ${inline ? 'from it' : 'from the file'} (${(e as Error).message})`,
      );
    }
  }
  const r = resolveAlertRuleOptions(json);
  if (!r.ok) {
    const why = r.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    throw new RuleConfigError(`ALERT_RULES=${JSON.stringify(value)} is not valid: ${why}`);
  }
  return r.options;
}
