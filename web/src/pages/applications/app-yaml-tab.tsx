import { CheckOutlined, EditOutlined, SaveOutlined, UndoOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Typography } from 'antd';
import { useMemo, useRef, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import type { Application } from '../../api/types.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { applicationYaml } from '../../yaml/app-yaml.ts';
import type { EditorHandle } from '../../yaml/lazy-editor.tsx';
import { YamlEditor } from '../../yaml/lazy-editor.tsx';
import { ProblemList } from '../../yaml/problem-list.tsx';
import { useApplyYaml } from './use-apply-yaml.ts';

/**
 * The application as YAML, following the live object; "Edit" turns it into an editor whose problems (syntax at
 * once, the server's validation on "Validate" and "Apply") are marked on their lines.
 */
export function AppYamlTab(props: { app: Application; writable: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const tenant = props.app.metadata.tenant!;
  const live = useMemo(() => applicationYaml(props.app), [props.app]);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(live);
  const editor = useRef<EditorHandle | undefined>(undefined);
  const apply = useApplyYaml(tenant, text);

  const start = () => {
    setText(live);
    apply.reset();
    setEditing(true);
  };
  const save = async () => {
    const ok = await apply.run(false);
    if (ok) {
      message.success(t('yaml.applied', { result: ok }));
      setEditing(false);
    }
  };
  const check = async () => {
    const ok = await apply.run(true);
    if (ok) message.success(t('yaml.valid'));
  };

  return (
    <div>
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
        <Typography.Text type="secondary">{editing ? t('yaml.editingHelp') : t('yaml.liveHelp')}</Typography.Text>
        {props.writable && (
          <Flex gap={8}>
            {!editing ? (
              <Button icon={<EditOutlined />} onClick={start} data-testid="yaml-edit">
                {t('common.edit')}
              </Button>
            ) : (
              <>
                <Button icon={<UndoOutlined />} onClick={() => setEditing(false)}>
                  {t('common.cancel')}
                </Button>
                <Button
                  icon={<CheckOutlined />}
                  onClick={check}
                  loading={apply.busy === 'dry'}
                  data-testid="yaml-validate"
                >
                  {t('yaml.validate')}
                </Button>
                <Button
                  type="primary"
                  icon={<SaveOutlined />}
                  onClick={save}
                  loading={apply.busy === 'apply'}
                  data-testid="yaml-apply"
                >
                  {t('yaml.apply')}
                </Button>
              </>
            )}
          </Flex>
        )}
      </Flex>
      {editing && text !== live && apply.problems.length === 0 && !apply.error && (
        <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t('yaml.unsaved')} />
      )}
      <YamlEditor
        key={editing ? 'edit' : 'view'}
        value={editing ? text : live}
        onChange={editing ? setText : undefined}
        readOnly={!editing}
        problems={editing ? apply.problems : []}
        onReady={(h) => (editor.current = h)}
        height={520}
      />
      {editing && <ProblemList problems={apply.problems} onGoto={(l) => editor.current?.goto(l)} />}
      {editing && apply.error && apply.problems.length === 0 && <ErrorAlert error={apply.error as ApiError} />}
    </div>
  );
}
