import { generateApiKey, hashApiKey, type Principal } from './access';
import type { ApiKeyStore } from './ports';
import { ConflictError, NotFoundError } from '../shared/errors';

/**
 * Gives the API key `name` a new generated secret: its hash replaces the old one, so the new secret works at
 * once and the old stops (within the functions' cache time). The secret is returned, to be shown once; only
 * its hash is stored.
 */
export async function rotateApiKey(store: ApiKeyStore, name: string): Promise<{ readonly principal: Principal; readonly secret: string }> {
  const keys = await store.list();
  const current = keys.find((key) => key.principal.name === name);
  if (!current) {
    const names = keys.map((key) => key.principal.name).sort();
    throw new NotFoundError(`no API key ${name}`, [{ field: 'name', problem: `is not a stored key (the keys: ${names.join(', ') || 'none'})` }]);
  }
  const secret = generateApiKey();
  if (!(await store.replace(current, hashApiKey(secret)))) {
    throw new ConflictError(`API key ${name} changed while it was being rotated`, [{ field: 'name', problem: 'was changed meanwhile: rotate it again' }]);
  }
  return { principal: current.principal, secret };
}
