import { useMemo } from 'react';
import { paths } from '../api/paths.ts';
import { useCollection } from '../api/use-collection.ts';
import type { IncidentRow } from './incident-model.ts';
import { incidentRow, sortIncidents } from './incident-model.ts';
import type { Incident } from './types.ts';

/** Every incident the user may read, live, as rows (shared with the overview's attention panel). */
export function useIncidentRows(enabled = true) {
  const snap = useCollection<Incident, IncidentRow>(enabled ? 'incident-rows' : undefined, () => ({
    path: paths.allIncidents,
    project: incidentRow,
  }));
  const rows = useMemo(() => sortIncidents(snap.state.items.values()), [snap.state.items]);
  return { ...snap, rows };
}
