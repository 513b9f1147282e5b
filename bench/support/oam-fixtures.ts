/**
 * Deterministic departments and OAM Applications for the benchmarks: the same index always gives the same
 * object, so the load generator (another process) can address what the seeding created without being told.
 */

const DEPARTMENTS = [
  'education',
  'health',
  'transport',
  'tax',
  'housing',
  'water',
  'culture',
  'police',
  'civil',
  'labour',
];
const IMAGES = ['portal', 'booking', 'payments', 'records', 'notify', 'search', 'forms', 'reports'];

export const tenantName = (t: number): string => `dept-${String(t).padStart(3, '0')}`;
export const applicationName = (t: number, a: number): string =>
  `app-${String(t).padStart(3, '0')}-${String(a).padStart(3, '0')}`;

export function tenantDoc(t: number): Record<string, unknown> {
  const area = DEPARTMENTS[t % DEPARTMENTS.length]!;
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Tenant',
    metadata: { name: tenantName(t), labels: { area } },
    spec: {
      displayName: { zh: `${area} 局 ${t}`, en: `Bureau of ${area} ${t}` },
      contacts: [{ name: `Contact ${t}`, role: 'owner', email: `owner${t}@gov.example` }],
    },
  };
}

/** A realistic two-component application (web service with traits, and its database), about 1 KB of JSON. */
export function applicationDoc(t: number, a: number, revisionNote = 'seed'): Record<string, unknown> {
  const tenant = tenantName(t);
  const name = applicationName(t, a);
  const image = IMAGES[(t + a) % IMAGES.length]!;
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: {
      name,
      tenant,
      labels: { app: image, tier: a % 3 === 0 ? 'public' : 'internal', 'polis.io/owner': `team-${a % 7}` },
      annotations: { 'bench.polis.io/note': revisionNote, 'polis.io/description': `The ${image} service of ${tenant}` },
    },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: {
            image: `registry.gov.example/${tenant}/${image}:1.${a % 20}.${t % 10}`,
            port: 8080,
            cpu: '500m',
            memory: '512Mi',
            env: [
              { name: 'DB_HOST', value: `${name}-db` },
              { name: 'LOG_LEVEL', value: 'info' },
            ],
          },
          traits: [
            { type: 'scaler', properties: { replicas: 1 + (a % 3) } },
            { type: 'gateway', properties: { domain: `${image}-${a}.${tenant}.gov.example`, http: { '/': 8080 } } },
          ],
        },
        {
          name: 'db',
          type: 'worker',
          properties: { image: 'registry.gov.example/base/postgres:15.8', cpu: '250m', memory: '256Mi' },
          traits: [
            {
              type: 'storage',
              properties: {
                pvc: [{ name: 'data', mountPath: '/var/lib/postgresql', resources: { requests: { storage: '10Gi' } } }],
              },
            },
          ],
          dependsOn: [],
        },
      ],
      policies: [{ name: 'spread', type: 'placement', properties: { spreadBy: 'region' } }],
    },
  };
}
