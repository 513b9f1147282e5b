import { codedCause, InputError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { Query } from '../../kernel/query-params.ts';
import { boolParam, stringParam } from '../../kernel/query-params.ts';

/**
 * A DELETE's options as Kubernetes clients send them (pure): a `DeleteOptions` body (kubectl sends one) or query
 * parameters, the body winning where both are given. docs/api.md, "Conformance", says what each means in polis.
 */
export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface DeleteOptions {
  readonly dryRun: boolean;
  readonly propagationPolicy?: PropagationPolicy;
  readonly preconditions: { readonly uid?: string; readonly resourceVersion?: string };
  /** Accepted and checked for form; polis objects have no pods to wait for, so deletion does not wait. */
  readonly gracePeriodSeconds?: number;
}

const POLICIES: readonly string[] = ['Foreground', 'Background', 'Orphan'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(path: string, value: unknown, accepted: string): InputError {
  const m = msg('QueryValueInvalid', {
    param: path.replace(/^(query|body)\./, ''),
    value: typeof value === 'string' ? value : JSON.stringify(value),
    accepted,
  });
  return new InputError(m, [codedCause(path, m)]);
}

function text(body: Record<string, unknown>, field: string, path = `body.${field}`): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(path, v, 'a string');
  return v;
}

/** Reads and checks the options of one DELETE; every refusal is a 400 naming the field and what is accepted. */
export function deleteOptionsOf(query: Query, rawBody: unknown): DeleteOptions {
  const body = isRecord(rawBody) ? rawBody : {};
  if (rawBody !== undefined && rawBody !== null && !isRecord(rawBody))
    throw invalid('body', rawBody, 'a DeleteOptions object');

  const policy = text(body, 'propagationPolicy') ?? stringParam(query, 'propagationPolicy');
  if (policy !== undefined && !POLICIES.includes(policy))
    throw invalid(
      body.propagationPolicy !== undefined ? 'body.propagationPolicy' : 'query.propagationPolicy',
      policy,
      'Foreground, Background or Orphan',
    );
  // The deprecated orphanDependents: true means Orphan, false means Background.
  const orphanBody = body.orphanDependents;
  if (orphanBody !== undefined && typeof orphanBody !== 'boolean')
    throw invalid('body.orphanDependents', orphanBody, 'true or false');
  const orphan =
    orphanBody ?? (stringParam(query, 'orphanDependents') ? boolParam(query, 'orphanDependents') : undefined);
  if (orphan !== undefined && policy !== undefined)
    throw invalid('body.orphanDependents', orphan, 'to be left out when propagationPolicy is given');
  const propagationPolicy = (policy ?? (orphan === undefined ? undefined : orphan ? 'Orphan' : 'Background')) as
    PropagationPolicy | undefined;

  const grace = body.gracePeriodSeconds ?? stringParam(query, 'gracePeriodSeconds');
  let gracePeriodSeconds: number | undefined;
  if (grace !== undefined && grace !== null) {
    const n = typeof grace === 'number' ? grace : /^\d+$/.test(String(grace)) ? Number(grace) : NaN;
    if (!Number.isInteger(n) || n < 0)
      throw invalid(
        body.gracePeriodSeconds !== undefined ? 'body.gracePeriodSeconds' : 'query.gracePeriodSeconds',
        grace,
        'a whole number of seconds, 0 or more',
      );
    gracePeriodSeconds = n;
  }

  const pre = body.preconditions;
  if (pre !== undefined && pre !== null && !isRecord(pre))
    throw invalid('body.preconditions', pre, 'an object with uid and/or resourceVersion');
  const preconditions = isRecord(pre)
    ? {
        uid: text(pre, 'uid', 'body.preconditions.uid'),
        resourceVersion: text(pre, 'resourceVersion', 'body.preconditions.resourceVersion'),
      }
    : {};

  // dryRun: ["All"] in the body (kubectl delete --dry-run=server), or dryRun=All in the query.
  const dry = body.dryRun;
  if (dry !== undefined && !(Array.isArray(dry) && dry.every((d) => d === 'All')))
    throw invalid('body.dryRun', dry, '["All"] or an empty list');
  const dryRun = (Array.isArray(dry) && dry.length > 0) || boolParam(query, 'dryRun');

  return {
    dryRun,
    ...(propagationPolicy ? { propagationPolicy } : {}),
    preconditions,
    ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
  };
}
