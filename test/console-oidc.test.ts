import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOidcProvider } from './support/fake-oidc-provider.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import {
  collectErrors,
  ensureConsoleBuilt,
  hasChromium,
  launchChromium,
  newPage,
  noChromium,
  shot,
} from './support/browser.ts';
import { skipTitle } from './support/skip.ts';

/**
 * Signing in to the console through the government SSO (统一身份认证) in Debian's Chromium: a fake OpenID provider
 * on loopback (discovery, JWKS, an authorize endpoint that consents at once, a token endpoint that checks the PKCE
 * verifier), polis configured with its issuer, client id and a group mapping.
 */
describe.skipIf(!hasChromium)(
  skipTitle('the console signs in through OpenID Connect, in Chromium', noChromium),
  { timeout: 180_000 },
  () => {
    let op: Awaited<ReturnType<typeof startFakeOidcProvider>>;
    let t: TestPolis;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let base: string;
    let errors: string[];

    beforeAll(async () => {
      ensureConsoleBuilt();
      op = await startFakeOidcProvider({ clientId: 'polis-console' });
      t = await startTestPolis({
        listen: true,
        config: {
          oidc: {
            issuer: op.issuer,
            audience: 'polis-console',
            scopes: 'openid profile groups',
            groupBindings: 'city-data-bureau=platform-admin; edu-it=tenant-admin@edu',
          },
        },
      });
      base = t.polis.url!;
      browser = await launchChromium();
      ({ context, page } = await newPage(browser));
      errors = collectErrors(page);
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
      await t?.stop();
      await op?.stop();
    });

    const whoami = (p: Page) =>
      p.evaluate(async () => {
        const token = localStorage.getItem('polis.token');
        const res = await fetch('/api/v1/whoami', { headers: { authorization: `Bearer ${token}` } });
        return (await res.json()) as { user: string; via: string; bindings: { role: string; tenant?: string }[] };
      });

    it('signs in with the SSO button and comes back signed in, with the groups mapped to role bindings', async () => {
      op.state.user = { username: 'li.na', groups: ['/city/edu-it', 'other'] };
      await page.goto(`${base}/clusters`);
      const button = page.getByTestId('login-sso');
      await expect.poll(() => button.isEnabled(), { timeout: 30_000 }).toBe(true);
      await shot(page, 'oidc-01-login');
      await button.click();
      // Back from the provider on the page the user asked for, signed in as the SSO user.
      await page.getByTestId('nav').waitFor();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/clusters');
      expect(await page.getByTestId('user-menu').textContent()).toContain('li.na');
      const who = await whoami(page);
      expect(who).toMatchObject({ user: 'li.na', via: 'oidc', bindings: [{ role: 'tenant-admin', tenant: 'edu' }] });
      // The provider saw PKCE with S256, and its token endpoint verified the verifier against the challenge.
      const authz = op.state.authorizeRequests.at(-1)!;
      expect(authz).toMatchObject({
        code_challenge_method: 'S256',
        client_id: 'polis-console',
        scope: 'openid profile groups',
      });
      expect(authz.redirect_uri).toBe(`${base}/auth/callback`);
      expect(op.state.tokenRequests).toEqual([{ ok: true }]);
      await shot(page, 'oidc-02-signed-in');
    });

    it('shares the session with a new tab, and a sign-out in one tab signs out the other', async () => {
      const second = await context.newPage();
      await second.goto(`${base}/`);
      await second.getByTestId('nav').waitFor();
      expect(await second.getByTestId('user-menu').textContent()).toContain('li.na');
      await page.getByTestId('user-menu').click();
      await page.getByRole('menuitem', { name: /退出登录|Sign out/ }).click();
      await page.getByTestId('login-token').waitFor();
      await second.getByTestId('login-token').waitFor();
      await second.close();
    });

    it('refuses a callback whose state this tab did not send, without exchanging the code', async () => {
      const before = op.state.tokenRequests.length;
      await page.goto(`${base}/auth/callback?code=stolen&state=forged`);
      const alert = page.getByTestId('login-sso-error');
      await alert.waitFor();
      // This tab started no sign-in: nothing to match the callback against.
      expect(await alert.textContent()).toContain('本页没有发起过登录');
      expect(op.state.tokenRequests.length).toBe(before);
      // A real sign-in started afterwards, but its callback replayed with another state, is refused as well.
      op.state.user = { username: 'edu-admin' };
      // The provider's redirect back is tampered with on its way (another state in the callback URL).
      const authorizeUrl = `${op.issuer}/authorize?**`;
      await page.route(authorizeUrl, async (route) => {
        const res = await route.fetch({ maxRedirects: 0 });
        const back = new URL(res.headers().location!);
        back.searchParams.set('state', 'tampered');
        await route.fulfill({ status: 302, headers: { location: back.toString() } });
      });
      await page.getByTestId('login-sso').click();
      await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toContain('state 与本页发起的登录不符');
      await page.unroute(authorizeUrl);
      expect(op.state.tokenRequests.length).toBe(before);
      expect(await page.getByTestId('login-token').isVisible()).toBe(true);
      await shot(page, 'oidc-03-state-refused');
    });

    it('ran without page errors', () => {
      expect(errors).toEqual([]);
    });
  },
);
