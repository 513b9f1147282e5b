import { Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { AppLayout } from './layout.tsx';
import { useLocation } from './router.tsx';
import { Routes } from './routes.tsx';

// The big screen is a chunk of its own, shown without the console's frame (full screen, dark).
const BigScreenPage = lazy(() =>
  import('../pages/bigscreen/bigscreen-page.tsx').then((m) => ({ default: m.BigScreenPage })),
);

/** The console once signed in: the frame and the page the URL names (the big screen alone, without the frame). */
export function SignedIn() {
  const { pathname } = useLocation();
  if (pathname === '/bigscreen')
    return (
      <Suspense fallback={<Spin size="large" style={{ display: 'block', margin: '30vh auto' }} />}>
        <BigScreenPage />
      </Suspense>
    );
  return (
    <AppLayout>
      <Routes />
    </AppLayout>
  );
}
