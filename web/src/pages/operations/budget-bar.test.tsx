// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nProvider } from '../../i18n/i18n.tsx';
import { BudgetBar } from './cost-parts.tsx';

afterEach(cleanup);

const budget = (amount: number) => ({ metadata: { name: 'monthly', tenant: 'edu' }, spec: { amount } });
const inZh = (node: React.ReactNode) => render(<I18nProvider lang="zh">{node}</I18nProvider>);
/** antd marks a bar in its exception (red) state with this class. */
const isRed = (el: HTMLElement) => !!el.querySelector('.ant-progress-status-exception');

describe('a budget on the cost page', () => {
  it('is red with the figure at 100% or more', () => {
    inZh(<BudgetBar budget={budget(200)} spentFen={22_500} />);
    const bar = screen.getByTestId('budget-monthly');
    expect(bar.dataset.level).toBe('exceeded');
    expect(isRed(bar)).toBe(true);
    expect(bar.textContent).toContain('已超出预算 112.5%');
    expect(bar.textContent).toContain('¥225.00 / ¥200.00');
  });

  it('is amber from 80%, and plain below', () => {
    inZh(<BudgetBar budget={budget(100)} spentFen={8_000} />);
    const amber = screen.getByTestId('budget-monthly');
    expect(amber.dataset.level).toBe('warning');
    expect(isRed(amber)).toBe(false);
    expect(amber.textContent).toContain('已用 80%，接近预算');
    cleanup();
    inZh(<BudgetBar budget={budget(100)} spentFen={7_999} />);
    const ok = screen.getByTestId('budget-monthly');
    expect(ok.dataset.level).toBe('ok');
    expect(ok.querySelector('[data-testid="budget-state"]')).toBeNull();
  });
});
