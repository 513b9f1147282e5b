import { Result, Spin } from 'antd';
import type { ComponentType } from 'react';
import { lazy, Suspense } from 'react';
import type { LazyExoticComponent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, matchPath, useLocation } from './router.tsx';

/**
 * A page's lazily loaded component, whose chunk can also be asked for ahead of its first render (`preload`): the
 * console asks for the page of the URL while it checks the session, not after (issue 13: the chunks waited for
 * `whoami`). One promise per page: the render reuses the one the preload started.
 */
type LazyPage = LazyExoticComponent<ComponentType<{ params: Record<string, string> }>> & {
  preload: () => Promise<unknown>;
};

function lazyPage<M>(load: () => Promise<M>, pick: (m: M) => ComponentType<never>): LazyPage {
  let loading: Promise<{ default: ComponentType<{ params: Record<string, string> }> }> | undefined;
  const get = () =>
    (loading ??= load().then((m) => ({ default: pick(m) as ComponentType<{ params: Record<string, string> }> })));
  return Object.assign(lazy(get), { preload: get });
}

// Every page is its own chunk: the first load carries the frame and the login page only.
const OverviewPage = lazyPage(
  () => import('../pages/overview/overview-page.tsx'),
  (m) => m.OverviewPage,
);
const ApplicationListPage = lazyPage(
  () => import('../pages/applications/application-list-page.tsx'),
  (m) => m.ApplicationListPage,
);
const ApplicationDetailPage = lazyPage(
  () => import('../pages/applications/application-detail-page.tsx'),
  (m) => m.ApplicationDetailPage,
);
const ApplicationCreatePage = lazyPage(
  () => import('../pages/applications/application-create-page.tsx'),
  (m) => m.ApplicationCreatePage,
);
const ClusterListPage = lazyPage(
  () => import('../pages/clusters/cluster-list-page.tsx'),
  (m) => m.ClusterListPage,
);
const ClusterDetailPage = lazyPage(
  () => import('../pages/clusters/cluster-detail-page.tsx'),
  (m) => m.ClusterDetailPage,
);
const DepartmentListPage = lazyPage(
  () => import('../pages/departments/department-list-page.tsx'),
  (m) => m.DepartmentListPage,
);
const DepartmentDetailPage = lazyPage(
  () => import('../pages/departments/department-detail-page.tsx'),
  (m) => m.DepartmentDetailPage,
);
const TokenPage = lazyPage(
  () => import('../pages/tokens/token-page.tsx'),
  (m) => m.TokenPage,
);
const AuditPage = lazyPage(
  () => import('../pages/audit/audit-page.tsx'),
  (m) => m.AuditPage,
);
const SandboxPage = lazyPage(
  () => import('../pages/sandbox/sandbox-page.tsx'),
  (m) => m.SandboxPage,
);
// Operations: 费用, 优化建议, 评估, 利用率.
const CostPage = lazyPage(
  () => import('../pages/operations/cost-page.tsx'),
  (m) => m.CostPage,
);
const RecommendationsPage = lazyPage(
  () => import('../pages/operations/recommendations-page.tsx'),
  (m) => m.RecommendationsPage,
);
const AssessmentPage = lazyPage(
  () => import('../pages/operations/assessment-page.tsx'),
  (m) => m.AssessmentPage,
);
const UtilizationPage = lazyPage(
  () => import('../pages/operations/utilization-page.tsx'),
  (m) => m.UtilizationPage,
);
const MonitoringPage = lazyPage(
  () => import('../pages/monitoring/monitoring-page.tsx'),
  (m) => m.MonitoringPage,
);
const IncidentsPage = lazyPage(
  () => import('../pages/incidents/incidents-page.tsx'),
  (m) => m.IncidentsPage,
);
const IncidentDetailPage = lazyPage(
  () => import('../pages/incidents/incident-detail-page.tsx'),
  (m) => m.IncidentDetailPage,
);
// The marketplace's pages (docs/console.md).
const CatalogPage = lazyPage(
  () => import('../pages/market/catalog-page.tsx'),
  (m) => m.CatalogPage,
);
const ItemPage = lazyPage(
  () => import('../pages/market/item-page.tsx'),
  (m) => m.ItemPage,
);
const ServicesPage = lazyPage(
  () => import('../pages/market/services-page.tsx'),
  (m) => m.ServicesPage,
);
const ReviewPage = lazyPage(
  () => import('../pages/market/review-page.tsx'),
  (m) => m.ReviewPage,
);
const PublishPage = lazyPage(
  () => import('../pages/market/publish-page.tsx'),
  (m) => m.PublishPage,
);

const UserPage = lazyPage(
  () => import('../pages/users/user-page.tsx'),
  (m) => m.UserPage,
);

type Page = LazyPage;

const ROUTES: readonly [string, Page][] = [
  ['/', OverviewPage],
  ['/applications', ApplicationListPage],
  ['/applications/new', ApplicationCreatePage],
  ['/applications/:tenant/:name', ApplicationDetailPage],
  ['/clusters', ClusterListPage],
  ['/clusters/:name', ClusterDetailPage],
  ['/departments', DepartmentListPage],
  ['/departments/:tenant', DepartmentDetailPage],
  ['/tokens', TokenPage],
  ['/audit', AuditPage],
  ['/sandbox', SandboxPage],
  ['/costs', CostPage],
  ['/recommendations', RecommendationsPage],
  ['/assessment', AssessmentPage],
  ['/utilization', UtilizationPage],
  ['/monitoring', MonitoringPage],
  ['/incidents', IncidentsPage],
  ['/incidents/:tenant/:name', IncidentDetailPage],
  ['/market', CatalogPage],
  ['/market/:item', ItemPage],
  ['/services', ServicesPage],
  ['/review', ReviewPage],
  ['/publish', PublishPage],
  ['/users', UserPage],
];

function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title={t('error.pageNotFound')} extra={<Link to="/">{t('nav.overview')}</Link>} />;
}

/** Starts loading the chunk of the page at `pathname` (nothing for an unknown path); the promise of that load. */
export function preloadPage(pathname: string): Promise<unknown> | undefined {
  return ROUTES.find(([pattern]) => matchPath(pattern, pathname))?.[1].preload();
}

export function Routes() {
  const { pathname } = useLocation();
  let page: { Page: Page; params: Record<string, string> } | undefined;
  for (const [pattern, Page] of ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) {
      page = { Page, params };
      break;
    }
  }
  if (!page) return <NotFound />;
  const { Page, params } = page;
  return (
    <Suspense fallback={<Spin size="large" style={{ display: 'block', margin: '120px auto' }} />}>
      <Page key={pathname} params={params} />
    </Suspense>
  );
}
