import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
// Ant Design's styles as one stylesheet built with antd (zero-runtime mode): no component generates and injects its
// CSS while the first page mounts, which was the largest share of the console's scripting (issue 13, first render).
// The theme below still applies: the stylesheet reads its colours and radii from CSS variables set from the token.
import 'antd/dist/antd.css';
import { lazy, Suspense, useEffect } from 'react';
import { hasStoredSession, SessionProvider, useSession } from '../auth/session.tsx';
import { I18nProvider, useI18n } from '../i18n/i18n.tsx';

// The login page and the signed-in frame are chunks of their own: a first visit loads one of them, not both.
const LoginPage = lazy(() => import('../auth/login-page.tsx').then((m) => ({ default: m.LoginPage })));
let signedIn: Promise<typeof import('./signed-in.tsx')> | undefined;
const loadSignedIn = () => (signedIn ??= import('./signed-in.tsx'));
const SignedIn = lazy(() => loadSignedIn().then((m) => ({ default: m.SignedIn })));
// A kept session (issue 13): the frame's chunk and the page's chunk load while the session is checked (whoami),
// not one after the other once it is answered. A session found expired costs only these fetches.
if (hasStoredSession()) void loadSignedIn().then((m) => m.preload(window.location.pathname));

const waiting = <Spin size="large" style={{ display: 'block', margin: '30vh auto' }} />;

function Signed() {
  const session = useSession();
  if (session.state === 'checking') return waiting;
  return <Suspense fallback={waiting}>{session.state === 'signed-out' ? <LoginPage /> : <SignedIn />}</Suspense>;
}

// The key names the class that carries the token's CSS variables: a fixed one, never one of those in antd.css.
const THEME = {
  zeroRuntime: true,
  cssVar: { key: 'polis-theme' },
  token: { colorPrimary: '#1d4ed8', borderRadius: 6 },
};

function Localized() {
  const { lang } = useI18n();
  useEffect(() => {
    dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  }, [lang]);
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={THEME}>
      <AntApp>
        <SessionProvider>
          <Signed />
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}

/** The console: language first (zh-CN by default), then Ant Design in that language, then the session. */
export function App() {
  return (
    <I18nProvider>
      <Localized />
    </I18nProvider>
  );
}
