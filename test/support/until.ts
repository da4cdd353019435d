/** Taken at import, before any test fakes timers: waiting must not depend on a faked clock. */
const realSetTimeout = globalThis.setTimeout;

/**
 * Resolves once `condition()` holds, looking again every few milliseconds. There is no deadline
 * of its own: however slow the machine, only the test's timeout ends the wait.
 */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => realSetTimeout(resolve, 5));
}
