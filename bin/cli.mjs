#!/usr/bin/env node
// The `inresponse` command of package.json's "bin": runs bin/cli.ts through tsx, as the npm scripts do,
// resolving tsx from this repository wherever it is called from.
import { register } from 'tsx/esm/api';

// The SDK's notice that its later releases need Node 22 is known (see the README); keep it off operators' screens.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('./cli.ts');
