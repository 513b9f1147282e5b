/** API paths the console uses (docs/api.md). */
const OAM = '/apis/core.oam.dev/v1beta1';
const POLIS = '/apis/polis.io/v1';

const enc = encodeURIComponent;

export const paths = {
  whoami: '/api/v1/whoami',
  tokens: '/api/v1/tokens',
  token: (id: string) => `/api/v1/tokens/${enc(id)}`,
  discovery: '/apis',
  clusters: `${POLIS}/clusters`,
  cluster: (name: string) => `${POLIS}/clusters/${enc(name)}`,
  tenants: `${POLIS}/tenants`,
  tenant: (t: string) => `${POLIS}/tenants/${enc(t)}`,
  users: `${POLIS}/users`,
  roleBindings: (t: string) => `${POLIS}/tenants/${enc(t)}/rolebindings`,
  allApplications: `${OAM}/applications`,
  /** Every application the user may see, each as a list row reads it (docs/api.md, `view=rows`). */
  applicationRows: `${OAM}/applications?view=rows`,
  /** Applications by health, per cluster and per department, summed on the server. */
  applicationSummary: '/api/v1/applications/summary',
  applications: (t: string) => `${OAM}/tenants/${enc(t)}/applications`,
  application: (t: string, name: string) => `${OAM}/tenants/${enc(t)}/applications/${enc(name)}`,
  revisions: (t: string, name: string) => `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/revisions`,
  diff: (t: string, name: string, from: number, to: number) =>
    `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/diff?from=${from}&to=${to}`,
  rollback: (t: string, name: string) => `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/rollback`,
  resume: (t: string, name: string) => `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/resume`,
  appMetrics: (t: string, name: string) => `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/metrics`,
  allEvents: `${POLIS}/events`,
  events: (t: string) => `${POLIS}/tenants/${enc(t)}/events`,
  apply: (t: string, dryRun = false) => `/api/v1/tenants/${enc(t)}/apply${dryRun ? '?dryRun=All' : ''}`,
  render: (t: string) => `/api/v1/tenants/${enc(t)}/render`,
  usage: '/api/v1/usage',
  displayNames: `${POLIS}/displaynames`,
  search: (q: string, limit = 12) => `/api/v1/search?q=${enc(q)}&limit=${limit}`,
  tenantUsage: (t: string) => `/api/v1/tenants/${enc(t)}/usage`,
  audit: '/api/v1/audit',
  auditVerify: '/api/v1/audit/verify',
  sandboxCluster: (name: string, fault: 'fail' | 'partition' | 'restore') =>
    `/api/v1/sandbox/clusters/${enc(name)}/${fault}`,
  sandboxLoad: (t: string, app: string) => `/api/v1/sandbox/tenants/${enc(t)}/applications/${enc(app)}/load`,
  // Monitoring, alerts and incidents, pods and logs, topology (docs/observe.md, docs/console.md).
  tenantHistory: (t: string, q: Record<string, string | undefined>) => `/api/v1/tenants/${enc(t)}/history${qs(q)}`,
  platformHistory: (q: Record<string, string | undefined>) => `/api/v1/history${qs(q)}`,
  allIncidents: `${POLIS}/incidents`,
  incidents: (t: string) => `${POLIS}/tenants/${enc(t)}/incidents`,
  incidentAction: (t: string, name: string, action: 'acknowledge' | 'resolve') =>
    `${POLIS}/tenants/${enc(t)}/incidents/${enc(name)}/${action}`,
  allAlerts: '/apis/observe.polis.io/v1/alerts',
  appPods: (t: string, name: string) => `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/pods`,
  appEvents: (t: string, name: string) => `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/events`,
  podLog: (t: string, name: string, cluster: string, pod: string, q: Record<string, string | undefined>) =>
    `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/pods/${enc(cluster)}/${enc(pod)}/log${qs(q)}`,
  /** The service graph across one department's applications (what they call outside shown opaque). */
  departmentTopology: (t: string) => `/api/v1/topology?tenant=${enc(t)}`,
  appTopology: (t: string, name: string) => `${OAM}/tenants/${enc(t)}/applications/${enc(name)}/topology`,
} as const;

function qs(q: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
