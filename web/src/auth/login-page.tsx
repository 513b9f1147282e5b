import { KeyOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Divider, Flex, Input, Segmented, Tooltip, Typography } from 'antd';
import type { FormEvent } from 'react';
import { useState } from 'react';
import type { ApiError } from '../api/api-error.ts';
import type { Lang } from '../i18n/i18n.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from './session.tsx';

/**
 * Sign in with an API token (`polis token create`, or data/admin.token on a first start). Government SSO (OIDC,
 * docs/security.md) will sign in here too; its button is shown, disabled, until the console gets the flow.
 */
export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(false);
  const [missing, setMissing] = useState(false);

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
      await session.signIn(token, remember);
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
          <Checkbox checked={remember} onChange={(e) => setRemember(e.target.checked)} style={{ marginBottom: 16 }}>
            {t('login.remember')}
          </Checkbox>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </form>
        <Divider plain>{t('login.or')}</Divider>
        <Tooltip title={t('login.ssoLater')}>
          <Button block icon={<SafetyCertificateOutlined />} disabled>
            {t('login.sso')}
          </Button>
        </Tooltip>
      </Card>
    </Flex>
  );
}
