// One way to check a value against a contract schema and say what is wrong in words a producer can act on.
// TypeBox reports every failed branch of a union and one error per keyword; an operator reading an ingest
// rejection wants one line per field: the JSON pointer of the field and a reason. No Node imports here.
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { Settings } from 'typebox/system';

/** One problem with one field: `path` is a JSON pointer into the checked value ('' is the value itself). */
export interface FieldError {
  path: string;
  message: string;
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Shape of one TypeBox error, reduced to what we read (keeps us off TypeBox's internal error types). */
export interface RawError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/**
 * Reasons for patterns, keyed by the pattern source. A regular expression is no explanation for the person
 * whose batch was rejected, so each pattern the contract uses registers its sentence here.
 */
const PATTERN_REASONS = new Map<string, string>();

/** Pattern schemas call this so that a mismatch reads as `reason`, not as the regular expression. */
export function describePattern(pattern: string, reason: string): string {
  PATTERN_REASONS.set(pattern, reason);
  return pattern;
}

/** Appends one property name to a JSON pointer (RFC 6901 escaping). */
export function pointer(base: string, key: string | number): string {
  return `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walks a schemaPath such as '#/properties/location/properties/crs' to the sub-schema it names. */
function schemaAt(root: unknown, schemaPath: string): unknown {
  let node: unknown = root;
  for (const raw of schemaPath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isRecord(node)) node = node[key];
    else return undefined;
  }
  return node;
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** The literal values of a union of literals, or null when some branch is not a literal. */
function literalBranches(schema: unknown): unknown[] | null {
  if (!isRecord(schema) || !Array.isArray(schema.anyOf)) return null;
  const values: unknown[] = [];
  for (const branch of schema.anyOf) {
    if (!isRecord(branch) || !('const' in branch)) return null;
    values.push(branch.const);
  }
  return values;
}

/** ['must be number', 'must be null'] → 'must be number or null'. */
function eitherOf(messages: string[]): string {
  const prefix = 'must be ';
  const parts = messages.every((m) => m.startsWith(prefix)) ? messages.map((m) => m.slice(prefix.length)) : messages;
  const head = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}` : (parts[0] ?? 'is invalid');
  return parts === messages ? head : prefix + head;
}

/**
 * Turns TypeBox's errors into one error per field with a readable reason:
 * - a missing property is reported at its own path ('/location' is required), not at the parent;
 * - an unknown property is reported at its own path, once;
 * - a union of literals says which values are allowed instead of listing one failed `const` per branch;
 * - a pattern says what the text should look like (see describePattern).
 */
export function describeErrors(schema: TSchema, raw: Iterable<RawError>, base = ''): FieldError[] {
  const errors = [...raw];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (path: string, message: string): void => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path: base + path, message });
  };
  // Errors raised inside a union are folded into the union's own error below.
  const unionPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/anyOf/`);
  const insideUnion = (e: RawError): boolean => unionPaths.some((p) => e.schemaPath.startsWith(p));

  for (const e of errors) {
    if (insideUnion(e)) continue;
    // A property name that breaks its rule (meta's names are bounded) is reported at its object, with the name
    // cut short: a path of the name itself could be as long as the whole body.
    if (e.schemaPath.includes('/propertyNames')) {
      const cut = e.instancePath.lastIndexOf('/');
      const name = e.instancePath
        .slice(cut + 1)
        .replace(/~1/g, '/')
        .replace(/~0/g, '~');
      const shown = name.length > 24 ? `${name.slice(0, 24)}…` : name;
      push(e.instancePath.slice(0, cut), `property name ${show(shown)} (${name.length} characters) ${e.message}`);
      continue;
    }
    switch (e.keyword) {
      case 'propertyNames':
        break; // the name's own error, above, says why
      case 'required': {
        const names = Array.isArray(e.params.requiredProperties) ? e.params.requiredProperties : [];
        for (const name of names) push(pointer(e.instancePath, String(name)), 'is required');
        break;
      }
      case 'additionalProperties': {
        const names = Array.isArray(e.params.additionalProperties) ? e.params.additionalProperties : [];
        for (const name of names) push(pointer(e.instancePath, String(name)), 'is not an allowed property');
        break;
      }
      case 'boolean': {
        // `additionalProperties: false` also fails once per extra property; the case above reports it.
        if (e.schemaPath.endsWith('/additionalProperties')) break;
        if (e.schemaPath.endsWith('additionalItems')) push(e.instancePath, 'is one item too many');
        else push(e.instancePath, 'is not allowed');
        break;
      }
      case 'anyOf': {
        const sub = schemaAt(schema, e.schemaPath);
        const literals = literalBranches(sub);
        if (literals) {
          push(e.instancePath, `must be one of ${literals.map(show).join(', ')}`);
          break;
        }
        const inner = errors.filter((c) => c.schemaPath.startsWith(`${e.schemaPath}/anyOf/`));
        if (inner.length > 0 && inner.every((c) => c.instancePath === e.instancePath)) {
          push(e.instancePath, eitherOf([...new Set(inner.map((c) => c.message))]));
        } else {
          push(e.instancePath, 'does not match any of the allowed forms');
        }
        break;
      }
      case 'const':
        push(e.instancePath, `must be ${show(e.params.allowedValue)}`);
        break;
      case 'enum': {
        const values = Array.isArray(e.params.allowedValues) ? e.params.allowedValues : [];
        push(e.instancePath, `must be one of ${values.map(show).join(', ')}`);
        break;
      }
      case 'pattern': {
        const reason = PATTERN_REASONS.get(String(e.params.pattern));
        push(e.instancePath, reason ?? e.message);
        break;
      }
      default:
        push(e.instancePath, e.message);
    }
  }
  return out;
}

/**
 * Enough errors to see every field of one event. TypeBox buffers at most `maxErrors` (8 by default, a guard
 * against huge values) and a union of literals spends one per branch, so with the default a bad category
 * would crowd out the fields after it. Raised only while we gather, then restored, so other users of
 * TypeBox in the process (route schemas) keep their own limit; our values are small and closed.
 */
export const MAX_ERRORS = 100;

/** Collects a validator's errors with MAX_ERRORS as the buffer limit. */
export function gatherErrors(validator: Validator, value: unknown): RawError[] {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_ERRORS });
  try {
    return validator.Errors(value) as RawError[];
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

/**
 * A compiled checker for one schema. Compilation is deferred to the first call so that importing the
 * contract (the client does) costs nothing until something is actually checked.
 */
/** The compiled validators here need no context (no external references). */
type NoContext = Record<never, never>;

export function checker<S extends TSchema>(schema: S): (value: unknown) => CheckResult<Static<S>> {
  let compiled: Validator<NoContext, S> | undefined;
  return (value) => {
    compiled ??= Compile<S, Validator<NoContext, S>>(schema);
    if (compiled.Check(value)) return { ok: true, value: value as Static<S> };
    return { ok: false, errors: describeErrors(schema, gatherErrors(compiled, value)) };
  };
}
