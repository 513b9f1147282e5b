// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { DepartmentSharing } from '../../api/types.ts';
import { I18nProvider } from '../../i18n/i18n.tsx';
import { AppSharing, PlatformWarnings, ShareBar } from './department-share.tsx';

afterEach(cleanup);

const GI = 1024 ** 3;
const share = (over: Partial<DepartmentSharing>): DepartmentSharing => ({
  guarantee: { cpu: 64, memory: 256 * GI },
  borrowingLimit: { cpu: 16, memory: 64 * GI },
  privatePlaced: { cpu: 40, memory: 100 * GI },
  borrowed: { cpu: 0, memory: 0 },
  percent: 62.5,
  heldBack: { replicas: 0, byReason: {} },
  level: 'ok',
  ...over,
});
const inLang = (lang: 'zh' | 'en', node: React.ReactNode) => render(<I18nProvider lang={lang}>{node}</I18nProvider>);
/** antd marks a bar in its exception (red) state with this class. */
const isRed = (el: HTMLElement) => !!el.querySelector('.ant-progress-status-exception');

describe('a department’s share of the private cloud', () => {
  it('is red with its percentage when over its guarantee, and says what it borrows and what is held back', () => {
    inLang(
      'zh',
      <ShareBar
        testId="share-edu"
        sharing={share({
          privatePlaced: { cpu: 72, memory: 100 * GI },
          borrowed: { cpu: 8, memory: 2 * GI },
          percent: 112.5,
          level: 'over',
          heldBack: { replicas: 5, byReason: { QuotaLimited: 3, CapacityLimited: 2 } },
        })}
      />,
    );
    const bar = screen.getByTestId('share-edu');
    expect(bar.dataset.level).toBe('over');
    expect(isRed(bar)).toBe(true);
    expect(bar.textContent).toContain('112.5%');
    expect(screen.getByTestId('share-borrowed').textContent).toBe('借用 8 核 · 2 GiB');
    expect(screen.getByTestId('share-held-back').textContent).toContain('5 个副本暂缓运行');
    expect(screen.getByTestId('held-back-QuotaLimited').textContent).toBe('保障份额与借用上限已用尽 × 3');
    expect(screen.getByTestId('held-back-CapacityLimited').textContent).toBe('私有云无空闲容量可借 × 2');
  });

  it('is red near its share (90% or more) without borrowing, and not red below', () => {
    inLang('en', <ShareBar testId="near" sharing={share({ percent: 93.8, level: 'near' })} />);
    const near = screen.getByTestId('near');
    expect(isRed(near)).toBe(true);
    expect(near.textContent).toContain('93.8%');
    expect(near.textContent).toContain('Not borrowing');
    cleanup();
    inLang('en', <ShareBar testId="ok" sharing={share({})} />);
    expect(isRed(screen.getByTestId('ok'))).toBe(false);
    expect(screen.getByTestId('ok').textContent).toContain('62.5%');
  });

  it('names the reasons in English too, and says when a department has no guarantee', () => {
    inLang(
      'en',
      <ShareBar
        testId="x"
        sharing={share({
          guarantee: {},
          percent: undefined,
          heldBack: { replicas: 1, byReason: { CapacityLimited: 1 } },
        })}
      />,
    );
    expect(screen.getByTestId('x').textContent).toContain('No guarantee');
    expect(screen.getByTestId('held-back-CapacityLimited').textContent).toBe('No idle private capacity to borrow × 1');
  });
});

describe('the platform warning about overcommitted guarantees', () => {
  it('gives the figures in the user’s language', () => {
    inLang(
      'zh',
      <PlatformWarnings
        warnings={[
          {
            reason: 'GuaranteesOvercommitted',
            message: 'english fallback',
            params: {
              guaranteeCpu: 112,
              guaranteeMemory: 320 * GI,
              capacityCpu: 64,
              capacityMemory: 256 * GI,
              clusters: 1,
            },
          },
        ]}
      />,
    );
    const w = screen.getByTestId('platform-warning-GuaranteesOvercommitted');
    expect(w.textContent).toContain('各部门保障份额之和超过私有云健康容量');
    expect(w.textContent).toContain('保障份额合计 112 核、320 GiB');
    expect(w.textContent).toContain('64 核、256 GiB（1 个集群）');
  });
});

describe('an application’s fair-sharing status', () => {
  it('shows its priority and, per component, replicas guaranteed, borrowed and held back with the reason', () => {
    inLang(
      'zh',
      <AppSharing
        sharing={{
          priority: 'preemptible',
          components: {
            web: { guaranteed: 4, borrowed: 2 },
            api: { guaranteed: 1, borrowed: 0, limited: 3, reason: 'CapacityLimited' },
          },
        }}
      />,
    );
    const t = screen.getByTestId('app-sharing');
    expect(t.textContent).toContain('可抢占');
    const rows = [...t.querySelectorAll('tbody tr')].map((r) =>
      [...r.querySelectorAll('td')].map((c) => c.textContent),
    );
    expect(rows).toEqual([
      ['api', '1', '0', '3', '私有云无空闲容量可借'],
      ['web', '4', '2', '0', '—'],
    ]);
  });
});
