/** Authentication (bearer tokens, basic auth) and the `forbid` list standing in for RBAC. */
import type { IncomingMessage } from 'node:http';
import type { ResourceDef } from './resources.ts';
import { KubeError } from './status.ts';
import type { FakeKubeOptions, Verb } from './types.ts';

/** The user a request authenticates as; undefined for no credentials, null for wrong ones. */
export function authenticate(req: IncomingMessage, opts: FakeKubeOptions): string | undefined | null {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme = '', value = ''] = header.split(' ', 2);
  if (scheme.toLowerCase() === 'bearer') {
    return (opts.tokens ?? ['fake-token']).includes(value)
      ? (opts.tokenUser ?? 'system:serviceaccount:polis-system:polis')
      : null;
  }
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString();
    const i = decoded.indexOf(':');
    const user = decoded.slice(0, i);
    const password = decoded.slice(i + 1);
    return (opts.basic ?? []).some((b) => b.username === user && b.password === password) ? user : null;
  }
  return null;
}

export const unauthorized = (): KubeError => new KubeError(401, 'Unauthorized', 'Unauthorized');

export interface Attributes {
  verb: Verb;
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function isForbidden(opts: FakeKubeOptions, a: Attributes): boolean {
  return (opts.forbid ?? []).some(
    (f) =>
      f.verb === a.verb &&
      (f.resource === a.def.resource || f.resource === `${a.def.resource}/${a.subresource}`) &&
      (f.group === undefined || f.group === a.def.group),
  );
}

/** 403 with the authorizer's message: `deployments.apps "web" is forbidden: User "…" cannot patch resource …`. */
export function forbidden(user: string, a: Attributes): KubeError {
  const d = a.def;
  const qualified = d.group ? `${d.resource}.${d.group}` : d.resource;
  const resource = a.subresource ? `${d.resource}/${a.subresource}` : d.resource;
  const scope = a.namespace !== undefined ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const subject = a.name !== undefined ? `${qualified} "${a.name}"` : qualified;
  return new KubeError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${a.verb} resource "${resource}" in API group "${d.group}" ${scope}`,
    { ...(a.name !== undefined ? { name: a.name } : {}), ...(d.group ? { group: d.group } : {}), kind: d.resource },
  );
}
