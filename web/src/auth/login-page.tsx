import { KeyOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Divider, Flex, Input, Segmented, Tooltip, Typography } from 'antd';
import type { FormEvent } from 'react';
import { useEffect, useState } from 'react';
import type { ApiError } from '../api/api-error.ts';
import type { Lang } from '../i18n/i18n.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { SignInOptions } from './oidc-flow.ts';
import { authorizeUrl, fetchSignInOptions } from './oidc-flow.ts';
import { useSession } from './session.tsx';

/**
 * Sign in with an API token (`polis token create`, or data/admin.token on a first start), or through the government
 * SSO (统一身份认证, OIDC authorization code with PKCE, docs/security.md): its button is active when the server
 * names an issuer and a client id and the issuer's discovery document was read.
 */
export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState('');
  const [missing, setMissing] = useState(false);
  const [options, setOptions] = useState<SignInOptions>();
  const [redirecting, setRedirecting] = useState(false);

  useEffect(() => {
    const ctrl = { live: true };
    fetchSignInOptions()
      .then((o) => ctrl.live && setOptions(o))
      .catch(() => undefined);
    return () => {
      ctrl.live = false;
    };
  }, []);

  const oidc = options?.oidc;
  const ssoReady = Boolean(oidc?.authorizationEndpoint && !oidc.unavailable);
  const sso = async () => {
    if (!oidc) return;
    setRedirecting(true);
    const here = window.location.pathname + window.location.search;
    window.location.assign(await authorizeUrl(oidc, window.location.origin, here));
  };
  const ssoProblem = session.ssoFailed;

  // A plain form (not antd's Form): the login page is part of the first load, and kept small.
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (token.trim() === '') {
      setMissing(true);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await session.signIn(token);
    } catch (e) {
      const err = e as ApiError;
      setError(err.code === 401 ? t('login.rejected', { message: err.message }) : err.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex
      align="center"
      justify="center"
      style={{ minHeight: '100vh', background: 'linear-gradient(135deg,#1d4ed8 0%,#0f172a 100%)' }}
    >
      <Card style={{ width: 420, maxWidth: '92vw' }}>
        <Flex justify="space-between" align="start">
          <div>
            <Typography.Title level={3} style={{ marginBottom: 0 }}>
              polis
            </Typography.Title>
            <Typography.Text type="secondary">{t('app.tagline')}</Typography.Text>
          </div>
          <Segmented<Lang>
            size="small"
            value={lang}
            onChange={setLang}
            options={[
              { label: '中文', value: 'zh' },
              { label: 'EN', value: 'en' },
            ]}
          />
        </Flex>
        <Divider />
        {session.endedElsewhere && !error && (
          <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('login.endedElsewhere')} />
        )}
        {ssoProblem && !error && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('login.ssoFailed')}
            description={
              ssoProblem.problem
                ? `${t(`login.${ssoProblem.problem}`)}${ssoProblem.message ? ` (${ssoProblem.message})` : ''}`
                : ssoProblem.message
            }
            data-testid="login-sso-error"
          />
        )}
        {session.endedBecause && !error && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('login.ended')}
            description={session.endedBecause}
          />
        )}
        {error && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('login.failed')}
            description={error}
            data-testid="login-error"
          />
        )}
        <form onSubmit={submit}>
          <label htmlFor="polis-token" style={{ display: 'block', marginBottom: 8 }}>
            {t('login.token')}
          </label>
          <Input.Password
            id="polis-token"
            prefix={<KeyOutlined />}
            placeholder="polis_…"
            autoComplete="off"
            data-testid="login-token"
            autoFocus
            value={token}
            status={missing ? 'error' : undefined}
            onChange={(e) => {
              setToken(e.target.value);
              setMissing(false);
            }}
          />
          <Typography.Text
            type={missing ? 'danger' : 'secondary'}
            style={{ display: 'block', fontSize: 12, margin: '6px 0 16px' }}
          >
            {missing ? t('login.tokenRequired') : t('login.tokenHelp')}
          </Typography.Text>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </form>
        <Divider plain>{t('login.or')}</Divider>
        <Tooltip
          title={
            ssoReady
              ? undefined
              : oidc?.unavailable
                ? t('login.ssoUnavailable', { issuer: oidc.issuer })
                : t('login.ssoNotConfigured')
          }
        >
          <Button
            block
            icon={<SafetyCertificateOutlined />}
            disabled={!ssoReady}
            loading={redirecting}
            onClick={() => void sso()}
            data-testid="login-sso"
          >
            {t('login.sso')}
          </Button>
        </Tooltip>
      </Card>
    </Flex>
  );
}
