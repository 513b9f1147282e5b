/** Waits, polling every `everyMs`, until `check` holds; throws naming `what` after `limitMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  limitMs = 90_000,
  everyMs = 200,
): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > end) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
