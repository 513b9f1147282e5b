import type { FastifyInstance } from 'fastify';
import { namespaceOf } from '../../delivery/namespace.ts';
import { InputError, NotAllowedError, codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { Store } from '../../resources/store.ts';
import { allowedTenants, authorize } from '../../tenancy/authorization.ts';
import { principalOf } from '../../tenancy/request-principal.ts';
import type { Clock } from '../../kernel/clock.ts';
import { alertNotice } from '../notify/notice.ts';
import type { Notifier } from '../notify/notifier.ts';
import { silencedBy } from '../notify/routing.ts';
import { compileRule, OBSERVE_GROUP, OBSERVE_VERSION, PLATFORM_SPACE } from './alert-kinds.ts';
import type { AlertController } from './alert-controller.ts';
import type { ExportEntry } from './prometheus-export.ts';
import { prometheusRuleFile } from './prometheus-export.ts';
import { PLATFORM_RULES, SLO_RULES } from './rules.ts';
import { ALERT_SIGNALS } from './signals.ts';
import { sloTargets } from './slo-policy.ts';

const BASE = `/apis/${OBSERVE_GROUP}/${OBSERVE_VERSION}`;

/** Which departments the caller may read alerts and notifications of: `all` (and the platform's), or a list. */
function readable(req: Parameters<typeof principalOf>[0], tenant?: string): 'all' | string[] {
  const p = principalOf(req);
  if (tenant !== undefined) {
    const d = authorize(p, { verb: 'list', kind: 'AlertRule', category: 'config', scope: 'tenant', tenant });
    if (!d.allowed) throw new NotAllowedError(d.reason);
    return [tenant];
  }
  return allowedTenants(p, 'list', 'AlertRule', 'config');
}

async function listAll(store: Pick<Store, 'list'>, kind: string, tenants?: readonly string[]): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list({ kind, limit: 1000, continue: cont, ...(tenants ? { tenants } : {}) });
    out.push(...page.items);
    cont = page.continue;
  } while (cont);
  return out;
}

/** The rule file of what `tenants` may see: their SLO alerts, their rules and, for `all`, the platform's. */
async function exportRules(store: Pick<Store, 'list'>, tenants: 'all' | readonly string[]): Promise<string> {
  const scope = tenants === 'all' ? undefined : tenants;
  const [apps, rules] = await Promise.all([listAll(store, 'Application', scope), listAll(store, 'AlertRule', scope)]);
  const nsByTenant = new Map<string, string[]>();
  const nsOfApp = new Map<string, string>();
  const entries: ExportEntry[] = [];
  for (const a of apps) {
    const tenant = a.metadata.tenant ?? '';
    const ns = namespaceOf(tenant, a.metadata.name, a.status);
    nsOfApp.set(`${tenant}/${a.metadata.name}`, ns);
    nsByTenant.set(tenant, [...(nsByTenant.get(tenant) ?? []), ns]);
    for (const [component, slo] of sloTargets(a.spec as Parameters<typeof sloTargets>[0]))
      for (const rule of SLO_RULES) {
        const latency = rule.expr.kind === 'burnRate' && rule.expr.sli === 'latency';
        entries.push({
          rule,
          group: `${tenant}-${a.metadata.name}`,
          scope: { namespaces: [ns], component },
          objective: latency ? slo.latency.objective : slo.availability,
          thresholdMs: slo.latency.thresholdMs,
        });
      }
  }
  if (tenants === 'all') for (const rule of PLATFORM_RULES) entries.push({ rule, group: PLATFORM_SPACE, scope: {} });
  else
    for (const t of tenants)
      for (const rule of PLATFORM_RULES)
        if (
          rule.expr.kind !== 'burnRate' &&
          ALERT_SIGNALS[rule.expr.signal] !== 'cluster' &&
          ALERT_SIGNALS[rule.expr.signal] !== 'node'
        )
          entries.push({ rule, group: `${t}-platform`, scope: { namespaces: nsByTenant.get(t) ?? [] } });
  for (const o of rules) {
    const rule = compileRule(o);
    if (!rule) continue;
    const tenant = rule.tenant ?? rule.selector.tenant;
    const app = rule.selector.app;
    const namespaces =
      tenant === undefined
        ? undefined
        : app !== undefined
          ? [nsOfApp.get(`${tenant}/${app}`) ?? namespaceOf(tenant, app, undefined)]
          : (nsByTenant.get(tenant) ?? []);
    entries.push({
      rule,
      group: o.metadata.tenant ?? '',
      scope: {
        ...(namespaces ? { namespaces } : {}),
        ...(rule.selector.component ? { component: rule.selector.component } : {}),
        ...(rule.selector.cluster ? { cluster: rule.selector.cluster } : {}),
      },
    });
  }
  return prometheusRuleFile(entries);
}

/**
 * Alerts and notifications, read per department (docs/observe.md): `GET …/alerts`, `GET …/notifications`, and
 * the rules as a Prometheus rule file, `GET …/prometheusrules`. A department-bound caller sees its departments'
 * only; the clusters' alerts and the platform's rules go to platform-wide readers.
 */
export function registerAlertRoutes(
  app: FastifyInstance,
  deps: { store: Store; alerts?: AlertController; notifier?: Notifier; clock?: Clock },
): void {
  // Alerts are evaluated where the controllers run; every replica reads them from the state store (list), so a
  // follower answers as the leader does. Each carries `silencedBy`
  // (the silence in force that holds its notices back, `department/name`), so a silenced alert is shown as such.
  const alertsOf = async (tenants: 'all' | string[]) => {
    const items = (await deps.alerts?.list(tenants)) ?? [];
    const silences = items.length > 0 ? await listAll(deps.store, 'Silence') : [];
    const now = deps.clock?.now().getTime() ?? Date.now();
    return {
      kind: 'AlertList',
      apiVersion: `${OBSERVE_GROUP}/${OBSERVE_VERSION}`,
      items: items.map((a) => {
        const by = a.state === 'resolved' ? undefined : silencedBy(silences, alertNotice(a, 'fired', now), now);
        return by ? { ...a, silencedBy: by } : a;
      }),
    };
  };
  app.get(
    `${BASE}/alerts`,
    { schema: { tags: ['observe'], summary: 'Alerts (pending, firing, recently resolved) the caller may read' } },
    (req) => alertsOf(readable(req)),
  );
  app.get(
    `${BASE}/tenants/:tenant/alerts`,
    { schema: { tags: ['observe'], summary: "A department's alerts" } },
    (req) => alertsOf(readable(req, (req.params as { tenant: string }).tenant)),
  );

  const notificationsOf = async (tenants: 'all' | string[]) => ({
    kind: 'NotificationList',
    apiVersion: `${OBSERVE_GROUP}/${OBSERVE_VERSION}`,
    items: (await deps.notifier?.records(tenants)) ?? [],
  });
  app.get(
    `${BASE}/notifications`,
    { schema: { tags: ['observe'], summary: 'Notifications recorded, as the caller may read them' } },
    (req) => Promise.resolve(notificationsOf(readable(req))),
  );
  app.get(
    `${BASE}/tenants/:tenant/notifications`,
    { schema: { tags: ['observe'], summary: "A department's notifications" } },
    (req) => Promise.resolve(notificationsOf(readable(req, (req.params as { tenant: string }).tenant))),
  );

  const exportRoute = async (
    req: Parameters<typeof principalOf>[0],
    reply: { type(t: string): unknown },
    tenants: 'all' | string[],
  ) => {
    const format = (req.query as { format?: string }).format ?? 'prometheus';
    if (format !== 'prometheus')
      throw new InputError(msg('AlertExportFormat', { format }), [
        codedCause('query.format', msg('AlertExportFormat', { format })),
      ]);
    reply.type('application/yaml; charset=utf-8');
    return exportRules(deps.store, tenants);
  };
  app.get(
    `${BASE}/prometheusrules`,
    { schema: { tags: ['observe'], summary: 'The alert rules the caller may read, as a Prometheus rule file' } },
    (req, reply) => exportRoute(req, reply, readable(req)),
  );
  app.get(
    `${BASE}/tenants/:tenant/prometheusrules`,
    {
      schema: {
        tags: ['observe'],
        summary: "A department's alert rules (its SLOs and its own), as a Prometheus rule file",
      },
    },
    (req, reply) => exportRoute(req, reply, readable(req, (req.params as { tenant: string }).tenant)),
  );
}
