import { useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { YamlProblem } from '../../yaml/yaml-problems.ts';
import { problemsFromCauses, syntaxProblems } from '../../yaml/yaml-problems.ts';

interface ApplyResult {
  readonly items: readonly { action: string; object: { kind: string; metadata: { name: string } } }[];
}

/**
 * Sends YAML to the department's apply route (`?dryRun=All` to validate), and turns a refusal into problems on the
 * lines of that YAML. Syntax problems are found locally first, as the text changes.
 */
export function useApplyYaml(tenant: string | undefined, text: string) {
  const [busy, setBusy] = useState<'dry' | 'apply' | undefined>();
  const [error, setError] = useState<ApiError>();
  const [serverProblems, setServerProblems] = useState<{ text: string; problems: YamlProblem[] }>();
  const syntax = useMemo(() => syntaxProblems(text), [text]);
  // The server's problems hold for the text they were found in; an edit clears them until the next check.
  const problems = syntax.length > 0 ? syntax : serverProblems?.text === text ? serverProblems.problems : [];

  const run = async (dryRun: boolean): Promise<string | undefined> => {
    if (!tenant) return undefined;
    if (syntax.length > 0) return undefined;
    setBusy(dryRun ? 'dry' : 'apply');
    setError(undefined);
    setServerProblems(undefined);
    try {
      const r = await api<ApplyResult>(paths.apply(tenant, dryRun), {
        method: 'POST',
        body: text,
        contentType: 'application/yaml',
      });
      return r.items.map((i) => `${i.object.kind}/${i.object.metadata.name} ${i.action}`).join(', ') || 'ok';
    } catch (e) {
      const err = e as ApiError;
      setError(err);
      setServerProblems({ text, problems: err.causes.length > 0 ? problemsFromCauses(text, err.causes) : [] });
      return undefined;
    } finally {
      setBusy(undefined);
    }
  };

  return {
    busy,
    error,
    problems,
    run,
    reset: () => {
      setError(undefined);
      setServerProblems(undefined);
    },
  };
}
