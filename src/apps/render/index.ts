/** OAM rendering: KubeVela's built-in components, traits and policies as Kubernetes objects (docs/oam.md). */
export { SUPPORTED_COMPONENTS, SUPPORTED_POLICIES, SUPPORTED_STEPS, SUPPORTED_TRAITS } from './supported.ts';
export { oamCauses } from './oam-causes.ts';
export { renderApplication, type GcStrategy, type RenderContext, type RenderResult } from './render.ts';
export {
  componentDemands,
  componentLimits,
  deployedDemands,
  topologyTargets,
  type ComponentDemandInfo,
} from './demands.ts';
export { cronProblem } from './cron-syntax.ts';
export { specWithOverrides } from './overrides.ts';
