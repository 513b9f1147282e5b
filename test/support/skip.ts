/**
 * The title of a suite or test that may be skipped, carrying the reason when it is, so the reporters (the JSON
 * report too) say why; the reason also goes to standard error once, which vitest prints under the file's name.
 * `missing` is what this machine lacks (false or undefined: nothing, the title stays as it is).
 */
export function skipTitle(title: string, missing: string | false | undefined): string {
  if (!missing) return title;
  console.warn(`SKIPPED: ${title}: ${missing}`);
  return `${title} (SKIPPED: ${missing})`;
}
