import { Skeleton } from 'antd';
import type { ComponentProps } from 'react';
import { lazy, Suspense } from 'react';
import type { YamlEditor as YamlEditorType } from './yaml-editor.tsx';

export type { EditorHandle } from './yaml-editor.tsx';

// CodeMirror arrives in its own chunk when an editor is first shown.
const LazyYamlEditor = lazy(() => import('./yaml-editor.tsx').then((m) => ({ default: m.YamlEditor })));

export function YamlEditor(props: ComponentProps<typeof YamlEditorType>) {
  return (
    <Suspense fallback={<Skeleton active paragraph={{ rows: 10 }} />}>
      <LazyYamlEditor {...props} />
    </Suspense>
  );
}
