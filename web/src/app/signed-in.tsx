import { AppLayout } from './layout.tsx';
import { Routes } from './routes.tsx';

/** The console once signed in: the frame and the page the URL names. */
export function SignedIn() {
  return (
    <AppLayout>
      <Routes />
    </AppLayout>
  );
}
