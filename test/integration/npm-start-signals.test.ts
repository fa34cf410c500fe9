import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/time';

/** `npm start` as a user runs it, in a process group of its own, on free ports and a data folder of its own. */
interface StartedRun {
  readonly npm: ChildProcess;
  /** Every port the run printed that it listens on. */
  readonly ports: readonly number[];
  readonly exited: Promise<void>;
}

const runs: { npm: ChildProcess; dataDir: string }[] = [];

async function npmStart(): Promise<StartedRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inresponse-start-'));
  const npm = spawn('npm', ['start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INRESPONSE_DATA_DIR: dataDir, INRESPONSE_PORT: '0', INRESPONSE_SES_PORT: '0', INRESPONSE_SMTP_PORT: '0', INRESPONSE_OUTBOX_PORT: '0', INRESPONSE_SLACK_PORT: '0', INRESPONSE_WEBHOOK_PORT: '0' },
  });
  runs.push({ npm, dataDir });
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  npm.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually('npm start to say it is running', async () => output.includes('Ctrl-C stops everything'), 60_000);
  const ports = [...output.matchAll(/(?:127\.0\.0\.1|localhost):(\d+)/g)].map((m) => Number(m[1]));
  return { npm, ports: [...new Set(ports)], exited };
}

/** The processes of a process group, as `ps` lists them. */
function processesOfGroup(groupId: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '-g', String(groupId)], { encoding: 'utf8' }).split('\n').filter((line) => line.trim());
  } catch {
    return []; // ps exits 1 when the group has no process left
  }
}

const isListening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(!socket.destroy()));
    socket.once('error', () => resolve(false));
  });

async function expectNothingLeft(run: StartedRun): Promise<void> {
  await eventually('every process of the run to end', async () => processesOfGroup(run.npm.pid!).length === 0, 20_000);
  for (const port of run.ports) expect(await isListening(port), `port ${port}`).toBe(false);
}

afterEach(() => {
  for (const { npm, dataDir } of runs.splice(0)) {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // the group has already ended
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Each run starts a whole system (DynamoDB Local's JVM first): well above the usual test time. */
const RUN_TIMEOUT_MS = 120_000;

describe('npm start, stopped from outside', () => {
  it('stops every process and frees every port on SIGTERM to the npm process alone (as timeout, systemd and containers send)', async () => {
    const run = await npmStart();
    expect(run.ports.length).toBeGreaterThanOrEqual(5);
    expect(processesOfGroup(run.npm.pid!).some((line) => line.includes('java'))).toBe(true);
    run.npm.kill('SIGTERM');
    await run.exited;
    await expectNothingLeft(run);
  }, RUN_TIMEOUT_MS);

  it('stops every process and frees every port on SIGHUP to its process group (the terminal closed)', async () => {
    const run = await npmStart();
    process.kill(-run.npm.pid!, 'SIGHUP');
    await run.exited;
    await expectNothingLeft(run);
  }, RUN_TIMEOUT_MS);

  it('leaves no DynamoDB Local behind when the runtime itself is killed with SIGKILL', async () => {
    const run = await npmStart();
    const runtime = processesOfGroup(run.npm.pid!).find((line) => line.includes('bin/local.ts'));
    expect(runtime).toBeDefined();
    process.kill(Number(runtime!.trim().split(/\s+/)[0]), 'SIGKILL');
    await run.exited;
    await expectNothingLeft(run);
  }, RUN_TIMEOUT_MS);
});
