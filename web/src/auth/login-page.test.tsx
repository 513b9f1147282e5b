// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n/i18n.tsx';
import { LoginPage } from './login-page.tsx';
import { SessionProvider, useSession } from './session.tsx';

/** Generous limits on conditions (testing-library's default is 1 s, too short on a loaded machine). */
const LIMIT = { timeout: 30_000 };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
  localStorage.clear();
});

function Who() {
  const s = useSession();
  return s.state === 'signed-in' ? <div>signed in as {s.who?.user}</div> : <LoginPage />;
}

function mount() {
  render(
    <I18nProvider lang="en">
      <SessionProvider>
        <Who />
      </SessionProvider>
    </I18nProvider>,
  );
}

describe('LoginPage', () => {
  it('asks for a token before sending anything', () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    mount();
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(screen.getByText('Enter a token')).toBeTruthy();
    // Only the public sign-in options were asked for: no token was sent.
    expect(fetch.mock.calls.map((c) => String(c[0]))).toEqual(['/api/v1/auth/providers']);
  });

  it('shows why the server refused a token', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(
            JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'token revoked' }),
            { status: 401 },
          ),
      ),
    );
    mount();
    fireEvent.change(screen.getByTestId('login-token'), { target: { value: 'polis_x_y' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await waitFor(() => expect(screen.getByTestId('login-error').textContent).toContain('token revoked'), LIMIT);
  });

  it('signs in with a token the server accepts, sending it as a bearer token', async () => {
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/v1/auth/providers') return new Response(JSON.stringify({ kind: 'SignInOptions', token: true }));
      expect((init?.headers as Record<string, string>).authorization).toBe('Bearer polis_good');
      return new Response(
        JSON.stringify({ kind: 'WhoAmI', user: 'edu-admin', bindings: [{ role: 'tenant-admin', tenant: 'edu' }] }),
      );
    });
    vi.stubGlobal('fetch', fetch);
    mount();
    fireEvent.change(screen.getByTestId('login-token'), { target: { value: ' polis_good ' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await waitFor(() => expect(screen.getByText('signed in as edu-admin')).toBeTruthy(), LIMIT);
    expect(fetch.mock.calls.map((c) => c[0])).toContain('/api/v1/whoami');
    // Kept for the whole browser: every tab shares the session.
    expect(localStorage.getItem('polis.token')).toBe('polis_good');
  });
});
