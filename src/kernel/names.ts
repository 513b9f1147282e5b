import { createHash } from 'node:crypto';
import type { Message } from './messages/index.ts';
import { msg } from './messages/index.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a DNS-1123 label (≤ 63 chars, lower-case alphanumerics and '-'), or undefined if it is one. */
export function dns1123LabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 63) return `must be at most 63 characters (got ${name.length})`;
  if (!DNS1123_LABEL.test(name))
    return "must consist of lower-case letters, digits and '-', and start and end with a letter or digit (e.g. 'edu-portal')";
  return undefined;
}

/** {@link dns1123LabelProblem} as a coded message naming the name (`"Edu" must consist of …`), for a cause. */
export function dns1123LabelMessage(name: string): Message | undefined {
  if (name.length === 0) return msg('NameEmpty', { name });
  if (name.length > 63) return msg('NameTooLong', { name, limit: 63, length: name.length });
  if (!DNS1123_LABEL.test(name)) return msg('NameNotDnsLabel', { name });
  return undefined;
}

/** Why `name` is not a DNS-1123 subdomain (≤ 253 chars, labels joined by '.'), or undefined if it is one. */
export function dns1123SubdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 253) return `must be at most 253 characters (got ${name.length})`;
  if (!DNS1123_SUBDOMAIN.test(name))
    return "must consist of lower-case letters, digits, '-' and '.', and start and end with a letter or digit (e.g. 'edu-portal')";
  return undefined;
}

/** A stable DNS-safe name of at most `max` characters: cut and suffixed with a short hash when too long. */
export function stableName(parts: readonly string[], max = 63): string {
  const joined = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (joined.length <= max) return joined;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, 8);
  return `${joined.slice(0, max - 9).replace(/-$/, '')}-${hash}`;
}
