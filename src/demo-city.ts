import { appNamespace } from './delivery/namespace.ts';
import { readFile, readdir } from 'node:fs/promises';
import { parseDocuments } from './kernel/documents.ts';
import type { RequestContext, ResourceService } from './resources/service.ts';
import type { TokenService } from './tenancy/token-service.ts';
import { daily, type SimCloud } from './sim/index.ts';

const DEMO_DIRS = [new URL('../examples/demo-city/', import.meta.url), new URL('../examples/apps/', import.meta.url)];
const DEMO_ACTOR: RequestContext = { actor: 'system:demo', requestId: 'demo-seed' };

/**
 * Seeds the demo city from examples/demo-city/*.yaml and the applications in examples/apps/*.yaml through the ordinary apply path, once: when the departments
 * are already there it does nothing and returns undefined. Returns a token for every demo user.
 */
export async function seedDemoCity(deps: {
  resources: ResourceService;
  tokens: TokenService;
}): Promise<Record<string, string> | undefined> {
  const existing = await deps.resources.list({ kind: 'Tenant', limit: 1 });
  if (existing.items.length > 0) return undefined;
  const docs: unknown[] = [];
  for (const dir of DEMO_DIRS) {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
    for (const f of files) docs.push(...parseDocuments(await readFile(new URL(f, dir), 'utf8')));
  }
  await deps.resources.apply(DEMO_ACTOR, docs);
  const users = docs
    .filter((d) => (d as { kind: string }).kind === 'User')
    .map((d) => (d as { metadata: { name: string } }).metadata.name);
  const tokens: Record<string, string> = {};
  for (const user of users)
    tokens[user] = (
      await deps.tokens.issue(DEMO_ACTOR, { user, description: 'demo city', ttlSeconds: 90 * 86_400 })
    ).token;
  return tokens;
}

/**
 * The demo city's citizens, in the simulated cloud: the loads its applications see at every start (the simulated
 * cloud keeps no state across restarts). The pension certification portal gets its morning rush, a daily cycle
 * that predictive autoscaling (examples/apps/70-hrss-pension-certification.yaml) acts on.
 */
export function seedDemoLoad(sim: SimCloud): void {
  sim.setScenario(
    appNamespace('hrss', 'pension-certification'),
    'web',
    daily({ base: 15, peak: 150, peakHours: [9], widthHours: 2.5, utcOffsetHours: 8 }),
  );
}
