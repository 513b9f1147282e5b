import {
  AccountBookOutlined,
  AppstoreOutlined,
  AreaChartOutlined,
  AlertOutlined,
  AuditOutlined,
  BulbOutlined,
  LineChartOutlined,
  ClusterOutlined,
  DashboardOutlined,
  KeyOutlined,
  ExperimentOutlined,
  FundProjectionScreenOutlined,
  LogoutOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
  TrophyOutlined,
  UserOutlined,
  ShopOutlined,
  ApiOutlined,
  CloudUploadOutlined,
} from '@ant-design/icons';
import { Button, Dropdown, Flex, Layout, Menu, Segmented, Tag, Typography } from 'antd';
import type { MenuProps } from 'antd';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useCan, useSession } from '../auth/session.tsx';
import { RoleTag } from '../components/status-tags.tsx';
import type { Lang } from '../i18n/i18n.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { NavKey } from './nav.ts';
import { navKeyOf, navSections, type NavItem } from './nav.ts';
import { Link, navigate, useLocation } from './router.tsx';
import { SearchBox } from './search-box.tsx';

const ICONS: Record<NavKey, ReactNode> = {
  overview: <DashboardOutlined />,
  applications: <AppstoreOutlined />,
  clusters: <ClusterOutlined />,
  departments: <TeamOutlined />,
  tokens: <KeyOutlined />,
  audit: <AuditOutlined />,
  sandbox: <ExperimentOutlined />,
  bigscreen: <FundProjectionScreenOutlined />,
  costs: <AccountBookOutlined />,
  recommendations: <BulbOutlined />,
  assessment: <TrophyOutlined />,
  utilization: <AreaChartOutlined />,
  monitoring: <LineChartOutlined />,
  incidents: <AlertOutlined />,
  market: <ShopOutlined />,
  myServices: <ApiOutlined />,
  marketReview: <SafetyCertificateOutlined />,
  marketPublish: <CloudUploadOutlined />,
  users: <UserOutlined />,
};

/** The frame of every page: navigation (what this user may use), language, who is signed in. */
export function AppLayout(props: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const can = useCan();
  const { pathname } = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const sections = navSections(can);
  const entry = (i: NavItem) => ({
    key: i.key,
    icon: ICONS[i.key],
    label: (
      <Link to={i.path} data-testid={`nav-${i.key}`}>
        {t(i.label)}
      </Link>
    ),
  });
  const scope =
    can.readableDepartments === 'all'
      ? t('layout.scopeAll')
      : can.readableDepartments.length > 0
        ? t('layout.scopeDepartments', { departments: can.readableDepartments.join(', ') })
        : t('layout.scopeNone');
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208} theme="dark">
        <Link to="/" style={{ display: 'block', padding: '16px 20px', color: '#fff' }}>
          <Typography.Text strong style={{ color: '#fff', fontSize: 18 }}>
            polis
          </Typography.Text>
          {!collapsed && <div style={{ color: 'rgba(255,255,255,0.65)', fontSize: 12 }}>{t('app.tagline')}</div>}
        </Link>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[navKeyOf(pathname)]}
          data-testid="nav"
          items={sections.flatMap((s): NonNullable<MenuProps['items']> =>
            s.group === undefined || collapsed
              ? s.items.map(entry)
              : [
                  {
                    type: 'group' as const,
                    key: `group-${s.group}`,
                    label: t(`nav.group.${s.group}`),
                    children: s.items.map(entry),
                  },
                ],
          )}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 24px',
            borderBottom: '1px solid #f0f0f0',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            height: 56,
          }}
        >
          <Typography.Text type="secondary" data-testid="scope">
            {scope}
          </Typography.Text>
          <Flex gap={16} align="center">
            <SearchBox />
            <Segmented<Lang>
              size="small"
              value={lang}
              onChange={setLang}
              data-testid="lang-switch"
              options={[
                { label: '中文', value: 'zh' },
                { label: 'English', value: 'en' },
              ]}
            />
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  {
                    key: 'roles',
                    disabled: true,
                    label: (
                      <Flex gap={4} wrap style={{ maxWidth: 280 }}>
                        {session.who?.bindings.map((b, i) => (
                          <span key={i}>
                            <RoleTag role={b.role} />
                            {b.tenant && <Tag>{b.tenant}</Tag>}
                          </span>
                        ))}
                      </Flex>
                    ),
                  },
                  { type: 'divider' },
                  {
                    key: 'logout',
                    icon: <LogoutOutlined />,
                    label: t('layout.signOut'),
                    onClick: () => {
                      session.signOut();
                      navigate('/');
                    },
                  },
                ],
              }}
            >
              <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
                {can.user}
              </Button>
            </Dropdown>
          </Flex>
        </Layout.Header>
        <Layout.Content style={{ padding: 24, minWidth: 0 }}>{props.children}</Layout.Content>
      </Layout>
    </Layout>
  );
}
