/** The CDK app: `npm run synth` (offline) or `npx cdk deploy`. */
import { App } from 'aws-cdk-lib';
import { InResponseStack } from '../lib/inresponse-stack';

const app = new App();
new InResponseStack(app, 'InResponse', {
  tablePrefix: app.node.getContext('tablePrefix') as string,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
