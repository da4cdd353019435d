import type { Capabilities } from '../../adapters/testkit/contract.js';

/** An account's own settings narrow what its provider can do (a regional account takes fewer currencies). */
export function accountCapabilities(
  capabilities: Capabilities,
  settings: { currencies?: string[]; countries?: string[] },
): Capabilities {
  const narrow = (all: readonly string[] | '*', only: string[] | undefined) =>
    only === undefined ? all : all === '*' ? only : all.filter((c) => only.includes(c));
  return {
    ...capabilities,
    currencies: narrow(capabilities.currencies, settings.currencies),
    countries: narrow(capabilities.countries, settings.countries),
  };
}
