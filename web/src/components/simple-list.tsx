import { Empty, Spin } from 'antd';
import type { CSSProperties, ReactNode } from 'react';

const ITEM: CSSProperties = { padding: '8px 0', borderBottom: '1px solid #f0f0f0' };

/**
 * A plain list: an optional header, rows separated by a rule, an empty state and a loading state. (antd's List
 * is deprecated in antd 6; its successor Listy is a virtual list, more than these short lists need.)
 */
export function SimpleList<T>(props: {
  items: readonly T[];
  render: (item: T, index: number) => ReactNode;
  itemKey: (item: T, index: number) => string;
  header?: ReactNode;
  empty?: ReactNode;
  loading?: boolean;
  testId?: string;
  onItemClick?: (item: T) => void;
}) {
  return (
    <div role="list" data-testid={props.testId}>
      {props.header && <div style={{ ...ITEM, paddingTop: 4 }}>{props.header}</div>}
      {props.loading && props.items.length === 0 ? (
        <Spin style={{ display: 'block', margin: '16px auto' }} />
      ) : props.items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={props.empty} />
      ) : (
        props.items.map((item, i) => (
          <div
            key={props.itemKey(item, i)}
            role="listitem"
            style={{ ...ITEM, cursor: props.onItemClick ? 'pointer' : undefined }}
            onClick={props.onItemClick ? () => props.onItemClick!(item) : undefined}
          >
            {props.render(item, i)}
          </div>
        ))
      )}
    </div>
  );
}
