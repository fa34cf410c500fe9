import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../lib/local/local-aws';
import { startLocalRuntime } from '../../lib/local/runtime';
import { StepFunctionsServer, stateMachineArn } from '../../lib/local/stepfunctions-server';
import { TEST_CONFIG, validEvent, withoutEscalation } from '../support/fixtures';
import { requestJson, startTestSystem } from '../support/harness';
import { sentEmails } from '../support/mailbox';
import { eventually } from '../support/time';
import { clearStore } from 'aws-ses-v2-local/dist/store.js';
import { DynamoIncidentRepository } from '../../lambdas/adapters/dynamo-incident-repository';
import { createLogger, documentClient, incidentUseCaseDeps } from '../../lambdas/composition';
import { openIncident } from '../../lambdas/domain/incident/incident';
import { createHandler as createSweeper } from '../../lambdas/handlers/escalation-sweeper';

describe('local runtime restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'inresponse-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finds its incidents, keys, counter and sent mail again after a stop and a start', async () => {
    const secrets = new Map<string, string>();
    const options = { dataDir, sentMailFile: join(dataDir, 'sent-mail.jsonl'), config: TEST_CONFIG, secrets };
    const first = await startLocalRuntime(options);
    const key = secrets.get('athens-nagios')!;
    const created = await requestJson(first.apiUrl, 'PUT', '/incidents', { key, body: validEvent() });
    expect(created.status).toBe(201);
    const page = await eventually('the first page', async () =>
      (await sentEmails(first.sesUrl)).find((email) => email.subject.includes(`#${created.body.number}`)),
    );
    await first.stop();
    // The emulator's store is per process: empty it as a new `npm start` process would find it.
    clearStore();

    const second = await startLocalRuntime(options);
    try {
      expect((await sentEmails(second.sesUrl)).map((email) => email.messageId)).toContain(page.messageId);
      expect(second.applied).toMatchObject({ written: 0, deleted: 0 });
      const found = await requestJson(second.apiUrl, 'GET', `/incidents/${created.body.number}`, { key: secrets.get('responders')! });
      expect(withoutEscalation(found.body)).toEqual(withoutEscalation(created.body));
      const repeated = await requestJson(second.apiUrl, 'PUT', '/incidents', { key, body: validEvent() });
      expect(repeated).toMatchObject({ status: 200, body: { number: created.body.number, occurrences: 2 } });
      const next = await requestJson(second.apiUrl, 'PUT', '/incidents', { key, body: validEvent({ title: 'another' }) });
      expect(next.body.number).toBe(created.body.number + 1);
    } finally {
      await second.stop();
    }
  }, 90_000); // two whole starts, each with its own DynamoDB Local
});

describe('the escalation sweeper', () => {
  it('starts the escalation of an OPEN incident that never got one, once however often it runs', async () => {
    const system = await startTestSystem();
    try {
      const repository = new DynamoIncidentRepository(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables);
      // As a processor that died between storing the incident and starting its escalation leaves it.
      await repository.create(openIncident({ ...validEvent(), severity: 'CRIT' }, 770001, 'devops', 'test', new Date()), 'sweep#lock');
      const sweep = createSweeper({ useCases: incidentUseCaseDeps(system.runtime.clients, system.runtime.deployment), logger: createLogger('test') });
      expect((await sweep()).open).toBe(1);
      await sweep();
      const { executions } = await system.runtime.clients.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: system.runtime.deployment.escalationStateMachineArn }),
      );
      expect(executions!.map((e) => e.name)).toEqual(['incident-770001']);
      await eventually('its first step to finish', async () => {
        const progress = (await repository.get(770001))?.escalation?.progress;
        return progress !== undefined && (progress.done || progress.level === 1);
      });
    } finally {
      await system.stop();
    }
  });
});

describe('Step Functions API server', () => {
  const waiting = {
    StartAt: 'Wait',
    States: { Wait: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: { Type: 'Succeed' } },
  } as const;
  const instant = { StartAt: 'Done', States: { Done: { Type: 'Pass', Result: { ok: true }, End: true } } } as const;
  const server = new StepFunctionsServer([
    { name: 'waiting', definition: waiting },
    { name: 'instant', definition: instant },
  ]);
  let sfn: SFNClient;
  afterAll(async () => {
    sfn.destroy();
    await server.close();
  });

  it('speaks the AWS JSON protocol to the unchanged SDK client', async () => {
    sfn = new SFNClient({ ...LOCAL_AWS, endpoint: await server.listen() });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn('instant'), name: 'a', input: '{"n":1}' }));
    await expect.poll(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(JSON.parse(described.output!)).toEqual({ ok: true });
    expect(described.startDate).toBeInstanceOf(Date);
  });

  it('is idempotent by name as AWS is: same input while running is the same execution, other input is refused', async () => {
    const request = { stateMachineArn: stateMachineArn('waiting'), name: 'incident-1', input: '{"incidentId":1}' };
    const first = await sfn.send(new StartExecutionCommand(request));
    const again = await sfn.send(new StartExecutionCommand(request));
    expect(again.executionArn).toBe(first.executionArn);
    await expect(sfn.send(new StartExecutionCommand({ ...request, input: '{"incidentId":2}' }))).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachineArn('waiting') }));
    expect(executions).toHaveLength(1);
  });

  it('stops a waiting execution', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn('waiting'), name: 'to-stop', input: '{}' }),
    );
    await sfn.send(new StopExecutionCommand({ executionArn }));
    await expect.poll(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
  });

  it('answers an unknown machine with StateMachineDoesNotExist', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn('nosuch'), name: 'x', input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
