import { describe, expect, it } from 'vitest';
import { componentOverrideSchema } from '../../lambdas/domain/status-pages/component-status';
import { statusPageConfigSchema } from '../../lambdas/domain/status-pages/status-page-config';
import { statusUpdateSchema } from '../../lambdas/domain/status-pages/status-updates';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { parseInput } from '../../lambdas/domain/shared/validation';
import { rejectedFields } from '../support/rejected-fields';

const base = {
  teams: { devops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com' } },
  services: { athens: { team: 'devops' }, sparta: { team: 'devops' } },
};

const page = { title: 'Example status', visibility: 'public', components: [{ service: 'athens', name: 'Checkout', group: 'Shop' }, { service: 'sparta' }] };

const configProblems = (statusPages: unknown) => rejectedFields(() => parseInput(onCallConfigSchema, { ...base, statusPages }, 'config'));

describe('status page config', () => {
  it('is optional, and names a component by its service unless it has a name', () => {
    expect(onCallConfigSchema.parse(base).statusPages).toBeUndefined();
    const config = onCallConfigSchema.parse({ ...base, statusPages: { public: page } });
    expect(config.statusPages!.public).toEqual({
      title: 'Example status',
      visibility: 'public',
      timeZone: 'UTC',
      components: [{ service: 'athens', name: 'Checkout', group: 'Shop' }, { service: 'sparta', name: 'sparta' }],
    });
  });

  it('needs services that are defined, naming the component', () => {
    expect(configProblems({ public: { ...page, components: [{ service: 'athens' }, { service: 'thebes' }] } })).toEqual(['statusPages.public.components.1.service']);
  });

  it('takes page ids of lowercase letters, digits and dashes', () => {
    expect(configProblems({ 'status-2': page })).toEqual([]);
    expect(configProblems({ Public: page })).toEqual(['statusPages.Public']);
    expect(configProblems({ 'a b': page })).toEqual(['statusPages.a b']);
  });

  it('rejects what an operator can get wrong, naming the field', () => {
    const problems = (p: unknown) => rejectedFields(() => parseInput(statusPageConfigSchema, p, 'status page'));
    expect(problems({ ...page, visibility: 'internal' })).toEqual(['visibility']);
    expect(problems({ ...page, title: ' ' })).toEqual(['title']);
    expect(problems({ ...page, timeZone: 'Mars/Olympus' })).toEqual(['timeZone']);
    expect(problems({ ...page, components: [] })).toEqual(['components']);
    expect(problems({ ...page, components: [{ service: 'athens' }, { service: 'athens', name: 'Again' }] })).toEqual(['components.1.service']);
    expect(problems({ ...page, components: [{ service: 'athens', colour: 'red' }] })).toEqual(['components.0.colour']);
    expect(problems({ title: 'x', components: [{ service: 'athens' }] })).toEqual(['visibility']);
  });
});

describe('status updates', () => {
  const problems = (u: unknown) => rejectedFields(() => parseInput(statusUpdateSchema, u, 'status update'));

  it('take a status, text, and optionally an incident and components', () => {
    expect(statusUpdateSchema.parse({ status: 'identified', text: '  Failover\r\nin progress\u0007 ', incidentNumber: 100001, components: ['athens'] })).toEqual({
      status: 'identified',
      text: 'Failover\nin progress',
      incidentNumber: 100001,
      components: ['athens'],
    });
  });

  it('count text in characters, 1 to 2000', () => {
    expect(problems({ status: 'monitoring', text: '🙂'.repeat(2000) })).toEqual([]);
    expect(problems({ status: 'monitoring', text: 'a'.repeat(2001) })).toEqual(['text']);
    expect(problems({ status: 'monitoring', text: ' \n ' })).toEqual(['text']);
  });

  it('name each bad field', () => {
    expect(problems({ status: 'fixed', text: 'x', incidentNumber: 1.5, components: ['ok', 'not ok'], by: 'me' })).toEqual([
      'status',
      'incidentNumber',
      'components.1',
      'by',
    ]);
    expect(problems({})).toEqual(['status', 'text']);
  });
});

describe('component overrides', () => {
  it('take a status, an optional note and an end', () => {
    expect(componentOverrideSchema.safeParse({ status: 'major_outage', note: 'Payments by card fail', until: '2026-11-24T12:00:00Z' }).success).toBe(true);
    const fields = rejectedFields(() => parseInput(componentOverrideSchema, { status: 'down', until: 'tomorrow' }, 'override'));
    expect(fields).toEqual(['status', 'until']);
  });
});
