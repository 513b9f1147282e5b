import { Tooltip } from 'antd';
import type { TooltipProps } from 'antd';
import type { MouseEvent, ReactElement, ReactNode } from 'react';
import { cloneElement, useState } from 'react';

type Hoverable = ReactElement<{ onMouseEnter?: (e: MouseEvent<HTMLElement>) => void }>;

/**
 * Ant Design's Tooltip around a child that is not focusable (a bar, a tag, a text), mounted when the pointer first
 * reaches the child (issue 13, first render): a table with a Tooltip in every row mounted a trigger per cell (popup,
 * observers, motion) before the page could show its data. Until then the child renders as it is; the first hover
 * mounts the Tooltip already open, and from there it behaves as Ant Design's. A child that can take the focus keeps
 * the plain Tooltip (the remount at the first hover would lose the focus).
 */
export function HoverTooltip(props: { title: ReactNode; placement?: TooltipProps['placement']; children: Hoverable }) {
  const [armed, setArmed] = useState(false);
  if (props.title === undefined || props.title === null || props.title === '') return props.children;
  if (armed)
    return (
      <Tooltip title={props.title} placement={props.placement} defaultOpen>
        {props.children}
      </Tooltip>
    );
  const own = props.children.props.onMouseEnter;
  return cloneElement(props.children, {
    onMouseEnter: (e: MouseEvent<HTMLElement>) => {
      own?.(e);
      setArmed(true);
    },
  });
}
