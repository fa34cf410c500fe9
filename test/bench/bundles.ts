/**
 * The Lambda bundles as `cdk synth` builds them: each function's bundle size, and how long a fresh `node`
 * process takes to load it (the part of a cold start this code decides), beside a bare `node -e ''` start
 * measured in the same run. Run alone with `npm run bench:bundles` (or `npm run bench -- bundles`); `npm run
 * bench` runs it first, before the local runtime starts, and puts its figures in its own JSON.
 */
import { checkLine } from './measure';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** Fresh processes per measurement; the median is reported. */
/** An SMS pool, so that the synthesis builds every function, SMS replies included. */
const SMS_POOL_ARN = 'arn:aws:sms-voice:us-east-1:123456789012:pool/pool-bench';
const RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 9);

/** The functions whose bundles have floors, by the id the stack gives them, and the floors. */
export const BUNDLE_FLOORS = { kb: 400, importMs: 80, functions: ['incidentProcessor', 'incidentQuery', 'integrations'] } as const;

export interface BundleFigures {
  readonly functionId: string;
  /** The handler file Lambda loads (index.mjs or index.js). */
  readonly file: string;
  readonly bundleKb: number;
  /** Every file of the asset (the bundle and its source map), uncompressed. */
  readonly assetKb: number;
  /** Median wall time of `node <loader of the bundle>`, process start to exit. */
  readonly processMs: number;
  /** processMs less the bare start: what loading the bundle adds to a cold start. */
  readonly importMs: number;
  /** Median of the import timed inside the process (performance.now() around it). */
  readonly inProcessMs: number;
}

export interface BundleResults {
  readonly node: string;
  readonly runs: number;
  /** Median wall time of `node -e ''`. */
  readonly bareNodeMs: number;
  readonly bundles: readonly BundleFigures[];
  readonly checks: readonly { floor: string; ok: boolean; value: string }[];
}

type TemplateFunction = { Type: string; Metadata?: Record<string, unknown>; Properties: { Code: { S3Key: string }; Environment?: { Variables?: Record<string, unknown> } } };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall time of one fresh process, which must exit 0. */
function timedRun(args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { ms, stdout: run.stdout };
}

/**
 * The environment Lambda gives the function: its variables (references to other resources become
 * placeholders), NODE_OPTIONS included when the stack sets it, and a region.
 */
function lambdaEnvironment(fn: TemplateFunction): NodeJS.ProcessEnv {
  const variables = Object.entries(fn.Properties.Environment?.Variables ?? {}).map(([name, value]) => [name, typeof value === 'string' ? value : `placeholder-${name}`]);
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...Object.fromEntries(variables),
  };
}

/** Loads the bundle as the Lambda runtime does (import() for .mjs, require() for .js) and prints how long it took. */
const loaderScript = (file: string) =>
  file.endsWith('.mjs')
    ? `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`
    : `const t = performance.now(); require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;

const sizeKb = (path: string) => statSync(path).size / 1024;

/** Synthesises the app (with inbound mail, so that every function is built) and measures each bundle. */
export function benchBundles(): BundleResults {
  const outdir = mkdtempSync(join(tmpdir(), 'inresponse-bundles-'));
  try {
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-c', 'inboundDomain=oncall.bench.example.com', '-c', `smsOriginationIdentity=${SMS_POOL_ARN}`, '-o', outdir], {
      stdio: 'pipe',
      timeout: 180_000,
    });
    const template = JSON.parse(readFileSync(join(outdir, 'InResponse.template.json'), 'utf8')) as { Resources: Record<string, TemplateFunction> };
    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const bareEnv = { PATH: process.env.PATH };
    const bare: number[] = [];
    const samples = functions.map(() => ({ process: [] as number[], inProcess: [] as number[] }));
    const loaded = functions.map(([logicalId, fn]) => {
      const dir = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const file = ['index.mjs', 'index.js'].map((name) => join(dir, name)).find((path) => existsSync(path));
      if (!file) throw new Error(`no bundle in ${dir}`);
      return { functionId: functionIdOf(logicalId, fn), dir, file, env: lambdaEnvironment(fn) };
    });
    // Interleaved, so that a slower moment of the machine weighs on every figure alike.
    for (let run = 0; run < RUNS; run++) {
      bare.push(timedRun(['-e', ''], bareEnv).ms);
      loaded.forEach(({ file, env }, i) => {
        const args = file.endsWith('.mjs') ? ['--input-type=module', '-e', loaderScript(file)] : ['-e', loaderScript(file)];
        const { ms, stdout } = timedRun(args, env);
        samples[i]!.process.push(ms);
        samples[i]!.inProcess.push(Number(stdout));
      });
    }
    const bareNodeMs = median(bare);
    const bundles: BundleFigures[] = loaded.map(({ functionId, dir, file }, i) => ({
      functionId,
      file: file.slice(dir.length + 1),
      bundleKb: sizeKb(file),
      assetKb: readdirSync(dir).reduce((sum, name) => sum + sizeKb(join(dir, name)), 0),
      processMs: median(samples[i]!.process),
      importMs: median(samples[i]!.process) - bareNodeMs,
      inProcessMs: median(samples[i]!.inProcess),
    }));
    const checks = BUNDLE_FLOORS.functions.flatMap((functionId) => {
      const figures = bundles.find((b) => b.functionId === functionId);
      if (!figures) return [{ floor: `${functionId}: bundle built`, ok: false, value: 'missing' }];
      return [
        { floor: `${functionId} bundle <= ${BUNDLE_FLOORS.kb} KB`, ok: figures.bundleKb <= BUNDLE_FLOORS.kb, value: figures.bundleKb.toFixed(0) },
        { floor: `${functionId} cold import <= ${BUNDLE_FLOORS.importMs} ms`, ok: figures.importMs <= BUNDLE_FLOORS.importMs, value: figures.importMs.toFixed(1) },
      ];
    });
    return { node: process.version, runs: RUNS, bareNodeMs, bundles, checks };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The function's construct id, from its construct path (`InResponse/IncidentApi/incidentProcessor/Resource`). */
function functionIdOf(logicalId: string, fn: TemplateFunction): string {
  const path = fn.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? (path.split('/').at(-2) ?? logicalId) : logicalId;
}

/** The table of {@link BundleResults}, as lines. */
export function bundleLines(results: BundleResults): string[] {
  const row = (cells: string[]) => cells[0]!.padEnd(20) + cells.slice(1).map((c, i) => c.padStart(i === 0 ? 11 : 12)).join('');
  return [
    `Lambda bundles (cdk synth), load time in a fresh node ${results.node} process, median of ${results.runs} runs; bare \`node -e ''\`: ${results.bareNodeMs.toFixed(1)} ms`,
    '',
    row(['function', 'file', 'bundle KB', 'asset KB', 'process ms', 'import ms', 'in-proc ms']),
    ...results.bundles.map((b) =>
      row([b.functionId, b.file, b.bundleKb.toFixed(0), b.assetKb.toFixed(0), b.processMs.toFixed(1), b.importMs.toFixed(1), b.inProcessMs.toFixed(1)]),
    ),
    '  import ms = process ms - bare node start; in-proc ms = the import timed inside the process',
    '',
    ...results.checks.map(checkLine),
    '',
  ];
}

/** Writes the results as JSON under bench/results/ and returns the file name. */
export function writeBundleResults(results: BundleResults, at: string): string {
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/bundles-${at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ at, ...results }, null, 2)}\n`);
  return file;
}

/** `npm run bench:bundles`: the bundle figures alone, printed and written to bench/results/bundles-*.json. */
export function runBundleBench(): void {
  process.stdout.write('synthesising and loading the bundles...\n');
  const results = benchBundles();
  process.stdout.write(['', ...bundleLines(results)].join('\n'));
  process.stdout.write(`written to ${writeBundleResults(results, new Date().toISOString())}\n`);
  if (results.checks.some((c) => !c.ok)) process.exitCode = 1;
}
