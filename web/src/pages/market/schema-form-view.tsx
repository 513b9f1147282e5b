import type { FormInstance } from 'antd';
import { Card, Form, Input, InputNumber, Select, Switch } from 'antd';
import { useCallback } from 'react';
import type { Cause } from '../../api/api-error.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { FormField } from './schema-form.ts';
import { changedPaths, fieldErrors, leaves } from './schema-form.ts';

/** The name of a parameter's form item: under `parameters`, so the page's own fields (name, version) stay apart. */
export const paramName = (path: readonly string[]) => ['parameters', ...path];
export const paramTestId = (path: readonly string[]) => `param-${path.join('.')}`;

/** The fields of a version's parameter form, inside the page's antd Form. */
export function SchemaFields(props: { fields: readonly FormField[] }) {
  return (
    <>
      {props.fields.map((f) => (
        <SchemaField key={f.path.join('.')} field={f} />
      ))}
    </>
  );
}

function SchemaField({ field: f }: { field: FormField }) {
  const { t, lang } = useI18n();
  const label = localName(f.title, lang);
  if (f.kind === 'object')
    return (
      <Card size="small" title={label} style={{ marginBottom: 16 }} data-testid={paramTestId(f.path)}>
        <SchemaFields fields={f.children ?? []} />
      </Card>
    );
  const hints = [
    f.description ? localName(f.description, lang) : undefined,
    rangeHint(f, t),
    f.minLength !== undefined || f.maxLength !== undefined
      ? t('market.form.length', { min: f.minLength ?? 0, max: f.maxLength ?? '∞' })
      : undefined,
    f.pattern ? t('market.form.pattern', { pattern: f.pattern }) : undefined,
    f.kind === 'json' ? t('market.form.json') : undefined,
  ].filter(Boolean);
  const testId = paramTestId(f.path);
  return (
    <Form.Item
      name={paramName(f.path)}
      label={label}
      required={f.required}
      extra={hints.length > 0 ? hints.join(' · ') : undefined}
      valuePropName={f.kind === 'boolean' ? 'checked' : 'value'}
    >
      {f.kind === 'boolean' ? (
        <Switch data-testid={testId} />
      ) : f.kind === 'enum' ? (
        <Select
          data-testid={testId}
          allowClear={!f.required}
          options={(f.options ?? []).map((o) => ({
            value: typeof o === 'string' || typeof o === 'number' ? o : JSON.stringify(o),
            label: typeof o === 'string' ? o : JSON.stringify(o),
          }))}
        />
      ) : f.kind === 'integer' || f.kind === 'number' ? (
        // No min/max on the input: it would clamp silently; the server says what is accepted, under the field.
        <InputNumber data-testid={testId} style={{ width: 200 }} />
      ) : f.kind === 'json' ? (
        <Input.TextArea data-testid={testId} autoSize={{ minRows: 1, maxRows: 6 }} />
      ) : (
        <Input data-testid={testId} />
      )}
    </Form.Item>
  );
}

function rangeHint(f: FormField, t: ReturnType<typeof useI18n>['t']): string | undefined {
  const min = f.minimum ?? f.exclusiveMinimum;
  const max = f.maximum ?? f.exclusiveMaximum;
  if (min === undefined && max === undefined) return undefined;
  const lo = min === undefined ? '' : `${min}${f.exclusiveMinimum !== undefined ? ' <' : ' ≤'}`;
  const hi = max === undefined ? '' : `${f.exclusiveMaximum !== undefined ? '< ' : '≤ '}${max}`;
  return t('market.form.range', { range: `${lo} x ${hi}`.trim() });
}

/**
 * Server causes onto the form: each at its field (in the reader's language), the rest returned for the page to
 * show; `onValuesChange` clears a field's error as soon as its value changes.
 */
export function useServerErrors(form: FormInstance, fields: readonly FormField[]) {
  const st = useServerText();
  const { lang } = useI18n();
  const apply = useCallback(
    (causes: readonly Cause[], own: Record<string, readonly string[]> = {}): Cause[] => {
      const mapped = fieldErrors(fields, causes);
      const byField = new Map<string, { name: string[]; errors: string[] }>();
      const titles = new Map(leaves(fields).map((f) => [f.path.join('.'), localName(f.title, lang)]));
      for (const e of mapped.fields) {
        const key = e.path.join('.');
        const entry = byField.get(key) ?? { name: paramName(e.path), errors: [] };
        // Under its field, a problem names the field as the form labels it (副本数), not by its parameter id.
        const title = e.cause.params?.parameter === key ? titles.get(key) : undefined;
        entry.errors.push(st.text(title ? { ...e.cause, params: { ...e.cause.params, parameter: title } } : e.cause));
        byField.set(key, entry);
      }
      // Causes at the page's own fields (metadata.name → name).
      const rest: Cause[] = [];
      for (const c of mapped.other) {
        const name = own[c.path];
        if (name) {
          const key = `own:${c.path}`;
          const entry = byField.get(key) ?? { name: [...name], errors: [] };
          entry.errors.push(st.text(c));
          byField.set(key, entry);
        } else rest.push(c);
      }
      form.setFields([...byField.values()]);
      return rest;
    },
    [fields, form, st, lang],
  );
  const onValuesChange = useCallback(
    (changed: Record<string, unknown>) => {
      const params = (changed.parameters ?? {}) as Record<string, unknown>;
      const clear = changedPaths(fields, params).map((p) => ({ name: paramName(p), errors: [] as string[] }));
      for (const k of Object.keys(changed)) if (k !== 'parameters') clear.push({ name: [k], errors: [] });
      if (clear.length > 0) form.setFields(clear);
    },
    [fields, form],
  );
  return { apply, onValuesChange };
}
