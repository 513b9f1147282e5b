import type { ComponentType, TraitType } from './builtin-types.ts';
import { ACCOUNT_INGRESS_TRAITS } from './account-ingress-traits.ts';
import { CONTAINER_TRAITS } from './container-traits.ts';
import { PATCH_TRAITS } from './patch-traits.ts';
import { POD_SPEC_TRAITS } from './pod-spec-traits.ts';
import { daemonComponent, statefulsetComponent } from './node-workloads.ts';

/**
 * Component and trait types that live in files of their own. supported.ts lists their names, schemas.ts parses
 * with their schemas and component-render.ts renders through them.
 */
export const BUILTIN_COMPONENTS: Readonly<Record<string, ComponentType>> = {
  daemon: daemonComponent,
  statefulset: statefulsetComponent,
};

export const BUILTIN_TRAITS: Readonly<Record<string, TraitType>> = {
  ...POD_SPEC_TRAITS,
  ...CONTAINER_TRAITS,
  ...PATCH_TRAITS,
  ...ACCOUNT_INGRESS_TRAITS,
};
