import { describe, expect, it } from 'vitest';
import { localKms } from '../../vault/kms.js';
import { vaultKeyring } from './vault-keys.js';

const OLD = Buffer.alloc(32, 1).toString('base64');
const NEW = Buffer.alloc(32, 2).toString('base64');
const SECRETS = Buffer.alloc(32, 3).toString('base64');

describe('the Worker vault keyring', () => {
  it('is VAULT_KEK, newest first, so a key wrapped before a rotation still opens after it', async () => {
    const keyring = vaultKeyring({ VAULT_KEK: ` ${NEW} , ${OLD} `, SECRETS_KEY: SECRETS });
    expect(keyring).toEqual([NEW, OLD]);
    const dataKey = new Uint8Array(32).fill(7);
    const wrapped = await localKms([OLD]).wrap(dataKey, 'payment_method:mer_1:pm_1');
    expect(await localKms(keyring).unwrap(wrapped, 'payment_method:mer_1:pm_1')).toEqual(dataKey);
    expect(await localKms(keyring).currentKeyId()).toBe(await localKms([NEW]).currentKeyId());
  });

  it('falls back to SECRETS_KEY when VAULT_KEK is unset or blank, as the Node server does', () => {
    expect(vaultKeyring({ SECRETS_KEY: SECRETS })).toEqual([SECRETS]);
    expect(vaultKeyring({ VAULT_KEK: '  ', SECRETS_KEY: SECRETS })).toEqual([SECRETS]);
  });
});
