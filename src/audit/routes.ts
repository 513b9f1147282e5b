import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InputError, NotAllowedError } from '../kernel/errors.ts';
import type { Query } from '../kernel/query-params.ts';
import { intParam, stringParam } from '../kernel/query-params.ts';
import type { AuditAnchor, AuditEntry } from '../resources/audit-log.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { Principal } from '../tenancy/authorization.ts';
import { canReadAudit, canVerifyAudit } from '../tenancy/authorization.ts';
import { verifyAuditLog } from '../tenancy/audit-verifier.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import type { AuditFilter } from './audit-filter.ts';
import { filterText, parseAuditFilter, storeQuery } from './audit-filter.ts';
import { exportCsv, exportXlsx } from './export-format.ts';
import type { ActorNames } from './summary.ts';
import { summarize } from './summary.ts';
import type { AuditLang } from './summary-templates.ts';

export interface AuditRouteDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly now: () => Date;
}

/** The most entries one export holds; more is refused with a hint to narrow the filters (a time range). */
export const EXPORT_LIMIT = 100_000;

/** Every filter the list and the export take, for the OpenAPI document. */
const FILTER_PARAMS = {
  tenant: { type: 'string', description: 'department id' },
  actor: { type: 'string', description: 'user name (system:… includes controllers)' },
  kind: { type: 'string' },
  name: { type: 'string' },
  action: {
    type: 'string',
    description:
      'create, update, apply, delete, rollback, resume, dry-run, status, register, login, token-create, token-revoke, suppressed',
  },
  verb: { type: 'string', description: 'the recorded verb, exactly' },
  outcome: { type: 'string', description: 'success, denied, invalid, conflict, notfound or error' },
  since: { type: 'string', description: 'ISO 8601 time, inclusive' },
  until: { type: 'string', description: 'ISO 8601 time, inclusive' },
  system: {
    type: 'string',
    description: 'include polis controllers (system:…); default false',
  },
} as const;

/**
 * The audit log for people: filtered reads with a readable summary per entry (code + params + English), the chain's
 * verification from the retention anchor, its head, and exports (CSV, XLSX) that carry the head so they can be
 * verified. A department admin reads only its departments' entries, on every route.
 */
export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  const kinds = () => deps.resources.registry.all().map((d) => d.kind);

  /** The departments `p` reads (403 when none), and the filter checked against them. */
  const scopeOf = (p: Principal, f: AuditFilter): 'all' | string[] => {
    const visible = canReadAudit(p);
    if (visible === 'all') return visible;
    if (visible.length === 0)
      throw new NotAllowedError(
        `user "${p.user}" may not read the audit log: needs auditor, platform-admin, or tenant-admin for a department`,
      );
    if (f.tenant !== undefined && !visible.includes(f.tenant))
      throw new NotAllowedError(`user "${p.user}" may not read the audit entries of department "${f.tenant}"`);
    return visible;
  };

  const actorNames = async (): Promise<ActorNames> => {
    const names = new Map<string, string>();
    let cont: string | undefined;
    do {
      const page = await deps.resources.list({ kind: 'User', limit: 1000, continue: cont });
      for (const u of page.items) {
        const dn = (u.spec as { displayName?: unknown } | undefined)?.displayName;
        if (typeof dn === 'string' && dn !== '') names.set(u.metadata.name, dn);
      }
      cont = page.continue;
    } while (cont);
    return names;
  };

  const head = async (): Promise<{ head: AuditAnchor; anchor: AuditAnchor }> => {
    const anchor = await deps.store.auditAnchor();
    const newest = (await deps.store.queryAudit({ newestFirst: true, limit: 1 })).items[0];
    return { head: newest ? { seq: newest.seq, hash: newest.hash } : anchor, anchor };
  };

  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Query the audit log, people first (auditors and platform admins: all; department admins: theirs)',
        querystring: {
          type: 'object',
          properties: {
            ...FILTER_PARAMS,
            order: { type: 'string', description: 'asc (default) or desc' },
            limit: { type: 'string' },
            after: { type: 'string' },
            before: { type: 'string' },
          },
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query as Query;
      const filter = parseAuditFilter(q, kinds());
      const tenants = scopeOf(p, filter);
      const order = stringParam(q, 'order') ?? 'asc';
      if (order !== 'asc' && order !== 'desc')
        throw new InputError(`query parameter order="${order}" is not valid`, [
          {
            path: 'query.order',
            code: 'AuditFilterInvalid',
            params: { param: 'order', value: order, accepted: 'asc, desc' },
            message: 'expected asc or desc',
          },
        ]);
      const page = await deps.store.queryAudit({
        ...storeQuery(filter, tenants),
        after: intParam(q, 'after', 0, Number.MAX_SAFE_INTEGER),
        before: intParam(q, 'before', 1, Number.MAX_SAFE_INTEGER),
        newestFirst: order === 'desc',
        limit: intParam(q, 'limit', 1, 5000) ?? 500,
      });
      const names = await actorNames();
      return {
        kind: 'AuditEntryList',
        items: page.items.map((e) => ({ ...e, summary: summarize(e, names) })),
        ...(page.next !== undefined ? { next: page.next } : {}),
      };
    },
  );

  app.get(
    '/api/v1/audit/verify',
    { schema: { tags: ['audit'], summary: 'Verify the hash chain of the live audit log, from the retention anchor' } },
    async (req) => {
      const p = principalOf(req);
      if (!canVerifyAudit(p))
        throw new NotAllowedError(`user "${p.user}" may not verify the audit log: needs auditor or platform-admin`);
      return { kind: 'AuditVerification', ...(await verifyAuditLog(deps.store)) };
    },
  );

  app.get(
    '/api/v1/audit/head',
    {
      schema: {
        tags: ['audit'],
        summary: "The chain's head and retention anchor; with ?seq=N also that entry's hash (to check an export)",
        querystring: { type: 'object', properties: { seq: { type: 'string' } } },
      },
    },
    async (req) => {
      const p = principalOf(req);
      scopeOf(p, { system: true });
      const seq = intParam(req.query as Query, 'seq', 1, Number.MAX_SAFE_INTEGER);
      const chain = await head();
      let entry: { seq: number; hash: string; archived?: boolean } | undefined;
      if (seq !== undefined) {
        // Only the hash: a department admin may confirm an entry is in the chain without reading it.
        const found = (await deps.store.queryAudit({ after: seq - 1, before: seq + 1, limit: 1 })).items[0];
        entry = found
          ? { seq, hash: found.hash }
          : seq <= chain.anchor.seq
            ? { seq, hash: '', archived: true }
            : undefined;
      }
      return { kind: 'AuditChainHead', ...chain, ...(entry ? { entry } : {}) };
    },
  );

  app.get(
    '/api/v1/audit/export',
    {
      schema: {
        tags: ['audit'],
        summary: 'Export the filtered entries as CSV or XLSX, with the chain head to verify them against',
        querystring: {
          type: 'object',
          properties: {
            ...FILTER_PARAMS,
            format: { type: 'string', description: 'csv (default) or xlsx' },
            lang: { type: 'string', description: 'zh-CN or en (default: Accept-Language)' },
          },
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const q = req.query as Query;
      const format = stringParam(q, 'format') ?? 'csv';
      if (format !== 'csv' && format !== 'xlsx')
        throw new InputError(`query parameter format="${format}" is not valid`, [
          {
            path: 'query.format',
            code: 'AuditFilterInvalid',
            params: { param: 'format', value: format, accepted: 'csv, xlsx' },
            message: 'expected csv or xlsx',
          },
        ]);
      const lang = langOf(req);
      const filter = parseAuditFilter(q, kinds());
      const tenants = scopeOf(p, filter);
      // The head first: every exported entry is at or before it, so the export verifies against it.
      const chain = await head();
      const entries: AuditEntry[] = [];
      let after = chain.anchor.seq;
      for (;;) {
        const page = await deps.store.queryAudit({
          ...storeQuery(filter, tenants),
          after,
          before: chain.head.seq + 1,
          limit: 5000,
        });
        entries.push(...page.items);
        if (entries.length > EXPORT_LIMIT)
          throw new InputError(`more than ${EXPORT_LIMIT} entries match: narrow the filters`, [
            {
              path: 'query.since',
              code: 'AuditExportTooLarge',
              params: { limit: EXPORT_LIMIT },
              message: `an export holds at most ${EXPORT_LIMIT} entries; give a shorter time range (since, until) or more filters`,
            },
          ]);
        if (page.next === undefined) break;
        after = page.next;
      }
      const names = await actorNames();
      const meta = {
        ...chain,
        exportedAt: deps.now().toISOString(),
        exportedBy: p.user,
        filters: filterText(filter),
        entries: entries.length,
      };
      const stamp = meta.exportedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      reply
        .header('content-disposition', `attachment; filename="polis-audit-${stamp}.${format}"`)
        .header('x-polis-audit-head', `${chain.head.seq}:${chain.head.hash}`)
        .header('x-polis-audit-entries', String(entries.length));
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(exportCsv(entries, meta, names, lang));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .send(exportXlsx(entries, meta, names, lang));
    },
  );
}

/** `lang=zh-CN|en`, else the Accept-Language header (Chinese first), else English. */
function langOf(req: FastifyRequest): AuditLang {
  const v = stringParam(req.query as Query, 'lang');
  if (v !== undefined) {
    if (v === 'zh-CN' || v === 'zh') return 'zh-CN';
    if (v === 'en') return 'en';
    throw new InputError(`query parameter lang="${v}" is not valid`, [
      {
        path: 'query.lang',
        code: 'AuditFilterInvalid',
        params: { param: 'lang', value: v, accepted: 'zh-CN, en' },
        message: 'expected zh-CN or en',
      },
    ]);
  }
  return /^zh/i.test(req.headers['accept-language'] ?? '') ? 'zh-CN' : 'en';
}
