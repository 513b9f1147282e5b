import { Alert, Typography } from 'antd';
import { SimpleList } from '../components/simple-list.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { YamlProblem } from './yaml-problems.ts';
import { useServerText } from '../i18n/server-messages.ts';

/** The problems under an editor, each with its line; clicking one moves the cursor there. */
export function ProblemList(props: {
  problems: readonly YamlProblem[];
  onGoto?: (line: number) => void;
  title?: string;
}) {
  const { t } = useI18n();
  const st = useServerText();
  if (props.problems.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginTop: 12 }}
      title={props.title ?? t('yaml.problems', { n: props.problems.length })}
      description={
        <SimpleList
          items={props.problems}
          itemKey={(p, i) => `${i}:${p.line}`}
          onItemClick={props.onGoto ? (p) => props.onGoto!(p.line) : undefined}
          render={(p) => (
            <span data-testid="yaml-problem" data-line={p.line}>
              <Typography.Text strong>{t('yaml.line', { line: p.line })}</Typography.Text>
              {p.path && (
                <>
                  {' '}
                  <code>{p.path}</code>
                </>
              )}
              : <span data-server-text>{st.text(p)}</span>
            </span>
          )}
        />
      }
    />
  );
}
