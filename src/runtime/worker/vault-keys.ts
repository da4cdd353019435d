/**
 * The vault's key-encryption keyring on the Worker: the `VAULT_KEK` secret (32 bytes base64, or a
 * comma-separated keyring, newest first, during a rotation), else `SECRETS_KEY`, as the Node
 * server falls back to its secrets key. The same keyring must be on every runtime that reads the
 * vault, or cards saved by one cannot be opened by the other.
 */
export function vaultKeyring(env: { VAULT_KEK?: string | undefined; SECRETS_KEY: string }): string[] {
  const source = env.VAULT_KEK?.trim() ? env.VAULT_KEK : env.SECRETS_KEY;
  return source.split(',').map((key) => key.trim()).filter((key) => key !== '');
}
