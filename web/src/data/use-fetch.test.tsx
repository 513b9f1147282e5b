// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Answers the test releases by hand, in the order the hook asked for them. */
const pending: { path: string; resolve: (v: unknown) => void }[] = [];
vi.mock('../api/client.ts', () => ({
  api: (path: string) => new Promise((resolve) => pending.push({ path, resolve })),
}));
const { useFetch } = await import('./hooks.ts');

function Probe(props: { dep: number }) {
  const r = useFetch<{ n: number }>('/usage', [props.dep], 0);
  return <div data-testid="shown">{r.data ? String(r.data.n) : 'none'}</div>;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await act(() => new Promise((r) => setTimeout(r, 5)));
  expect(check()).toBe(true);
};

afterEach(() => {
  cleanup();
  pending.length = 0;
});

describe('useFetch', () => {
  it('shows a slow answer although the deps moved on meanwhile, then reads once more, never twice at a time', async () => {
    const view = render(<Probe dep={1} />);
    await until(() => pending.length === 1);
    // The applications change twice while the first read is still out: no second read starts meanwhile.
    view.rerender(<Probe dep={2} />);
    view.rerender(<Probe dep={3} />);
    await act(() => new Promise((r) => setTimeout(r, 30)));
    expect(pending).toHaveLength(1);
    await act(async () => pending[0]!.resolve({ n: 1 }));
    await until(() => screen.getByTestId('shown').textContent === '1');
    // One more read for the changes it missed, and only one.
    await until(() => pending.length === 2);
    await act(async () => pending[1]!.resolve({ n: 2 }));
    await until(() => screen.getByTestId('shown').textContent === '2');
    await act(() => new Promise((r) => setTimeout(r, 30)));
    expect(pending).toHaveLength(2);
  });
});
