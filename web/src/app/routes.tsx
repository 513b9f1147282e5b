import { Result, Spin } from 'antd';
import type { ComponentType } from 'react';
import { lazy, Suspense } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, matchPath, useLocation } from './router.tsx';

// Every page is its own chunk: the first load carries the frame and the login page only.
const OverviewPage = lazy(() =>
  import('../pages/overview/overview-page.tsx').then((m) => ({ default: m.OverviewPage })),
);
const ApplicationListPage = lazy(() =>
  import('../pages/applications/application-list-page.tsx').then((m) => ({ default: m.ApplicationListPage })),
);
const ApplicationDetailPage = lazy(() =>
  import('../pages/applications/application-detail-page.tsx').then((m) => ({ default: m.ApplicationDetailPage })),
);
const ApplicationCreatePage = lazy(() =>
  import('../pages/applications/application-create-page.tsx').then((m) => ({ default: m.ApplicationCreatePage })),
);
const ClusterListPage = lazy(() =>
  import('../pages/clusters/cluster-list-page.tsx').then((m) => ({ default: m.ClusterListPage })),
);
const ClusterDetailPage = lazy(() =>
  import('../pages/clusters/cluster-detail-page.tsx').then((m) => ({ default: m.ClusterDetailPage })),
);
const DepartmentListPage = lazy(() =>
  import('../pages/departments/department-list-page.tsx').then((m) => ({ default: m.DepartmentListPage })),
);
const DepartmentDetailPage = lazy(() =>
  import('../pages/departments/department-detail-page.tsx').then((m) => ({ default: m.DepartmentDetailPage })),
);
const TokenPage = lazy(() => import('../pages/tokens/token-page.tsx').then((m) => ({ default: m.TokenPage })));
const AuditPage = lazy(() => import('../pages/audit/audit-page.tsx').then((m) => ({ default: m.AuditPage })));
const SandboxPage = lazy(() => import('../pages/sandbox/sandbox-page.tsx').then((m) => ({ default: m.SandboxPage })));
// Operations: 费用, 优化建议, 评估, 利用率.
const CostPage = lazy(() => import('../pages/operations/cost-page.tsx').then((m) => ({ default: m.CostPage })));
const RecommendationsPage = lazy(() =>
  import('../pages/operations/recommendations-page.tsx').then((m) => ({ default: m.RecommendationsPage })),
);
const AssessmentPage = lazy(() =>
  import('../pages/operations/assessment-page.tsx').then((m) => ({ default: m.AssessmentPage })),
);
const UtilizationPage = lazy(() =>
  import('../pages/operations/utilization-page.tsx').then((m) => ({ default: m.UtilizationPage })),
);
const MonitoringPage = lazy(() =>
  import('../pages/monitoring/monitoring-page.tsx').then((m) => ({ default: m.MonitoringPage })),
);
const IncidentsPage = lazy(() =>
  import('../pages/incidents/incidents-page.tsx').then((m) => ({ default: m.IncidentsPage })),
);
const IncidentDetailPage = lazy(() =>
  import('../pages/incidents/incident-detail-page.tsx').then((m) => ({ default: m.IncidentDetailPage })),
);
// The marketplace's pages (docs/console.md).
const CatalogPage = lazy(() => import('../pages/market/catalog-page.tsx').then((m) => ({ default: m.CatalogPage })));
const ItemPage = lazy(() => import('../pages/market/item-page.tsx').then((m) => ({ default: m.ItemPage })));
const ServicesPage = lazy(() => import('../pages/market/services-page.tsx').then((m) => ({ default: m.ServicesPage })));
const ReviewPage = lazy(() => import('../pages/market/review-page.tsx').then((m) => ({ default: m.ReviewPage })));
const PublishPage = lazy(() => import('../pages/market/publish-page.tsx').then((m) => ({ default: m.PublishPage })));

const UserPage = lazy(() => import('../pages/users/user-page.tsx').then((m) => ({ default: m.UserPage })));

type Page = ComponentType<{ params: Record<string, string> }>;

const ROUTES: readonly [string, Page][] = [
  ['/', OverviewPage as Page],
  ['/applications', ApplicationListPage as Page],
  ['/applications/new', ApplicationCreatePage as Page],
  ['/applications/:tenant/:name', ApplicationDetailPage],
  ['/clusters', ClusterListPage as Page],
  ['/clusters/:name', ClusterDetailPage],
  ['/departments', DepartmentListPage as Page],
  ['/departments/:tenant', DepartmentDetailPage],
  ['/tokens', TokenPage as Page],
  ['/audit', AuditPage as Page],
  ['/sandbox', SandboxPage as Page],
  ['/costs', CostPage as Page],
  ['/recommendations', RecommendationsPage as Page],
  ['/assessment', AssessmentPage as Page],
  ['/utilization', UtilizationPage as Page],
  ['/monitoring', MonitoringPage as Page],
  ['/incidents', IncidentsPage as Page],
  ['/incidents/:tenant/:name', IncidentDetailPage],
  ['/market', CatalogPage as Page],
  ['/market/:item', ItemPage],
  ['/services', ServicesPage as Page],
  ['/review', ReviewPage as Page],
  ['/publish', PublishPage as Page],
  ['/users', UserPage as Page],
];

function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title={t('error.pageNotFound')} extra={<Link to="/">{t('nav.overview')}</Link>} />;
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
