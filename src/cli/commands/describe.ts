import type { ApiResource } from '../api-resources.ts';
import { fetchResources, resolveResource } from '../api-resources.ts';
import { ApiError, EXIT } from '../cli-errors.ts';
import type { PolisClient } from '../client.ts';
import type { CliContext } from '../context.ts';
import { findObject, tenantScope } from '../lookup.ts';
import type { ObjectLike } from '../object-table.ts';
import { age, cell, formatTable, indent, toYaml } from '../printers.ts';
import { applicationSections } from './describe-app.ts';
import type { DepartmentUsage } from '../../tenancy/usage.ts';
import { tenantShareSection } from '../share-view.ts';

export interface DescribeOptions {
  readonly tenant?: string;
}

export interface AuditEntry {
  readonly seq: number;
  readonly time: string;
  readonly actor: string;
  readonly verb: string;
  readonly kind: string;
  readonly tenant: string;
  readonly name: string;
  readonly outcome: string;
  readonly code: number;
  readonly message: string;
  readonly requestId?: string;
  /** The readable summary the server adds (code, params, English). */
  readonly summary?: { readonly code: string; readonly message: string };
  /** For a refusal: its code and params beside `message` (`changes.refusal`), rendered in the CLI's language. */
  readonly changes?: unknown;
}

const ENVELOPE = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

/**
 * `polis describe KIND NAME`: metadata, labels, annotations, spec and status as YAML, other fields (a Secret's
 * data: keys only), and the object's last 10 audit entries when the caller may read the audit log. An Application
 * shows its status as sections instead: placement, conditions, workflow, revisions and events (describe-app.ts).
 */
export async function runDescribe(
  ctx: CliContext,
  kindArg: string,
  name: string,
  opts: DescribeOptions,
): Promise<number> {
  const client = await ctx.connect();
  const r = resolveResource(await fetchResources(client), kindArg);
  const obj = await findObject(client, r, tenantScope(r, opts, await ctx.connection()), name);
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  const now = ctx.now();
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(18)}${value}`);
  field('Name', cell(meta.name));
  field('Kind', `${obj.kind ?? r.kind} (${obj.apiVersion ?? r.apiVersion})`);
  if (r.scope === 'tenant') field('Tenant', cell(meta.tenant));
  field('UID', cell(meta.uid));
  field('Resource Version', cell(meta.resourceVersion));
  field('Generation', cell(meta.generation));
  const created = typeof meta.creationTimestamp === 'string' ? meta.creationTimestamp : undefined;
  field('Created', created ? `${created} (${age(created, now)} ago)` : '<unknown>');
  if (typeof meta.deletionTimestamp === 'string')
    field(
      'Deleting since',
      `${meta.deletionTimestamp} (finalizers: ${((meta.finalizers as string[] | undefined) ?? []).join(', ') || 'none'})`,
    );
  pairs(lines, 'Labels', meta.labels);
  pairs(lines, 'Annotations', meta.annotations);
  if (isApplication(r)) {
    // Status is shown as sections (placement, conditions, workflow …) rather than as raw YAML.
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
    ctx.io.stdout.write(await applicationSections(client, obj, now));
    ctx.io.stdout.write(blockText('Spec', obj.spec));
    ctx.io.stdout.write(await auditSection(client, r.kind, obj, now));
    return EXIT.ok;
  }
  block(lines, 'Spec', obj.spec);
  block(lines, 'Status', obj.status);
  const share = r.kind === 'Tenant' && r.group === 'polis.io' ? await tenantShare(client, String(meta.name)) : '';
  if (share) lines.push(share);
  for (const [key, value] of Object.entries(obj)) {
    if (ENVELOPE.has(key)) continue;
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      (key === 'data' || key === 'stringData')
    ) {
      // Secret values stay off the terminal (and out of scrollback); kubectl describe does the same.
      lines.push(`${key[0]!.toUpperCase()}${key.slice(1)}:`);
      for (const [k, v] of Object.entries(value))
        lines.push(`  ${k}: ${typeof v === 'string' ? `${secretBytes(key, v)} bytes` : '<set>'}`);
    } else block(lines, `${key[0]!.toUpperCase()}${key.slice(1)}`, value);
  }
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  ctx.io.stdout.write(await auditSection(client, r.kind, obj, now));
  return EXIT.ok;
}

/** A department's share of the private cloud from its usage report; nothing if the caller may not read it. */
async function tenantShare(client: PolisClient, tenant: string): Promise<string> {
  try {
    const u = await client.get<DepartmentUsage>(`/api/v1/tenants/${encodeURIComponent(tenant)}/usage`);
    return u.sharing ? tenantShareSection(u.sharing).trimEnd() : '';
  } catch (e) {
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return '';
    throw e;
  }
}

function isApplication(r: ApiResource): boolean {
  return r.kind === 'Application' && r.group === 'core.oam.dev';
}

/** `data` holds base64 (as in Kubernetes), `stringData` plain text. */
function secretBytes(field: string, value: string): number {
  return field === 'data' ? Buffer.from(value, 'base64').length : Buffer.byteLength(value);
}

function pairs(lines: string[], label: string, value: unknown): void {
  const entries = value && typeof value === 'object' ? Object.entries(value as Record<string, unknown>) : [];
  if (entries.length === 0) {
    lines.push(`${`${label}:`.padEnd(18)}<none>`);
    return;
  }
  entries.forEach(([k, v], i) => lines.push(`${i === 0 ? `${label}:`.padEnd(18) : ' '.repeat(18)}${k}=${String(v)}`));
}

function blockText(label: string, value: unknown): string {
  const lines: string[] = [];
  block(lines, label, value);
  return `${lines.join('\n')}\n`;
}

function block(lines: string[], label: string, value: unknown): void {
  if (value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0)) {
    lines.push(`${`${label}:`.padEnd(18)}<none>`);
    return;
  }
  if (typeof value !== 'object') {
    lines.push(`${`${label}:`.padEnd(18)}${cell(value)}`);
    return;
  }
  lines.push(`${label}:`, indent(toYaml(value)));
}

/** The last 10 audit entries of the object; a caller without audit rights sees none (403 is not an error here). */
async function auditSection(client: PolisClient, kind: string, obj: ObjectLike, now: Date): Promise<string> {
  const name = String(obj.metadata?.name ?? '');
  const tenant = obj.metadata?.tenant;
  let entries: AuditEntry[];
  try {
    entries = await lastAuditEntries(client, { kind, name, tenant }, 10);
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return '';
    if (e instanceof ApiError) return `Audit:            <unavailable: ${e.message}>\n`;
    throw e;
  }
  if (entries.length === 0) return 'Audit:            <none>\n';
  const rows = entries.map((a) => [
    age(a.time, now),
    a.actor,
    a.verb,
    a.outcome,
    String(a.code),
    cell(a.message === '' ? undefined : a.message),
  ]);
  return `Audit (last ${entries.length}):\n${indent(formatTable(['AGE', 'ACTOR', 'VERB', 'OUTCOME', 'CODE', 'MESSAGE'], rows))}\n`;
}

/** The newest `count` entries matching the filter, oldest first. */
export async function lastAuditEntries(
  client: PolisClient,
  filter: { kind: string; name: string; tenant?: string },
  count: number,
): Promise<AuditEntry[]> {
  // Controllers' entries too: describing one object, what the system did to it matters as much.
  const page = await client.get<{ items: AuditEntry[] }>('/api/v1/audit', {
    ...filter,
    system: 'true',
    limit: count,
    order: 'desc',
  });
  return [...page.items].reverse();
}
