import type { CSSProperties, ReactNode, UIEvent } from 'react';
import { memo, useCallback, useLayoutEffect, useRef, useState } from 'react';

export interface VirtualColumn<R> {
  readonly key: string;
  readonly title: ReactNode;
  /** CSS grid track: `200px`, `1fr`, `minmax(120px, 2fr)`. */
  readonly width: string;
  readonly render: (row: R) => ReactNode;
  readonly align?: 'left' | 'right' | 'center';
}

export interface VirtualWindow {
  readonly first: number;
  readonly last: number;
  readonly offset: number;
}

/** Which rows to draw for a scroll position (pure): the visible ones and `overscan` on each side. */
export function visibleWindow(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan = 8,
): VirtualWindow {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last, offset: first * rowHeight };
}

const Row = memo(function Row<R>(props: {
  row: R;
  index: number;
  columns: readonly VirtualColumn<R>[];
  template: string;
  height: number;
  onClick?: (row: R) => void;
}) {
  const style: CSSProperties = {
    display: 'grid',
    gridTemplateColumns: props.template,
    alignItems: 'center',
    height: props.height,
    borderBottom: '1px solid #f0f0f0',
    padding: '0 12px',
    columnGap: 12,
    background: props.index % 2 ? '#fcfcfd' : '#fff',
    cursor: props.onClick ? 'pointer' : undefined,
  };
  return (
    <div
      role="row"
      aria-rowindex={props.index + 2}
      style={style}
      onClick={() => props.onClick?.(props.row)}
      className="polis-vrow"
    >
      {props.columns.map((c) => (
        <div
          key={c.key}
          role="cell"
          style={{
            overflow: 'hidden',
            textOverflow: 'ellipsis',
            whiteSpace: 'nowrap',
            textAlign: c.align ?? 'left',
            minWidth: 0,
          }}
        >
          {c.render(props.row)}
        </div>
      ))}
    </div>
  );
}) as <R>(props: {
  row: R;
  index: number;
  columns: readonly VirtualColumn<R>[];
  template: string;
  height: number;
  onClick?: (row: R) => void;
}) => ReactNode;

/**
 * A table that draws only the rows in view (fixed row height), so that 10,000 applications scroll without long
 * tasks: a scroll re-renders a few dozen rows, whatever the length of the list.
 */
export function VirtualTable<R>(props: {
  rows: readonly R[];
  columns: readonly VirtualColumn<R>[];
  rowKey: (row: R) => string;
  rowHeight?: number;
  height: number;
  onRowClick?: (row: R) => void;
  empty?: ReactNode;
  testId?: string;
}) {
  const rowHeight = props.rowHeight ?? 44;
  const [scrollTop, setScrollTop] = useState(0);
  const frame = useRef<number | undefined>(undefined);
  const body = useRef<HTMLDivElement>(null);
  const onScroll = useCallback((e: UIEvent<HTMLDivElement>) => {
    const top = e.currentTarget.scrollTop;
    if (frame.current !== undefined) return;
    // One render per animation frame, however many scroll events arrive.
    frame.current = requestAnimationFrame(() => {
      frame.current = undefined;
      setScrollTop(body.current?.scrollTop ?? top);
    });
  }, []);
  useLayoutEffect(
    () => () => {
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    },
    [],
  );
  // When the rows shrink under the scroll position (a filter), go back to the top.
  useLayoutEffect(() => {
    if (body.current && scrollTop > props.rows.length * rowHeight) {
      body.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [props.rows.length, rowHeight, scrollTop]);
  const template = props.columns.map((c) => c.width).join(' ');
  const w = visibleWindow(scrollTop, props.height, rowHeight, props.rows.length);
  const visible = props.rows.slice(w.first, w.last);
  return (
    <div
      role="table"
      aria-rowcount={props.rows.length + 1}
      data-testid={props.testId}
      style={{ border: '1px solid #f0f0f0', borderRadius: 8, background: '#fff' }}
    >
      <div
        role="row"
        style={{
          display: 'grid',
          gridTemplateColumns: template,
          columnGap: 12,
          padding: '0 12px',
          height: 40,
          alignItems: 'center',
          background: '#fafafa',
          borderBottom: '1px solid #f0f0f0',
          fontWeight: 600,
          borderRadius: '8px 8px 0 0',
        }}
      >
        {props.columns.map((c) => (
          <div
            key={c.key}
            role="columnheader"
            style={{ textAlign: c.align ?? 'left', whiteSpace: 'nowrap', overflow: 'hidden' }}
          >
            {c.title}
          </div>
        ))}
      </div>
      <div
        ref={body}
        onScroll={onScroll}
        style={{ height: props.height, overflowY: 'auto', position: 'relative' }}
        data-testid={props.testId ? `${props.testId}-body` : undefined}
      >
        {props.rows.length === 0 ? (
          <div style={{ padding: 32 }}>{props.empty}</div>
        ) : (
          <div style={{ height: props.rows.length * rowHeight, position: 'relative' }}>
            <div style={{ position: 'absolute', top: w.offset, left: 0, right: 0 }}>
              {visible.map((r, i) => (
                <Row<R>
                  key={props.rowKey(r)}
                  row={r}
                  index={w.first + i}
                  columns={props.columns}
                  template={template}
                  height={rowHeight}
                  onClick={props.onRowClick}
                />
              ))}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
