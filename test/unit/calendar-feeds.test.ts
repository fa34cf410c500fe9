import { describe, expect, it } from 'vitest';
import { calendarFeedPathSchema } from '../../lambdas/domain/oncall/calendar-feeds';

describe('calendar feed ids in paths', () => {
  it('take every id a feed can be given, those starting with - or _ included, and refuse others', () => {
    for (const id of ['-abcdefghijklmno', '_abcdefghijklmno', 'Zx9-Q_a1b2c3d4e5']) {
      expect(calendarFeedPathSchema.safeParse({ id }).success).toBe(true);
    }
    for (const id of ['short', 'abcdefghijklmnop.ics', '../abcdefghijklm']) expect(calendarFeedPathSchema.safeParse({ id }).success).toBe(false);
  });
});
