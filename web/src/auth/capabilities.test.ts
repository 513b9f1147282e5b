import { describe, expect, it } from 'vitest';
import { navItems } from '../app/nav.ts';
import { canSeeMembers, canWrite, capabilitiesOf } from './capabilities.ts';

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

  it('offers a publisher only the clusters, the overview and its own API tokens', () => {
    const c = who('publisher', [{ role: 'publisher' }]);
    expect(navItems(c).map((i) => i.key)).toEqual(['overview', 'clusters', 'tokens']);
  });
});
