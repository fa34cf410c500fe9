import { describe, expect, it } from 'vitest';
import { encodeCursor, incidentActionSchema, incidentEventSchema, incidentListQuerySchema } from '../../lambdas/domain/incident/incident-input';
import type { ValidationError } from '../../lambdas/domain/shared/errors';
import { parseInput } from '../../lambdas/domain/shared/validation';
import { rejectedFields } from '../support/rejected-fields';


describe('incident input', () => {
  it('says a missing field "is required" and an unknown one "is not a known field"', () => {
    try {
      parseInput(incidentEventSchema, { severity: 'WARN', colour: 'red' }, 'body');
      expect.unreachable();
    } catch (error) {
      const details = (error as ValidationError).details;
      expect(details).toContainEqual({ field: 'service', problem: 'is required' });
      expect(details).toContainEqual({ field: 'colour', problem: 'is not a known field' });
    }
  });

  it('trims the title and message', () => {
    const event = incidentEventSchema.parse({
      service: 'athens',
      severity: 'WARN',
      title: ' t ',
      message: ' m ',
      detectedAt: '2026-11-24T10:00:00Z',
    });
    expect([event.title, event.message]).toEqual(['t', 'm']);
  });

  it('requires a note for a comment only', () => {
    expect(rejectedFields(() => parseInput(incidentActionSchema, { action: 'claim', by: 's' }, 'body'))).toEqual([]);
    expect(rejectedFields(() => parseInput(incidentActionSchema, { action: 'comment', by: 's' }, 'body'))).toEqual(['note']);
  });

  it('round-trips a cursor and defaults the page size', () => {
    expect(incidentListQuerySchema.parse({ cursor: encodeCursor(100042) })).toEqual({ cursor: 100042, limit: 25 });
    expect(rejectedFields(() => parseInput(incidentListQuerySchema, { cursor: encodeCursor(0) }, 'query'))).toEqual(['cursor']);
    expect(rejectedFields(() => parseInput(incidentListQuerySchema, { limit: '0' }, 'query'))).toEqual(['limit']);
  });
});
