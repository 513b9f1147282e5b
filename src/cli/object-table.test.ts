import { describe, expect, it } from 'vitest';
import type { ApiResource } from './api-resources.ts';
import { objectHeader, objectRow } from './object-table.ts';

describe('polis get clusters', () => {
  it('shows the last heartbeat as an age, like AGE', () => {
    const r = {
      printColumns: [
        { name: 'HEALTH', path: 'status.health' },
        { name: 'HEARTBEAT', path: 'status.lastHeartbeat', format: 'age' },
      ],
    } as unknown as ApiResource;
    const shape = { wide: false, withTenant: false };
    const row = objectRow(
      r,
      {
        metadata: { name: 'gov-east', creationTimestamp: '2026-11-24T09:00:00Z' },
        status: { health: 'Ready', lastHeartbeat: '2026-11-24T09:59:15Z' },
      },
      shape,
      new Date('2026-11-24T10:00:00Z'),
    );
    expect(objectHeader(r, shape)).toEqual(['NAME', 'HEALTH', 'HEARTBEAT', 'AGE']);
    expect(row).toEqual(['gov-east', 'Ready', '45s', '1h']);
  });
});
