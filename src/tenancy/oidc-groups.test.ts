import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { bindingsForGroups, parseGroupBindings } from './oidc-groups.ts';

describe('the data bureau’s mapping of identity-provider groups to role bindings', () => {
  it('parses platform-wide and department bindings, several per group', () => {
    expect(parseGroupBindings('city-data-bureau=platform-admin; edu-it=tenant-admin@edu\nedu-it=viewer@tax ;')).toEqual(
      [
        { group: 'city-data-bureau', role: 'platform-admin' },
        { group: 'edu-it', role: 'tenant-admin', tenant: 'edu' },
        { group: 'edu-it', role: 'viewer', tenant: 'tax' },
      ],
    );
    expect(parseGroupBindings(undefined)).toEqual([]);
  });

  it('names every bad entry and accepts none of them', () => {
    let error: unknown;
    try {
      parseGroupBindings('ops=tenant-admin; x; y=platform-admin@edu; z=viewer@Edu Bureau');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).causes.map((c) => [c.path, c.code])).toEqual([
      ['POLIS_OIDC_GROUP_BINDINGS[0]', 'GroupBindingRoleNotBindable'],
      ['POLIS_OIDC_GROUP_BINDINGS[1]', 'GroupBindingMalformed'],
      ['POLIS_OIDC_GROUP_BINDINGS[2]', 'GroupBindingRoleNotBindable'],
      ['POLIS_OIDC_GROUP_BINDINGS[3]', 'GroupBindingDepartmentInvalid'],
    ]);
  });

  it('grants the bindings of the groups in the claim, once each; group paths match by their last segment', () => {
    const m = parseGroupBindings('a=viewer@edu; b=viewer@edu; readers=viewer@tax; ops=auditor');
    expect(bindingsForGroups(m, ['a', 'b', '/city/tax/readers'])).toEqual([
      { role: 'viewer', tenant: 'edu' },
      { role: 'viewer', tenant: 'tax' },
    ]);
    expect(bindingsForGroups(m, 'ops')).toEqual([{ role: 'auditor' }]);
    expect(bindingsForGroups(m, undefined)).toEqual([]);
    expect(bindingsForGroups(m, [1, null, {}])).toEqual([]);
  });
});
