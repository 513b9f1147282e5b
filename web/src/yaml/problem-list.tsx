import { Alert, List, Typography } from 'antd';
import { useI18n } from '../i18n/i18n.tsx';
import type { YamlProblem } from './yaml-problems.ts';

/** The problems under an editor, each with its line; clicking one moves the cursor there. */
export function ProblemList(props: {
  problems: readonly YamlProblem[];
  onGoto?: (line: number) => void;
  title?: string;
}) {
  const { t } = useI18n();
  if (props.problems.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginTop: 12 }}
      title={props.title ?? t('yaml.problems', { n: props.problems.length })}
      description={
        <List
          size="small"
          dataSource={[...props.problems]}
          renderItem={(p) => (
            <List.Item
              style={{ cursor: props.onGoto ? 'pointer' : undefined, padding: '4px 0' }}
              onClick={() => props.onGoto?.(p.line)}
              data-testid="yaml-problem"
              data-line={p.line}
            >
              <Typography.Text>
                <Typography.Text strong>{t('yaml.line', { line: p.line })}</Typography.Text>
                {p.path && (
                  <>
                    {' '}
                    <code>{p.path}</code>
                  </>
                )}
                : {p.message}
              </Typography.Text>
            </List.Item>
          )}
        />
      }
    />
  );
}
