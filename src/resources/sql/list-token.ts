import { InputError } from '../../kernel/errors.ts';

/**
 * Where the previous page ended: the (tenant, name) of its last item, within one kind, and the revision of the list's
 * first page (Kubernetes continue tokens carry the resourceVersion the list started at; every page reports it).
 */
export interface ListPosition {
  readonly kind: string;
  readonly tenant: string;
  readonly name: string;
  /** The store revision of the first page; absent in tokens issued before it was carried. */
  readonly revision?: number;
}

/** Opaque continue token (base64url JSON); clients pass it back unchanged. */
export function encodeContinue(pos: ListPosition): string {
  const token = {
    v: 1,
    k: pos.kind,
    t: pos.tenant,
    n: pos.name,
    ...(pos.revision === undefined ? {} : { r: pos.revision }),
  };
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

/** Reads a continue token for a list of `kind`; anything else is an InputError naming `continue`. */
export function decodeContinue(token: string, kind: string): ListPosition {
  const bad = (why: string) =>
    new InputError(`invalid continue token: ${why}`, [
      {
        path: 'continue',
        message: `${why}; pass the continue value of the previous page unchanged, or omit it to start over`,
      },
    ]);
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad('it is not a token this server issued');
  }
  const p = parsed as { v?: unknown; k?: unknown; t?: unknown; n?: unknown; r?: unknown } | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    p.v !== 1 ||
    typeof p.k !== 'string' ||
    typeof p.t !== 'string' ||
    typeof p.n !== 'string' ||
    (p.r !== undefined && !(typeof p.r === 'number' && Number.isSafeInteger(p.r) && p.r >= 0))
  ) {
    throw bad('it is not a token this server issued');
  }
  if (p.k !== kind) throw bad(`it continues a list of ${p.k}, not ${kind}`);
  return { kind: p.k, tenant: p.t, name: p.n, ...(typeof p.r === 'number' ? { revision: p.r } : {}) };
}
