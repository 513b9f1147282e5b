import { Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { AppLayout } from './layout.tsx';
import { useLocation } from './router.tsx';
import { preloadPage, Routes } from './routes.tsx';

// The big screen is a chunk of its own, shown without the console's frame (full screen, dark).
let bigScreen: Promise<{ default: typeof import('../pages/bigscreen/bigscreen-page.tsx').BigScreenPage }> | undefined;
const loadBigScreen = () =>
  (bigScreen ??= import('../pages/bigscreen/bigscreen-page.tsx').then((m) => ({ default: m.BigScreenPage })));
const BigScreenPage = lazy(loadBigScreen);

/** Starts loading the chunk of the page at `pathname` (the big screen, or a page of the frame). */
export function preload(pathname: string): void {
  if (pathname === '/bigscreen') void loadBigScreen();
  else void preloadPage(pathname);
}

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
