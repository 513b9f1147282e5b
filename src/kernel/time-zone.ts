/** Why `tz` is not an IANA time zone this runtime knows (e.g. Asia/Shanghai), or undefined if it is one. */
export function timeZoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `"${tz}" is not an IANA time zone; use a name such as Asia/Shanghai or UTC`;
  }
}
