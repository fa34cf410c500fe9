import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../lambdas/domain/access/access';
import { rotateApiKey } from '../../lambdas/domain/access/key-rotation';
import type { ApiKeyStore, StoredApiKey } from '../../lambdas/domain/access/ports';
import { ConflictError, NotFoundError } from '../../lambdas/domain/shared/errors';

/** A store in memory; `replace` answers `replaced` (a concurrent change makes it false). */
function storeOf(keys: StoredApiKey[], replaced = true): ApiKeyStore & { readonly keys: StoredApiKey[] } {
  return {
    keys,
    list: async () => keys,
    replace: async (current, keyHash) => {
      if (!replaced) return false;
      keys.splice(keys.indexOf(current), 1, { ...current, keyHash });
      return true;
    },
  };
}

const nagios: StoredApiKey = { keyHash: hashApiKey('old-secret'), principal: { name: 'athens-nagios', role: 'integration', service: 'athens' } };

describe('rotating an API key', () => {
  it('stores the hash of a new generated secret in place of the old, and returns the secret once', async () => {
    const store = storeOf([nagios]);
    const { principal, secret } = await rotateApiKey(store, 'athens-nagios');
    expect(principal).toEqual(nagios.principal);
    expect(secret).toMatch(/^irk_[A-Za-z0-9_-]{43}$/);
    expect(store.keys).toEqual([{ keyHash: hashApiKey(secret), principal: nagios.principal }]);
  });

  it('names the stored keys when asked for another, and refuses a key changed meanwhile', async () => {
    await expect(rotateApiKey(storeOf([nagios]), 'nagios')).rejects.toMatchObject(
      new NotFoundError('no API key nagios', [{ field: 'name', problem: 'is not a stored key (the keys: athens-nagios)' }]),
    );
    await expect(rotateApiKey(storeOf([nagios], false), 'athens-nagios')).rejects.toBeInstanceOf(ConflictError);
  });
});
