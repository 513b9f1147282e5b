// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Form } from 'antd';
import { useEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cause } from '../../api/api-error.ts';
import { I18nProvider } from '../../i18n/i18n.tsx';
import { SchemaFields, useServerErrors } from './schema-form-view.tsx';
import type { FormField } from './schema-form.ts';
import { coerce, fieldsOf, initialValues } from './schema-form.ts';

/** Generous: a loaded machine renders slowly (test/test-waits.test.ts). */
const LIMIT = 15_000;

afterEach(cleanup);

const schema = {
  type: 'object',
  required: ['owner'],
  properties: {
    replicas: { type: 'integer', minimum: 1, maximum: 3, default: 1, title: 'Replicas', 'x-title-zh': '副本数' },
    owner: { type: 'string', title: 'Owner', 'x-title-zh': '负责人' },
    tls: { type: 'boolean', default: true, title: 'TLS' },
    cpu: { type: 'string', enum: ['500m', '1'], default: '1', title: 'CPU' },
    storage: { type: 'object', title: 'Storage', 'x-title-zh': '存储', properties: { gi: { type: 'integer' } } },
  },
};

/** The item page's use of the form, reduced: the fields, server causes put on them, the values coerced. */
function Harness(props: { fields: readonly FormField[]; causes?: Cause[]; onValues?: (v: unknown) => void }) {
  const [form] = Form.useForm();
  const errors = useServerErrors(form, props.fields);
  useEffect(() => {
    form.setFieldsValue({ parameters: initialValues(props.fields) });
  }, [form, props.fields]);
  useEffect(() => {
    if (props.causes) errors.apply(props.causes);
  }, [props.causes, errors]);
  return (
    <Form
      form={form}
      layout="vertical"
      onValuesChange={(changed, all: { parameters?: Record<string, unknown> }) => {
        errors.onValuesChange(changed);
        props.onValues?.(coerce(props.fields, all.parameters));
      }}
    >
      <SchemaFields fields={props.fields} />
    </Form>
  );
}

describe('the generated parameter form', () => {
  const fields = fieldsOf(schema);

  it('shows each field with its Chinese label, required mark, range hint and default', async () => {
    render(
      <I18nProvider lang="zh">
        <Harness fields={fields} />
      </I18nProvider>,
    );
    expect(screen.getByText('副本数')).toBeTruthy();
    expect(screen.getByText('负责人')).toBeTruthy();
    expect(screen.getByText('存储')).toBeTruthy();
    expect(screen.getByText('取值范围：1 ≤ x ≤ 3')).toBeTruthy();
    await waitFor(
      () =>
        expect(
          (screen.getByTestId('param-replicas').querySelector('input') ??
            screen.getByTestId('param-replicas')) as HTMLInputElement,
        ).toHaveProperty('value', '1'),
      { timeout: LIMIT },
    );
    // antd marks a required field's label.
    expect(document.querySelector('label[title="负责人"]')?.className).toContain('ant-form-item-required');
    expect(screen.getByTestId('param-storage.gi')).toBeTruthy();
  });

  it('puts a server cause under its field in Chinese, and clears it when the field changes', async () => {
    const causes: Cause[] = [
      {
        path: 'spec.parameters.replicas',
        code: 'MarketParameterMaximum',
        params: { parameter: 'replicas', comparison: '<=', limit: 3 },
        message: 'replicas must be <= 3',
      },
    ];
    let values: unknown;
    render(
      <I18nProvider lang="zh">
        <Harness fields={fields} causes={causes} onValues={(v) => (values = v)} />
      </I18nProvider>,
    );
    await waitFor(() => expect(screen.getByText('副本数 必须 <= 3')).toBeTruthy(), { timeout: LIMIT });
    const input = (screen.getByTestId('param-replicas').querySelector('input') ??
      screen.getByTestId('param-replicas')) as HTMLInputElement;
    await act(async () => {
      fireEvent.change(input, { target: { value: '2' } });
    });
    await waitFor(() => expect(screen.queryByText('副本数 必须 <= 3')).toBeNull(), { timeout: LIMIT });
    expect(values).toMatchObject({ replicas: 2, tls: true, cpu: '1' });
  });
});
