/** The marketplace's API paths (docs/marketplace.md), kept beside its pages. */
const M = '/apis/market.polis.io/v1';
const enc = encodeURIComponent;

export const marketPaths = {
  catalog: `${M}/catalog`,
  catalogItem: (item: string) => `${M}/catalog/${enc(item)}`,
  usage: `${M}/catalog-usage`,
  items: `${M}/catalogitems`,
  versions: `${M}/catalogitemversions`,
  version: (name: string) => `${M}/catalogitemversions/${enc(name)}`,
  review: (name: string, action: 'submit' | 'approve' | 'reject') => `${M}/catalogitemversions/${enc(name)}/${action}`,
  instances: (t: string) => `${M}/tenants/${enc(t)}/marketinstances`,
  instance: (t: string, name: string) => `${M}/tenants/${enc(t)}/marketinstances/${enc(name)}`,
  bindings: (t: string) => `${M}/tenants/${enc(t)}/servicebindings`,
  binding: (t: string, name: string) => `${M}/tenants/${enc(t)}/servicebindings/${enc(name)}`,
  reveal: (t: string, name: string) => `${M}/tenants/${enc(t)}/servicebindings/${enc(name)}/reveal`,
  directory: `${M}/shared-api-directory`,
  sharedApis: (t: string) => `${M}/tenants/${enc(t)}/sharedapis`,
  decide: (t: string, api: string, verdict: 'approve' | 'refuse' | 'revoke') =>
    `${M}/tenants/${enc(t)}/sharedapis/${enc(api)}/${verdict}`,
  subscriptions: (t: string) => `${M}/tenants/${enc(t)}/apisubscriptions`,
  subscription: (t: string, name: string) => `${M}/tenants/${enc(t)}/apisubscriptions/${enc(name)}`,
} as const;
