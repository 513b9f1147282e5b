import { z } from 'zod';
import type { Message, ParamValue } from '../kernel/messages/index.ts';

/** A coded message (src/kernel/messages) as stored in objects: code, params (values or nested messages), English. */
export const messageSchema: z.ZodType<Message> = z.lazy(() =>
  z
    .object({
      code: z.string().min(1).max(64),
      params: z.record(z.string(), paramSchema).optional(),
      message: z.string().max(2000),
    })
    .strict(),
);

const paramSchema: z.ZodType<ParamValue> = z.lazy(() =>
  z.union([z.string().max(2000), z.number(), messageSchema, z.array(messageSchema).max(200)]),
);

/** A message's params (see messageSchema). */
export const paramsSchema = z.record(z.string(), paramSchema);
