import { Breadcrumb, Flex, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from '../app/router.tsx';

/** A page's title row: breadcrumb, title, what the page is for, and its actions on the right. */
export function PageHeader(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  extra?: ReactNode;
  crumbs?: readonly { label: string; to?: string }[];
}) {
  return (
    <div style={{ marginBottom: 16 }}>
      {props.crumbs && props.crumbs.length > 0 && (
        <Breadcrumb
          style={{ marginBottom: 8 }}
          items={props.crumbs.map((c) => ({ title: c.to ? <Link to={c.to}>{c.label}</Link> : c.label }))}
        />
      )}
      <Flex justify="space-between" align="center" wrap gap={12}>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {props.title}
          </Typography.Title>
          {props.subtitle && <Typography.Text type="secondary">{props.subtitle}</Typography.Text>}
        </div>
        {props.extra && (
          <Flex gap={8} align="center" wrap>
            {props.extra}
          </Flex>
        )}
      </Flex>
    </div>
  );
}
