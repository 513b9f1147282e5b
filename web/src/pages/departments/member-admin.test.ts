import { describe, expect, it } from 'vitest';
import { bindingName } from './member-admin.tsx';

describe('a role binding’s name', () => {
  it('is the user and the role, made a valid object name', () => {
    expect(bindingName('edu-staff', 'viewer')).toBe('edu-staff-viewer');
    expect(bindingName('Wang.Fang', 'tenant-admin')).toBe('wang-fang-tenant-admin');
    expect(bindingName('a--b', 'viewer')).toBe('a-b-viewer');
    expect(bindingName('x'.repeat(80), 'viewer')).toHaveLength(63);
  });
});
