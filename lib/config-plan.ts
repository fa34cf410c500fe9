import type { PlannedChange } from '../lambdas/adapters/dynamo-config-writer';

const SIGN: Readonly<Record<PlannedChange['action'], string>> = { add: '+', change: '~', remove: '-' };

/** The lines of a config plan, one change a line: `+ person kenji`, `~ schedule devops/primary (layer weekly changed)`. */
export function planLines(plan: readonly PlannedChange[]): string[] {
  if (plan.length === 0) return ['no changes'];
  return plan.map((change) => `${SIGN[change.action]} ${change.what}${change.detail ? ` (${change.detail})` : ''}`);
}
