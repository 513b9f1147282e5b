// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { ErrorAlert } from './error-alert.tsx';
import { HoverTooltip } from './hover-tooltip.tsx';
import { PhaseTag } from './status-tags.tsx';
import { VirtualTable, visibleWindow } from './virtual-table.tsx';

afterEach(cleanup);

describe('ErrorAlert', () => {
  it('shows the server’s message, every cause at its path, and the request id, under a heading in the user’s language', () => {
    const e = new ApiError(
      422,
      'Invalid',
      'Application "bad" is invalid',
      [{ path: 'spec.components[0].type', message: 'unknown component type "x"' }],
      'req-1',
    );
    render(
      <I18nProvider lang="en">
        <ErrorAlert error={e} />
      </I18nProvider>,
    );
    expect(screen.getByText('Invalid')).toBeTruthy();
    expect(screen.getByText('Application "bad" is invalid')).toBeTruthy();
    expect(screen.getByText('spec.components[0].type')).toBeTruthy();
    expect(screen.getByText(/req-1/)).toBeTruthy();
  });

  it('says “not allowed” in Chinese for a 403', () => {
    render(
      <I18nProvider lang="zh">
        <ErrorAlert error={new ApiError(403, 'Forbidden', 'user "edu-admin" may not get Application in tax')} />
      </I18nProvider>,
    );
    expect(screen.getByText('无权访问')).toBeTruthy();
  });
});

describe('PhaseTag', () => {
  it('names the phase in the chosen language', () => {
    render(
      <I18nProvider lang="zh">
        <PhaseTag phase="Running" />
      </I18nProvider>,
    );
    expect(screen.getByText('运行中')).toBeTruthy();
  });
});

describe('VirtualTable', () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `app-${i}` }));
  const columns = [{ key: 'id', title: 'Name', width: '1fr', render: (r: { id: string }) => r.id }];

  it('computes the window of rows to draw, with overscan, clamped to the list', () => {
    expect(visibleWindow(0, 480, 48, 10_000)).toEqual({ first: 0, last: 18, offset: 0 });
    expect(visibleWindow(48 * 5000, 480, 48, 10_000)).toEqual({ first: 4992, last: 5018, offset: 4992 * 48 });
    expect(visibleWindow(48 * 9999, 480, 48, 10_000).last).toBe(10_000);
  });

  it('draws only the rows in view out of 10,000, and the next ones after a scroll', async () => {
    render(<VirtualTable rows={rows} columns={columns} rowKey={(r) => r.id} height={480} rowHeight={48} testId="t" />);
    expect(screen.getAllByRole('row').length).toBeLessThan(40);
    expect(screen.getByText('app-0')).toBeTruthy();
    const body = screen.getByTestId('t-body');
    body.scrollTop = 48 * 5000;
    fireEvent.scroll(body);
    await act(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    expect(screen.getByText('app-5000')).toBeTruthy();
    expect(screen.queryByText('app-0')).toBeNull();
    expect(screen.getAllByRole('row').length).toBeLessThan(40);
  });
});

describe('HoverTooltip', () => {
  it('opens its title at the first hover of the child, keeping the child’s own handler', async () => {
    let entered = 0;
    render(
      <HoverTooltip title="3 / 8 cores">
        <span data-testid="bar" onMouseEnter={() => entered++}>
          37%
        </span>
      </HoverTooltip>,
    );
    expect(screen.queryByText('3 / 8 cores')).toBeNull();
    fireEvent.mouseEnter(screen.getByTestId('bar'));
    expect(await screen.findByText('3 / 8 cores')).toBeTruthy();
    expect(entered).toBe(1);
    expect(screen.getByTestId('bar').textContent).toBe('37%');
  });

  it('renders the child alone when there is no title', () => {
    render(
      <HoverTooltip title={undefined}>
        <span data-testid="bar">ok</span>
      </HoverTooltip>,
    );
    fireEvent.mouseEnter(screen.getByTestId('bar'));
    expect(screen.queryByRole('tooltip')).toBeNull();
  });
});
