import { afterEach, describe, expect, it } from 'vitest';
import { authorize } from '../tenancy/authorization.ts';
import { setCliLang } from './cli-lang.ts';
import { refusalText } from './commands/audit.ts';
import type { AuditEntry } from './commands/describe.ts';

afterEach(() => setCliLang('en'));

describe('polis audit list -o wide: the MESSAGE column', () => {
  const d = authorize(
    { user: 'tax-staff', bindings: [{ role: 'tenant-member', tenant: 'tax' }] },
    { verb: 'create', kind: 'RoleBinding', category: 'access', scope: 'tenant', tenant: 'tax' },
  );
  if (d.allowed) throw new Error('expected a denial');
  const entry = (changes: unknown): AuditEntry => ({
    seq: 1,
    time: '2026-12-07T20:00:00Z',
    actor: 'tax-staff',
    verb: 'create',
    kind: 'RoleBinding',
    tenant: 'tax',
    name: '',
    outcome: 'denied',
    code: 403,
    message: d.reason,
    changes,
  });

  it("renders a refusal recorded with its code in the command line's language", () => {
    const coded = entry({ refusal: { code: d.detail.code, params: d.detail.params } });
    expect(refusalText(coded)).toBe(d.reason);
    setCliLang('zh');
    expect(refusalText(coded)).toMatch(
      /^用户 "tax-staff"（tax 中的 tenant-member）无权在 tax 中 create RoleBinding：需要 /,
    );
  });

  it('shows the English of an entry recorded without a code', () => {
    setCliLang('zh');
    expect(refusalText(entry(null))).toBe(d.reason);
  });
});
