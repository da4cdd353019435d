/** A well-formed test key that reads as its name: `sk_test_` and the name padded to 32 characters with zeros. */
export function fixedKey(name: string): string {
  if (!/^[0-9A-Za-z]{1,32}$/.test(name)) throw new Error(`fixedKey needs 1 to 32 letters or digits, got ${name}`);
  return `sk_test_${name.padEnd(32, '0')}`;
}
