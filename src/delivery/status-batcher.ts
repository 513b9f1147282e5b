import type { StoredObject } from '../resources/envelope.ts';
import type { RequestContext, ResourceService } from '../resources/service.ts';

interface Waiting {
  readonly input: unknown;
  readonly resolve: (r: { ok: true; object: StoredObject } | { ok: false; error: unknown }) => void;
}

/**
 * Status writes of many reconciles gathered into one transaction: each durable commit costs the same whether it
 * carries one status or a hundred, so after a cluster fails a thousand applications report their new placement
 * in a handful of commits instead of a thousand.
 */
export class StatusBatcher {
  private readonly resources: ResourceService;
  private readonly ctx: RequestContext;
  private waiting: Waiting[] = [];
  private flushing?: Promise<void>;

  constructor(resources: ResourceService, ctx: RequestContext) {
    this.resources = resources;
    this.ctx = ctx;
  }

  write(input: unknown): Promise<{ ok: true; object: StoredObject } | { ok: false; error: unknown }> {
    return new Promise((resolve) => {
      this.waiting.push({ input, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.waiting.length === 0) return;
    this.flushing = new Promise<void>((r) => setImmediate(r))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = undefined;
        this.schedule();
      });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting.splice(0, 500);
    try {
      const results = await this.resources.replaceStatusMany(
        this.ctx,
        batch.map((w) => w.input),
      );
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.resolve({ ok: false, error });
    }
  }
}
