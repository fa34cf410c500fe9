import { API_KEY_HEADER } from '../../lambdas/domain/access/access';
import { CliError } from '../cli-errors';
import type { Target } from './target';

/** The API's error body: `{ error, message, details: [{ field, problem }] }`. */
interface ApiErrorBody {
  readonly error?: string;
  readonly message?: string;
  readonly details?: readonly { readonly field: string; readonly problem: string }[];
}

/**
 * The incident API as an operator's responder key sees it: the API stays the source of truth, so the CLI reads
 * and acts through it, with the checks and the timeline entries of any other client. A refused request becomes
 * a {@link CliError} quoting the API's message and fields.
 */
export class ApiClient {
  private readonly key: string;

  constructor(
    private readonly baseUrl: string,
    key: string | undefined,
  ) {
    if (!key) {
      throw new CliError('no API key to call the API with', {
        fix: 'set INRESPONSE_API_KEY to a responder key (locally, npm start writes one as RESPONDER_KEY in .local/env)',
      });
    }
    this.key = key;
  }

  static of(target: Target): ApiClient {
    return new ApiClient(target.apiUrl, target.apiKey);
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { [API_KEY_HEADER]: this.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new CliError(`cannot reach the API at ${this.baseUrl}: ${(error as Error).cause ?? (error as Error).message}`, {
        cause: error,
        fix: 'locally, is npm start running? In AWS, check the stack and your network',
      });
    }
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    const refusal = parseError(text);
    throw new CliError(`${method} ${path}: ${response.status} ${refusal.error ?? ''} ${refusal.message ?? text}`.replace(/\s+/g, ' ').trim(), {
      details: (refusal.details ?? []).map((d) => `${d.field}: ${d.problem}`),
      ...(response.status === 401 ? { fix: 'the key is unknown: set INRESPONSE_API_KEY to a current responder key' } : {}),
    });
  }
}

function parseError(text: string): ApiErrorBody {
  try {
    return JSON.parse(text) as ApiErrorBody;
  } catch {
    return {};
  }
}
