import { describe, expect, it } from 'vitest';
import { appSharingSection, tenantShareSection } from './share-view.ts';

describe('the share figures in polis describe', () => {
  it('gives a department’s percentage of its guarantee, marks it over, and says what it borrows and holds back', () => {
    const text = tenantShareSection({
      guarantee: { cpu: 64, memory: 256 * 1024 ** 3 },
      borrowingLimit: { cpu: 16, memory: 0 },
      privatePlaced: { cpu: 72, memory: 100 * 1024 ** 3 },
      borrowed: { cpu: 8, memory: 0 },
      percent: 112.5,
      heldBack: { replicas: 5, byReason: { QuotaLimited: 3, CapacityLimited: 2 } },
      level: 'over',
    });
    expect(text).toBe(
      [
        'Private Share:',
        '  Of guarantee:    112.5% (OVER its guarantee: borrowing)',
        '  Guarantee:       64 cores, 256Gi',
        '  Borrowing limit: 16 cores, 0',
        '  Private placed:  72 cores, 100Gi',
        '  Borrowed:        8 cores, 0',
        '  Held back:       5 replicas (QuotaLimited 3, CapacityLimited 2)',
        '',
      ].join('\n'),
    );
  });

  it('lists an application’s components with replicas guaranteed, borrowed and held back, and nothing without status', () => {
    const text = appSharingSection({
      priority: 'critical',
      components: {
        web: { guaranteed: 4, borrowed: 2 },
        api: { guaranteed: 1, borrowed: 0, limited: 3, reason: 'CapacityLimited' },
      },
    });
    expect(text).toMatch(
      /^Sharing \(priority critical\):\n {2}COMPONENT\s+GUARANTEED\s+BORROWED\s+HELD BACK\s+REASON\n/,
    );
    expect(text).toMatch(/^ {2}api\s+1\s+0\s+3\s+CapacityLimited$/m);
    expect(text).toMatch(/^ {2}web\s+4\s+2\s+0\s*$/m);
    expect(appSharingSection(undefined)).toBe('');
  });
});
