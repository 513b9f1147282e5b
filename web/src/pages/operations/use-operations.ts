import { useMemo, useState } from 'react';
import { responseError } from '../../api/api-error.ts';
import { authHeaders } from '../../api/client.ts';
import { useCan } from '../../auth/session.tsx';
import { useUsage } from '../../data/hooks.ts';

/**
 * The departments the operations pages offer: every department for platform-wide readers (from /usage, which names
 * only what the caller may see), else the user's own. The first is chosen until the user picks another.
 */
export function useDepartmentChoice(): {
  departments: string[];
  tenant: string | undefined;
  setTenant: (t: string) => void;
} {
  const can = useCan();
  const usage = useUsage(0, can.readableDepartments === 'all');
  const departments = useMemo(
    () => (can.readableDepartments === 'all' ? usage.items.map((u) => u.tenant).sort() : [...can.readableDepartments]),
    [can.readableDepartments, usage.items],
  );
  const [picked, setTenant] = useState<string>();
  const tenant = picked && departments.includes(picked) ? picked : departments[0];
  return { departments, tenant, setTenant };
}

/** The month now in the city's time (UTC+8), as the server's default: YYYY-MM. */
export function currentMonth(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 7);
}

/**
 * Downloads a file from an API route with the session's token (a header, so the file is fetched, then saved) and
 * returns the file's name; an API refusal is thrown as an ApiError.
 */
export async function downloadWithToken(path: string, fallbackName: string): Promise<string> {
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok) throw await responseError(res);
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  return name;
}
