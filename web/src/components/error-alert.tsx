import { Alert } from 'antd';
import type { ApiError } from '../api/api-error.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useServerText } from '../i18n/server-messages.ts';

/**
 * An API error as a person reads it: what the server said, each cause at its path, and the request id to quote to
 * the data bureau. 401/403/404 get a plain heading in the user's language above the server's message.
 */
export function ErrorAlert(props: { error: ApiError | undefined; title?: string; compact?: boolean }) {
  const { t } = useI18n();
  const st = useServerText();
  const e = props.error;
  if (!e) return null;
  const heading =
    props.title ??
    (e.reason === 'QuotaExceeded'
      ? st.reason(e.reason)
      : e.code === 403
        ? t('error.forbidden')
        : e.code === 404
          ? t('error.notFound')
          : e.code === 0
            ? t('error.network')
            : e.code === 409
              ? t('error.conflict')
              : e.code === 422
                ? t('error.invalid')
                : t('error.generic', { code: e.code }));
  return (
    <Alert
      type={e.code === 404 ? 'warning' : 'error'}
      showIcon
      data-testid="api-error"
      style={{ marginBottom: 16 }}
      title={heading}
      description={
        <div>
          <div style={{ whiteSpace: 'pre-wrap' }} data-server-text>
            {st.text({ ...e.details, message: e.message })}
          </div>
          {e.causes.length > 0 && !props.compact && (
            <ul style={{ margin: '8px 0 0', paddingLeft: 20 }}>
              {e.causes.map((c, i) => (
                <li key={i}>
                  {c.path && <code>{c.path}</code>}
                  {c.path && ': '}
                  <span data-server-text>{st.text(c)}</span>
                </li>
              ))}
            </ul>
          )}
          {e.requestId && !props.compact && (
            <div style={{ marginTop: 6, color: '#8c8c8c', fontSize: 12 }}>
              {t('error.requestId')}: {e.requestId}
            </div>
          )}
        </div>
      }
    />
  );
}
