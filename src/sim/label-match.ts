/** Whether every label in `want` is on `labels` with the same value (the equality-based selector polis uses). */
export function labelsMatch(
  labels: Readonly<Record<string, string>> | undefined,
  want: Readonly<Record<string, string>>,
): boolean {
  for (const k in want) if (labels?.[k] !== want[k]) return false;
  return true;
}
