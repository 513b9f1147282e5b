import { ReloadOutlined } from '@ant-design/icons';
import { Drawer, Flex, InputNumber, Select, Switch, Typography, Button } from 'antd';
import { useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { responseError, toApiError } from '../../api/api-error.ts';
import { authHeaders } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { LogLine } from '../../observe/log-model.ts';
import { appendLines, logQuery, splitChunk } from '../../observe/log-model.ts';
import type { PodItem } from '../../observe/types.ts';

const SINCE = ['', '5m', '15m', '1h', '6h', '24h'];
const LEVEL_COLOR: Record<string, string> = { ERROR: '#ff7875', WARN: '#ffc53d', DEBUG: '#8c8c8c' };

/**
 * A pod's log: the last N lines (since a time, of one container), or followed live through the log route's
 * `follow=true` stream until the viewer closes. Every read is audited by the server.
 */
export function LogViewer(props: { tenant: string; app: string; cluster: string; pod: PodItem; onClose: () => void }) {
  const { t } = useI18n();
  const [tail, setTail] = useState(500);
  const [since, setSince] = useState('');
  const [container, setContainer] = useState('');
  const [follow, setFollow] = useState(false);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(false);
  const [nonce, setNonce] = useState(0);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setLines([]);
    setError(undefined);
    setLoading(true);
    const url = paths.podLog(
      props.tenant,
      props.app,
      props.cluster,
      props.pod.name,
      logQuery({ tail, since, container, follow }),
    );
    void (async () => {
      try {
        const res = await fetch(url, { headers: { accept: 'text/plain', ...authHeaders() }, signal: ctrl.signal });
        if (!res.ok) {
          setError(await responseError(res));
          return;
        }
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let pending = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const split = splitChunk(pending, decoder.decode(value, { stream: true }));
          pending = split.pending;
          if (split.lines.length) setLines((b) => appendLines(b, split.lines));
          setLoading(false);
        }
        if (pending) setLines((b) => appendLines(b, [pending]));
      } catch (e) {
        if ((e as Error).name !== 'AbortError') setError(toApiError(e));
      } finally {
        if (!ctrl.signal.aborted) setLoading(false);
      }
    })();
    return () => ctrl.abort();
  }, [props.tenant, props.app, props.cluster, props.pod.name, tail, since, container, follow, nonce]);

  useEffect(() => {
    // Keep the newest line in view, as a terminal does.
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  return (
    <Drawer
      open
      width={960}
      onClose={props.onClose}
      title={t('logs.title', { pod: props.pod.name })}
      data-testid="log-viewer"
      destroyOnHidden
    >
      <Flex gap={12} wrap align="center" style={{ marginBottom: 12 }}>
        {props.pod.containers.length > 1 && (
          <>
            <span>{t('logs.container')}</span>
            <Select
              style={{ minWidth: 140 }}
              value={container}
              onChange={setContainer}
              options={[
                { value: '', label: t('logs.allContainers') },
                ...props.pod.containers.map((c) => ({ value: c, label: c })),
              ]}
            />
          </>
        )}
        <span>{t('logs.tail')}</span>
        <InputNumber
          min={1}
          max={10000}
          value={tail}
          onChange={(v) => v && setTail(v)}
          data-testid="log-tail"
          style={{ width: 100 }}
        />
        <span>{t('logs.since')}</span>
        <Select
          style={{ width: 100 }}
          value={since}
          onChange={setSince}
          data-testid="log-since"
          options={SINCE.map((s) => ({ value: s, label: s || t('logs.sinceAll') }))}
        />
        <span>{t('logs.follow')}</span>
        <Switch checked={follow} onChange={setFollow} data-testid="log-follow" />
        <Button icon={<ReloadOutlined />} onClick={() => setNonce((n) => n + 1)} data-testid="log-reload">
          {t('logs.reload')}
        </Button>
        {follow && <Typography.Text type="secondary">{t('logs.following')}</Typography.Text>}
      </Flex>
      <ErrorAlert error={error} />
      <div
        ref={box}
        data-testid="log-lines"
        data-lines={lines.length}
        style={{
          background: '#141414',
          color: '#d9d9d9',
          fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace',
          fontSize: 12,
          lineHeight: '18px',
          padding: 12,
          borderRadius: 6,
          height: 'calc(100vh - 220px)',
          overflow: 'auto',
          whiteSpace: 'pre-wrap',
          wordBreak: 'break-all',
        }}
      >
        {lines.length === 0 && !loading && <span style={{ color: '#8c8c8c' }}>{t('logs.empty')}</span>}
        {lines.map((l) => (
          <div key={l.n} style={l.level ? { color: LEVEL_COLOR[l.level] } : undefined} data-level={l.level}>
            {l.text}
          </div>
        ))}
      </div>
    </Drawer>
  );
}
