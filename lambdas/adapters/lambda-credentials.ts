import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The credential provider every bundled SDK client gets in place of the SDK's default chain (esbuild aliases
 * `@aws-sdk/credential-provider-node` to this module): Lambda always hands a function its role's credentials in
 * the environment, so the chain's other sources (ini files, SSO, web identity, IMDS, and the STS and SSO
 * clients they bring) never serve a function, yet made up a quarter of each bundle (~135 KB).
 */
export const defaultProvider = (init?: FromEnvInit) => fromEnv(init);
