import type { SnsHttps } from '../domain/integrations/cloudwatch-alarms';

const TIMEOUT_MS = 5000;

/** SNS's endpoints over HTTPS with fetch; certificates are kept per instance, as SNS rotates them rarely. */
export class FetchSnsHttps implements SnsHttps {
  private readonly certificates = new Map<string, Promise<string>>();

  certificate(url: string): Promise<string> {
    let pem = this.certificates.get(url);
    if (!pem) {
      pem = get(url).then((res) => res.text());
      pem.catch(() => this.certificates.delete(url));
      this.certificates.set(url, pem);
    }
    return pem;
  }

  async confirmSubscription(url: string): Promise<void> {
    await get(url);
  }
}

async function get(url: string): Promise<Response> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  if (!res.ok) throw new Error(`GET ${new URL(url).host} answered ${res.status}`);
  return res;
}
