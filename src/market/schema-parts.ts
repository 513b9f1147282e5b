import { z } from 'zod';

/** Schema pieces the marketplace's kinds share (catalogue, instances, bindings, shared APIs, subscriptions). */

/** A name in both of the console's languages. */
export const bilingual = z.object({ zh: z.string().min(1).max(2000), en: z.string().min(1).max(2000) }).strict();

export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and "-", at most 63');

/** The prefix of the environment variables a binding or subscription injects into the application. */
export const envPrefix = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,30}$/, 'upper-case letters, digits and "_", starting with a letter');
