import type { z } from 'zod';
import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';

/** Formats a path as `spec.components[1].traits[0].type`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * zod issues as causes with full paths, each saying what was wrong and what is accepted, with a code and parameters
 * (FieldRequired, FieldType, NotOneOf, OutOfRangeMin …: src/kernel/messages/validation.ts) so the console and the
 * CLI word it in the reader's language. A message a schema wrote itself (a refine's, a regex's own wording) has no
 * code: it is passed on as written.
 */
export function zodCauses(error: z.ZodError, prefix: readonly PropertyKey[] = []): ErrorCause[] {
  const out: ErrorCause[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push(codedCause(formatPath([...base, key]), msg('FieldUnknown', { field: key })));
      continue;
    }
    const path = formatPath(base) || '(root)';
    const coded = issueMessage(issue);
    out.push(coded ? codedCause(path, coded) : { path, message: humanMessage(issue.message) });
  }
  return out;
}

/**
 * The wording polis's own schemas give zod, as codes (src/apps/render/common-schemas.ts and the component schemas):
 * the same English, so a schema keeps its wording and the reader gets it in their language.
 */
const SCHEMA_WORDING: readonly [RegExp, (m: RegExpExecArray) => Message][] = [
  [/^must be a whole number ≥ (-?\d+)$/, (m) => msg('WholeNumberAtLeast', { min: Number(m[1]) })],
  [/^must be a whole number$/, () => msg('WholeNumber')],
  [/^must be a port number from 1 to 65535$/, () => msg('PortNumber')],
  [/^must be a port number from 1 to 65535 or the name of a container port$/, () => msg('PortNumberOrName')],
  [/^required: the container image, e\.g\. (\S+)$/, (m) => msg('ImageRequired', { example: m[1]! })],
  [/^expected a string$/, () => msg('ExpectedString')],
  [
    /^use either cpu and memory \(for both requests and limits\) or requests\/limits, not both$/,
    () => msg('ResourcesEitherOr'),
  ],
  [/^map at least one path to a port, e\.g\. (.+)$/, (m) => msg('PathToPortRequired', { example: m[1]! })],
];

/** The coded form of an issue zod worded itself; undefined for a message the schema gave (passed on as written). */
function issueMessage(issue: z.core.$ZodIssue): Message | undefined {
  const m = issue.message;
  for (const [re, coded] of SCHEMA_WORDING) {
    const hit = re.exec(m);
    if (hit) return coded(hit);
  }
  switch (issue.code) {
    case 'invalid_type': {
      const typed = /^Invalid input: expected (\S+), received (\S+)$/.exec(m);
      if (!typed) return undefined;
      return typed[2] === 'undefined'
        ? msg('FieldRequired', { accepted: typed[1]! })
        : msg('FieldType', { accepted: typed[1]!, received: typed[2]! });
    }
    case 'invalid_value': {
      const one = /^Invalid option: expected one of (.+)$/.exec(m);
      if (one) return msg('NotOneOf', { accepted: one[1]! });
      const literal = /^Invalid input: expected (.+)$/.exec(m);
      return literal ? msg('FieldLiteral', { accepted: literal[1]! }) : undefined;
    }
    case 'too_small':
    case 'too_big': {
      const range =
        /^Too (?:small|big): expected (number|string|array) to (?:be|have) (\S+)(?: characters| items)?$/.exec(m);
      if (!range) return undefined;
      const bound = range[2]!;
      const small = issue.code === 'too_small';
      if (range[1] === 'number') return small ? msg('OutOfRangeMin', { bound }) : msg('OutOfRangeMax', { bound });
      if (range[1] === 'string') return small ? msg('TextTooShort', { bound }) : msg('TextTooLong', { bound });
      return small ? msg('TooFewItems', { bound }) : msg('TooManyItems', { bound });
    }
    case 'invalid_format': {
      const pattern = /^Invalid string: must match pattern (.+)$/.exec(m);
      if (pattern) return msg('PatternMismatch', { pattern: pattern[1]! });
      const format = /^Invalid (\S+)$/.exec(m);
      return format ? msg('FormatMismatch', { format: format[1]! }) : undefined;
    }
    case 'not_multiple_of': {
      const multiple = /^Invalid number: must be a multiple of (\S+)$/.exec(m);
      return multiple ? msg('NotMultipleOf', { divisor: multiple[1]! }) : undefined;
    }
    case 'invalid_union':
      return m === 'Invalid input' ? msg('NoVariantMatches') : undefined;
    default:
      return undefined;
  }
}

/** zod's wording made plainer: a missing field says "required", and the "Invalid input:" prefix goes. */
function humanMessage(message: string): string {
  const missing = /^Invalid input: expected (.+), received undefined$/.exec(message);
  if (missing) return `required (expected ${missing[1]})`;
  return message.replace(/^Invalid input: /, '');
}
