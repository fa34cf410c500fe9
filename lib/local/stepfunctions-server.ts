import './promise-with-resolvers';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ExecutionAbortedError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { LOCAL_AWS } from './local-aws';
import { closeServer, createGuardedServer, DEFAULT_SERVER_LIMITS, listenOn, readBoundedBody, type ServerLimits } from './server-guard';

/** A local function standing in for a Task state's Lambda: gets the state input, returns its result. */
export type TaskHandler = (input: never) => Promise<unknown>;

export interface LocalStateMachine {
  readonly name: string;
  readonly definition: StateMachineDefinition;
  /** Bound by state name, as the interpreter binds them. */
  readonly taskHandlers?: Readonly<Record<string, TaskHandler>>;
  /** Milliseconds that Wait states of these names take instead of their own (a benchmark's virtual time). */
  readonly waitTimeOverrides?: Readonly<Record<string, number>>;
}

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** The states entered so far, in order, with their types: what GetExecutionHistory reports. */
  readonly entered: { name: string; type: string; at: Date }[];
  abort(): void;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface StatesDefinition {
  readonly States: Record<string, { readonly Type: string; readonly ItemProcessor?: StatesDefinition; readonly Iterator?: StatesDefinition }>;
}

/** Every state by name, those of Map item processors included: their transitions count like the others. */
function statesOf(definition: StatesDefinition): Record<string, { readonly Type: string }> {
  return Object.assign(
    {},
    definition.States,
    ...Object.values(definition.States).map((state) => {
      const inner = state.ItemProcessor ?? state.Iterator;
      return inner ? statesOf(inner) : {};
    }),
  );
}

const ACCOUNT = '000000000000';
/** Step Functions takes inputs up to 256 KB; a request a little larger than that is refused unread. */
const MAX_REQUEST_BYTES = 1024 * 1024;
export const stateMachineArn = (name: string) => `arn:aws:states:${LOCAL_AWS.region}:${ACCOUNT}:stateMachine:${name}`;
const executionArn = (machine: string, name: string) => `arn:aws:states:${LOCAL_AWS.region}:${ACCOUNT}:execution:${machine}:${name}`;

/** Epoch seconds, as the AWS JSON protocol carries timestamps. */
const epochSeconds = (date: Date) => date.getTime() / 1000;

/**
 * The Step Functions API (AWS JSON 1.0: StartExecution, StopExecution, DescribeExecution, ListExecutions,
 * GetExecutionHistory with the StateEntered events)
 * in front of the in-process ASL interpreter, so that the unchanged `@aws-sdk/client-sfn` adapter drives
 * the same ASL file locally. Executions live in memory: the local runtime resumes escalations after a restart.
 */
export class StepFunctionsServer {
  private readonly machines = new Map<string, { machine: StateMachine; config: LocalStateMachine }>();
  private readonly executions = new Map<string, Execution>();
  private tasksInFlight = 0;
  private server: Server | undefined;

  constructor(machines: readonly LocalStateMachine[]) {
    for (const config of machines) {
      this.machines.set(stateMachineArn(config.name), { machine: new StateMachine(config.definition), config });
    }
  }

  async listen(port = 0, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Promise<string> {
    const server = createGuardedServer(limits, (req, res) => this.handle(req, res));
    this.server = server;
    return listenOn(server, port);
  }

  /** Stops the server and aborts every running execution. */
  async close(): Promise<void> {
    for (const execution of this.executions.values()) if (execution.status === 'RUNNING') execution.abort();
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBoundedBody(req, MAX_REQUEST_BYTES);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    let status = 200;
    let body: unknown;
    try {
      if (raw === 'too large') throw new ApiError('ValidationException', `request above ${MAX_REQUEST_BYTES} bytes`);
      const request = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      body = this.dispatch(operation, request);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('InvalidParameterValue', (error as Error).message);
      status = 400;
      body = { __type: apiError.type, message: apiError.message };
      res.setHeader('x-amzn-errortype', apiError.type);
    }
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  }

  private dispatch(operation: string, request: Record<string, unknown>): unknown {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(String(request.stateMachineArn), String(request.name), String(request.input ?? '{}'));
      case 'DescribeExecution':
        return describe(this.execution(String(request.executionArn)));
      case 'StopExecution': {
        const execution = this.execution(String(request.executionArn));
        if (execution.status === 'RUNNING') execution.abort();
        return { stopDate: epochSeconds(execution.stopDate ?? new Date()) };
      }
      case 'GetExecutionHistory': {
        const execution = this.execution(String(request.executionArn));
        // The StateEntered events only: one per state transition, as Step Functions counts them.
        return {
          events: execution.entered.map((state, i) => ({
            id: i + 1,
            timestamp: epochSeconds(state.at),
            type: `${state.type}StateEntered`,
            stateEnteredEventDetails: { name: state.name },
          })),
        };
      }
      case 'ListExecutions': {
        const executions = [...this.executions.values()].filter(
          (e) => e.stateMachineArn === request.stateMachineArn && (!request.statusFilter || e.status === request.statusFilter),
        );
        return { executions: executions.map((e) => ({ ...describe(e), input: undefined, output: undefined })) };
      }
      default:
        throw new ApiError('UnknownOperationException', `operation ${operation} is not emulated`);
    }
  }

  private startExecution(machineArn: string, name: string, input: string) {
    const entry = this.machines.get(machineArn);
    if (!entry) throw new ApiError('StateMachineDoesNotExist', `state machine ${machineArn} does not exist`);
    const arn = executionArn(entry.config.name, name);
    const existing = this.executions.get(arn);
    // As in AWS: the same name and input while running is the same execution; anything else is refused.
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: epochSeconds(existing.startDate) };
      throw new ApiError('ExecutionAlreadyExists', `execution ${name} already exists`);
    }
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new ApiError('InvalidExecutionInput', 'input is not valid JSON');
    }
    const startDate = new Date();
    const run = entry.machine.run(parsedInput as never, {
      overrides: { taskResourceLocalHandlers: this.taskHandlersOf(entry.config) as never, ...(entry.config.waitTimeOverrides ? { waitTimeOverrides: entry.config.waitTimeOverrides } : {}) },
      context: { Execution: { Id: arn, Name: name, Input: parsedInput, StartTime: startDate.toISOString() } } as never,
    });
    const execution: Execution = {
      executionArn: arn,
      stateMachineArn: machineArn,
      name,
      input,
      startDate,
      status: 'RUNNING',
      entered: [],
      abort: () => run.abort(),
    };
    this.executions.set(arn, execution);
    const states = statesOf(entry.config.definition as StatesDefinition);
    void (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === 'StateEntered') {
          execution.entered.push({ name: event.state.name, type: states[event.state.name]?.Type ?? 'Unknown', at: new Date() });
        }
      }
    })().catch(() => undefined);
    run.result.then(
      (output) => finish(execution, 'SUCCEEDED', { output: JSON.stringify(output) }),
      (error: Error) =>
        error instanceof ExecutionAbortedError
          ? finish(execution, 'ABORTED', {})
          : finish(execution, 'FAILED', { error: error.name, cause: error.message }),
    );
    return { executionArn: arn, startDate: epochSeconds(startDate) };
  }

  /** How many task handlers (Lambda invocations) run now: a test on a virtual clock moves it only when none does. */
  get runningTasks(): number {
    return this.tasksInFlight;
  }

  /**
   * The task handlers, their failures marked as handled: after an abort (StopExecution, or the server
   * closing) the interpreter no longer awaits a task still running, whose later failure is nobody's.
   */
  private taskHandlersOf(config: LocalStateMachine): Record<string, TaskHandler> {
    return Object.fromEntries(
      Object.entries(config.taskHandlers ?? {}).map(([state, handler]) => [
        state,
        (input: never) => {
          this.tasksInFlight++;
          const result = handler(input).finally(() => this.tasksInFlight--);
          result.catch(() => undefined);
          return result;
        },
      ]),
    );
  }

  private execution(arn: string): Execution {
    const execution = this.executions.get(arn);
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `execution ${arn} does not exist`);
    return execution;
  }
}

function finish(execution: Execution, status: ExecutionStatus, result: Pick<Execution, 'output' | 'error' | 'cause'>): void {
  Object.assign(execution, result, { status, stopDate: new Date() });
}

function describe(e: Execution) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: epochSeconds(e.startDate),
    input: e.input,
    ...(e.stopDate ? { stopDate: epochSeconds(e.stopDate) } : {}),
    ...(e.output === undefined ? {} : { output: e.output }),
    ...(e.error === undefined ? {} : { error: e.error, cause: e.cause }),
  };
}
