/** SLOs and alerts (issue 15 point 4), and their notification (point 6): what the composition root and other domains use. */
export { AlertController, type AlertControllerDeps, type AlertListener } from './alert-controller.ts';
export { alertApp, type AlertApp } from './alert-collector.ts';
export { alertRuleKind, OBSERVE_API_VERSION, OBSERVE_GROUP, PLATFORM_SPACE } from './alert-kinds.ts';
export type { Alert, AlertState, AlertTransition } from './evaluate.ts';
export { registerAlertRoutes } from './routes.ts';
export { DEFAULT_SLO, sloPolicyCauses } from './slo-policy.ts';
export type { SignalWindows } from './signal-windows.ts';
