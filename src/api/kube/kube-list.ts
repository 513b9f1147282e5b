import { GoneError, InputError, ResourceVersionTooLargeError } from '../../kernel/errors.ts';
import type { Query } from '../../kernel/query-params.ts';
import { stringParam } from '../../kernel/query-params.ts';
import type { KindDefinition } from '../../resources/registry.ts';

/** Kubernetes list semantics that polis's list route honours (pure): namespace field selectors, resource versions. */

/**
 * A field selector's `metadata.namespace` narrows what a list or watch may show (never widens it); a platform-scoped
 * kind has no namespace, so only an empty one matches.
 */
export function narrow(
  tenants: readonly string[] | undefined,
  namespace: string | undefined,
  def: Pick<KindDefinition, 'scope'>,
): readonly string[] | undefined {
  if (namespace === undefined) return tenants;
  if (def.scope === 'platform') return namespace === '' ? tenants : [];
  return tenants === undefined ? [namespace] : tenants.filter((t) => t === namespace);
}

/** A list's `resourceVersion` and `resourceVersionMatch` (Kubernetes semantics), checked for form. */
export function listResourceVersion(q: Query): { rv?: number; match?: 'NotOlderThan' | 'Exact' } {
  const text = stringParam(q, 'resourceVersion');
  const match = stringParam(q, 'resourceVersionMatch');
  if (match !== undefined && match !== 'NotOlderThan' && match !== 'Exact')
    throw new InputError(`resourceVersionMatch "${match}" is not valid`, [
      {
        path: 'query.resourceVersionMatch',
        code: 'ResourceVersionMatchInvalid',
        params: { value: match },
        message: 'expected NotOlderThan or Exact',
      },
    ]);
  if (match !== undefined && text === undefined)
    throw new InputError('resourceVersionMatch needs a resourceVersion', [
      {
        path: 'query.resourceVersionMatch',
        code: 'ResourceVersionMatchWithoutVersion',
        params: {},
        message: 'give resourceVersion too, or leave resourceVersionMatch out',
      },
    ]);
  if (text !== undefined && !/^\d+$/.test(text))
    throw new InputError(`resourceVersion "${text}" is not valid`, [
      {
        path: 'query.resourceVersion',
        code: 'ResourceVersionInvalid',
        params: { value: text },
        message: 'expected a resourceVersion returned by the server (a whole number)',
      },
    ]);
  return { rv: text === undefined || text === '0' ? undefined : Number(text), match };
}

/**
 * polis lists at the newest revision: a list "not older than" a revision the store has not reached is refused, and
 * an "exact" one at another revision than the newest is gone (it cannot be served from history).
 */
export function checkListRevision(req: { rv?: number; match?: 'NotOlderThan' | 'Exact' }, current: string): void {
  if (req.rv === undefined) return;
  const now = Number(current);
  if (req.rv > now)
    throw new ResourceVersionTooLargeError(`Too large resource version: ${req.rv}, current: ${now}`, [
      {
        path: 'query.resourceVersion',
        code: 'ResourceVersionTooLarge',
        params: { requested: req.rv, current: now },
        message: `${req.rv} is newer than the server's current revision ${now}`,
      },
    ]);
  if (req.match === 'Exact' && req.rv !== now)
    throw new GoneError(`resourceVersion ${req.rv} is not the current one`, [
      {
        path: 'query.resourceVersion',
        code: 'ResourceVersionNotCurrent',
        params: { requested: req.rv, current: now },
        message: `polis lists at the newest revision (${now}) only; list without resourceVersionMatch=Exact`,
      },
    ]);
}
