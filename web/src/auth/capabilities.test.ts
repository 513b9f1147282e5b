import { describe, expect, it } from 'vitest';
import { navItems, navSections } from '../app/nav.ts';
import { canApplyRecommendation, canSeeMembers, canWrite, capabilitiesOf } from './capabilities.ts';

const who = (user: string, bindings: { role: string; tenant?: string }[]) =>
  capabilitiesOf({ kind: 'WhoAmI', user, bindings });

describe('what the console offers, from whoami', () => {
  it('gives the data bureau everything', () => {
    const c = who('admin', [{ role: 'platform-admin' }]);
    expect(c).toMatchObject({
      allDepartments: true,
      canControlClusters: true,
      canVerifyAudit: true,
      readableDepartments: 'all',
    });
    expect(navItems(c).map((i) => i.key)).toEqual([
      'overview',
      'applications',
      'clusters',
      'departments',
      'monitoring',
      'incidents',
      'market',
      'myServices',
      'marketReview',
      'marketPublish',
      'costs',
      'recommendations',
      'assessment',
      'utilization',
      'tokens',
      'audit',
      'sandbox',
      'bigscreen',
      'users',
    ]);
  });

  it('keeps a department member to its department: no audit, no cluster controls, load on its own applications', () => {
    const c = who('edu-staff', [{ role: 'tenant-member', tenant: 'edu' }]);
    expect(c.readableDepartments).toEqual(['edu']);
    expect(c.canControlClusters).toBe(false);
    expect(c.canReadAudit).toBe(false);
    expect(canWrite(c, 'edu')).toBe(true);
    expect(canWrite(c, 'tax')).toBe(false);
    expect(navItems(c).map((i) => i.key)).toEqual([
      'overview',
      'applications',
      'clusters',
      'departments',
      'monitoring',
      'incidents',
      'market',
      'myServices',
      'costs',
      'recommendations',
      'assessment',
      'utilization',
      'tokens',
      'sandbox',
      'bigscreen',
    ]);
  });

  it('lets a department admin read its department’s audit entries, not verify the chain', () => {
    const c = who('edu-admin', [{ role: 'tenant-admin', tenant: 'edu' }]);
    expect(c).toMatchObject({ canReadAudit: true, auditDepartments: ['edu'], canVerifyAudit: false });
    expect(navItems(c).map((i) => i.key)).toContain('audit');
  });

  it('shows an auditor everything read-only: audit and verify, no sandbox, no writes', () => {
    const c = who('auditor', [{ role: 'auditor' }]);
    expect(c).toMatchObject({
      allDepartments: true,
      canVerifyAudit: true,
      canUseSandbox: false,
      writableDepartments: [],
    });
    expect(navItems(c).map((i) => i.key)).not.toContain('sandbox');
    expect(canSeeMembers(c, 'edu')).toBe(true);
  });

  it('hides who has access from a vendor developer, and serves its several departments', () => {
    const c = who('vendor-dev', [
      { role: 'developer', tenant: 'edu' },
      { role: 'developer', tenant: 'health' },
    ]);
    expect(c.readableDepartments).toEqual(['edu', 'health']);
    expect(canSeeMembers(c, 'edu')).toBe(false);
    expect(c.canReadAudit).toBe(false);
  });

  it('offers operations to whoever reads a department, the city view of costs to platform-wide readers only', () => {
    const edu = who('edu-admin', [{ role: 'tenant-admin', tenant: 'edu' }]);
    expect(edu).toMatchObject({ canReadOperations: true, canReadCityCosts: false });
    expect(canApplyRecommendation(edu, 'edu')).toBe(true);
    expect(canApplyRecommendation(edu, 'tax')).toBe(false);
    const auditor = who('auditor', [{ role: 'auditor' }]);
    expect(auditor).toMatchObject({ canReadOperations: true, canReadCityCosts: true });
    expect(canApplyRecommendation(auditor, 'edu')).toBe(false);
    expect(navItems(who('publisher', [{ role: 'publisher' }])).map((i) => i.key)).not.toContain('costs');
  });

  it('offers a publisher the clusters, the overview, its own API tokens, the catalog and publishing', () => {
    const c = who('publisher', [{ role: 'publisher' }]);
    expect(navItems(c).map((i) => i.key)).toEqual(['overview', 'clusters', 'market', 'marketPublish', 'tokens']);
    expect(c).toMatchObject({ canPublishMarket: true, canReviewMarket: false });
  });

  it('offers the review queue to the data bureau only, never to a department or an auditor', () => {
    expect(who('admin', [{ role: 'platform-admin' }]).canReviewMarket).toBe(true);
    for (const c of [
      who('auditor', [{ role: 'auditor' }]),
      who('edu-admin', [{ role: 'tenant-admin', tenant: 'edu' }]),
    ]) {
      expect(c.canReviewMarket).toBe(false);
      expect(navItems(c).map((i) => i.key)).not.toContain('marketReview');
      expect(navItems(c).map((i) => i.key)).not.toContain('marketPublish');
    }
  });
});

describe('monitoring in the console', () => {
  it('offers clusters’ and every department’s history to platform-wide readers only', () => {
    const admin = who('admin', [{ role: 'platform-admin' }]);
    const edu = who('edu-admin', [{ role: 'tenant-admin', tenant: 'edu' }]);
    const publisher = who('publisher', [{ role: 'publisher' }]);
    expect(admin).toMatchObject({ canMonitor: true, canReadPlatformHistory: true });
    expect(edu).toMatchObject({ canMonitor: true, canReadPlatformHistory: false });
    expect(publisher.canMonitor).toBe(false);
    expect(navItems(publisher).map((i) => i.key)).not.toContain('incidents');
  });
});

describe('the navigation in groups', () => {
  it('keeps each group together under one heading, the everyday pages first', () => {
    const groups = (c: ReturnType<typeof who>) => navSections(c).map((s) => s.group ?? '');
    expect(groups(who('admin', [{ role: 'platform-admin' }]))).toEqual([
      '',
      'observe',
      'market',
      'operations',
      'platform',
    ]);
    expect(groups(who('publisher', [{ role: 'publisher' }]))).toEqual(['', 'market', 'platform']);
  });
});
