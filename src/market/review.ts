import type { ApplicationSpec } from '../apps/application-kind.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { assess } from '../operations/assessment/scorecard.ts';
import type { CatalogItemSpec, CatalogItemVersionSpec } from './market-kinds.ts';
import { generatedParameters, renderTemplate, schemaCauses } from './template.ts';

/** One automatic check of a submitted version, as the reviewer and the publisher see it. */
export interface CheckResult {
  readonly name: 'schema' | 'defaults' | 'generated' | 'images' | 'licence' | 'connection' | 'assessment';
  readonly ok: boolean;
  readonly problems: readonly Message[];
}

const CONTEXT = { name: 'review', namespace: 'review--review', adminSecret: 'review-admin' };

/**
 * The automatic checks of review (pure): the parameter schema is valid 2020-12; the template renders a valid
 * Application for the defaults and for generated values; every image comes from a registry the data bureau
 * allows; a licence is declared; a declared connection names a component of the template; and the maturity checks
 * the data bureau made mandatory (operations' assessment, `mandatoryChecks`) pass for the defaults, since an
 * instance failing one would be refused at admission anyway.
 */
export function automaticChecks(
  item: { readonly name: string; readonly spec: CatalogItemSpec },
  version: CatalogItemVersionSpec,
  allowedRegistries: readonly string[],
  mandatoryChecks: readonly string[] = [],
): CheckResult[] {
  const checks: CheckResult[] = [];
  const schemaProblems = schemaCauses(version.parameters, 'spec.parameters').map(
    (c) => ({ code: c.code!, params: c.params, message: c.message }) as Message,
  );
  checks.push({ name: 'schema', ok: schemaProblems.length === 0, problems: schemaProblems });
  const rendered: Array<Record<string, unknown>> = [];
  for (const [name, values] of [
    ['defaults', {}],
    ['generated', schemaProblems.length === 0 ? generatedParameters(version.parameters) : {}],
  ] as const) {
    const r =
      schemaProblems.length === 0
        ? renderTemplate(version.template, version.parameters, values, CONTEXT)
        : { ok: false as const, problems: [] };
    if (r.ok) rendered.push(r.spec);
    checks.push({
      name,
      ok: r.ok,
      problems: r.ok ? [] : [msg('MarketTemplateRendersInvalid', { case: name, problems: r.problems })],
    });
  }
  const imageProblems = new Map<string, Message>();
  for (const spec of rendered)
    for (const { image, path } of imagesOf(spec)) {
      const problem = imageProblem(image, path, allowedRegistries);
      if (problem) imageProblems.set(`${path}=${image}`, problem);
    }
  checks.push({ name: 'images', ok: imageProblems.size === 0, problems: [...imageProblems.values()] });
  const licence = item.spec.licence?.trim();
  checks.push({
    name: 'licence',
    ok: Boolean(licence),
    problems: licence ? [] : [msg('MarketLicenceMissing', { item: item.name })],
  });
  const components = ((version.template.components ?? []) as Array<{ name?: unknown }>).map((c) => c.name);
  const conn = version.connection;
  const connOk = !conn || components.includes(conn.component);
  checks.push({
    name: 'connection',
    ok: connOk,
    problems: connOk
      ? []
      : [msg('MarketSchemaProblem', { path: 'spec.connection.component', problem: `no component ${conn!.component}` })],
  });
  const defaults = rendered[0];
  const card = defaults
    ? assess(
        {
          spec: defaults as unknown as ApplicationSpec,
          labels: {},
          annotations: {},
          allowedRegistries,
          recommendations: {},
        },
        mandatoryChecks,
      )
    : undefined;
  const refusals = (card?.refusals ?? []).map((r) => r.reason!).filter((m): m is Message => m !== undefined);
  checks.push({ name: 'assessment', ok: defaults !== undefined && refusals.length === 0, problems: refusals });
  return checks;
}

/** Every `image` string in a rendered Application spec (components, sidecars, init containers), with its path. */
export function imagesOf(spec: unknown, path = 'spec'): Array<{ image: string; path: string }> {
  if (Array.isArray(spec)) return spec.flatMap((v, i) => imagesOf(v, `${path}[${i}]`));
  if (typeof spec !== 'object' || spec === null) return [];
  return Object.entries(spec).flatMap(([k, v]) =>
    k === 'image' && typeof v === 'string' ? [{ image: v, path: `${path}.${k}` }] : imagesOf(v, `${path}.${k}`),
  );
}

/** Why an image is refused (no registry host, or one not allowed), or undefined when it is allowed. */
export function imageProblem(image: string, path: string, allowed: readonly string[]): Message | undefined {
  const first = image.split('/')[0]!;
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) return msg('MarketImageNoRegistry', { image, path });
  if (allowed.some((r) => image.startsWith(`${r}/`))) return undefined;
  return msg('MarketImageNotAllowed', { image, path, registries: allowed.length ? allowed.join(', ') : '-' });
}
