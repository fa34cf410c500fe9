import { Duration } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Distribution, Function as CloudFrontFunction, FunctionCode, FunctionEventType, FunctionRuntime, HttpVersion, PriceClass, SecurityPolicyProtocol, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { MAINTENANCE_INDEX, TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { readStatusPageRenderDefinition, type StatusPageRenderSubstitutions } from '../status-page-render-definition';
import { grantStatusPageRenders, statusPageRenderStateMachineName, workflowEnvironment } from './grants';
import { inResponseFunction } from './inresponse-function';
import { inResponseStateMachine } from './state-machine';

/** A custom domain for the pages: its name, and an ACM certificate for it in us-east-1 (CloudFront's). */
export interface StatusPagesDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

export interface StatusPagesProps {
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly escalation: StateMachine;
  readonly announcement: StateMachine;
  readonly domain?: StatusPagesDomain;
}

/**
 * CloudFront's viewer-request function: a page's folder (`/<page>/`) or its bare path (`/<page>`) is its
 * `index.html`, as the local gateway maps them (`staticKeyOf`). CloudFront's default root object covers `/` only.
 */
const INDEX_REWRITE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) request.uri = uri + 'index.html';
  else if (!/\\.[^/]*$/.test(uri)) request.uri = uri + '/index.html';
  return request;
}`;

/**
 * Status pages: a private bucket of rendered pages, served by CloudFront through Origin Access Control (a
 * page stays up whatever happens to the tables and functions), the render state machine, and the renderer it
 * invokes, which may read what a page shows and write under the bucket, and nothing more.
 */
export class StatusPages extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly renderer: NodejsFunction;
  readonly stateMachine: StateMachine;
  /** Where the pages are served: `<url>/<page>/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, { tables, escalation, announcement, domain }: StatusPagesProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Pages', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      { id: 'AwsSolutions-S1', reason: 'The bucket holds rendered pages only, written by the renderer alone (its role is the one writer); reads come through CloudFront.' },
    ]);
    this.distribution = new Distribution(this, 'Cdn', {
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        functionAssociations: [
          { eventType: FunctionEventType.VIEWER_REQUEST, function: new CloudFrontFunction(this, 'IndexRewrite', { code: FunctionCode.fromInline(INDEX_REWRITE), runtime: FunctionRuntime.JS_2_0 }) },
        ],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      ...(domain ? { domainNames: [domain.domainName], certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn) } : {}),
    });
    NagSuppressions.addResourceSuppressions(this.distribution, [
      { id: 'AwsSolutions-CFR1', reason: 'Status pages are for readers anywhere: no geographic restriction.' },
      { id: 'AwsSolutions-CFR2', reason: 'Static pages from a private bucket, no origin to protect: a WAF is the operator\'s choice, and costs more than the pages.' },
      { id: 'AwsSolutions-CFR3', reason: 'Access logs of public pages are not needed to run them; CloudFront\'s metrics show the traffic.' },
      ...(domain ? [] : [{ id: 'AwsSolutions-CFR4', reason: 'Without a custom domain, CloudFront\'s default certificate serves the *.cloudfront.net name, which allows no minimum TLS version to be set.' }]),
    ]);
    this.url = `https://${domain?.domainName ?? this.distribution.distributionDomainName}`;

    this.renderer = inResponseFunction(this, 'statusPageRenderer', {
      entry: 'lambdas/handlers/status-page-renderer.ts',
      // A page of 100 components reads 90 days of incidents; the state machine's task timeout (60 s) is above it.
      timeout: Duration.seconds(30),
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        ...workflowEnvironment(escalation, announcement),
        [ENV.statusPageBucket]: this.bucket.bucketName,
        [ENV.statusPageBaseUrl]: this.url,
      },
    });
    // Least privilege: the pages, their content and render state (by key), the windows (their index), the
    // incidents of the pages' services (their index, and resolvedAt by key), and writes and deletes under the bucket.
    Grant.addToPrincipal({ grantee: this.renderer, actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resourceArns: [tables.config.tableArn] });
    Grant.addToPrincipal({ grantee: this.renderer, actions: ['dynamodb:Query'], resourceArns: [`${tables.config.tableArn}/index/${MAINTENANCE_INDEX}`, `${tables.incidents.tableArn}/index/byServiceState`] });
    Grant.addToPrincipal({ grantee: this.renderer, actions: ['dynamodb:BatchGetItem'], resourceArns: [tables.incidents.tableArn] });
    // Deletes too: a page made private is withdrawn from its public address.
    Grant.addToPrincipal({ grantee: this.renderer, actions: ['s3:PutObject', 's3:DeleteObject'], resourceArns: [this.bucket.arnForObjects('*')] });
    grantStatusPageRenders(this.renderer);
    NagSuppressions.addResourceSuppressions(
      this.renderer.role!,
      [{ id: 'AwsSolutions-IAM5', reason: 'The renderer writes each page\'s files under <page>/ in the bucket: object keys are not known in advance.', appliesTo: [{ regex: '/^Resource::<.*Pages.*\\.Arn>\\/\\*$/' }] }],
      true,
    );

    const substitutions: StatusPageRenderSubstitutions = { StatusPageRendererFunctionArn: this.renderer.functionArn };
    this.stateMachine = inResponseStateMachine(this, {
      definition: readStatusPageRenderDefinition(),
      substitutions: { ...substitutions },
      invokes: this.renderer,
      stateMachineName: statusPageRenderStateMachineName(this),
    });
  }
}
