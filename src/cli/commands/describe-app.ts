import type { EventView } from '../app-describe.ts';
import {
  applicationEvents,
  burstSection,
  scalingSection,
  conditionsSection,
  eventsSection,
  pendingRemovalSection,
  placementSection,
  revisionsSection,
  section,
  statusSummary,
  workflowSection,
} from '../app-describe.ts';
import { statusOf } from '../app-status-view.ts';
import type { SharingStatus } from '../../delivery/app-status.ts';
import { appSharingSection } from '../share-view.ts';
import { appPath } from '../app-target.ts';
import { ApiError } from '../cli-errors.ts';
import type { PolisClient } from '../client.ts';
import type { ListPage } from '../lookup.ts';
import type { ObjectLike } from '../object-table.ts';
import type { RevisionHistory } from '../revision-history.ts';

/**
 * What `polis describe app` shows after the metadata: status summary, Placement (and Excluded, Pending Removal
 * and Burst when there are any), Conditions and
 * Workflow (or `Status: <none>` before the controller wrote a status), Revisions (last 5) and Events (last 10). A
 * section the caller may not read (403) is left out; one the server cannot give says so in place.
 */
export async function applicationSections(client: PolisClient, app: ObjectLike, now: Date): Promise<string> {
  const s = statusOf(app);
  const name = String(app.metadata?.name ?? '');
  const tenant = String(app.metadata?.tenant ?? '');
  const [history, events] = await Promise.all([
    optional(() => client.get<RevisionHistory>(`${appPath(tenant, name)}/revisions`)),
    optional(() => tenantEvents(client, tenant)),
  ]);
  // Before the delivery controller has written a status there is nothing to place, condition or step through.
  let out = section('Status', '');
  if (Object.keys(s).length > 0) {
    out = `${statusSummary(s, app.metadata?.generation).join('\n')}\n`;
    out +=
      placementSection(s) +
      pendingRemovalSection(s) +
      burstSection(s) +
      scalingSection(s) +
      appSharingSection((app.status as { sharing?: SharingStatus } | undefined)?.sharing);
    out += conditionsSection(s) + workflowSection(s);
  }
  out += shown('Revisions', history, (h) => revisionsSection(h, now));
  out += shown('Events', events, (list) => eventsSection(applicationEvents(list, name), now));
  return out;
}

type Fetched<T> = { ok: true; value: T } | { ok: false; forbidden: boolean; message: string };

async function optional<T>(fetch: () => Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, value: await fetch() };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { ok: false, forbidden: e.status === 403, message: e.message };
  }
}

function shown<T>(title: string, f: Fetched<T>, render: (value: T) => string): string {
  if (f.ok) return render(f.value);
  return f.forbidden ? '' : `${`${title}:`.padEnd(18)}<unavailable: ${f.message}>\n`;
}

/** Every event of the department, through the pages. */
async function tenantEvents(client: PolisClient, tenant: string): Promise<EventView[]> {
  const items: EventView[] = [];
  let cont: string | undefined;
  do {
    const page = await client.get<ListPage>(`/apis/polis.io/v1/tenants/${encodeURIComponent(tenant)}/events`, {
      limit: 500,
      continue: cont,
    });
    items.push(...(page.items as EventView[]));
    cont = page.metadata?.continue;
  } while (cont);
  return items;
}
