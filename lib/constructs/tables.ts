import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_IDS, TABLES, tableNames, type KeyAttribute, type TableDefinition, type TableId } from '../../lambdas/config/tables';

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING,
});

/**
 * The DynamoDB tables, built from the shared definitions: on demand, point-in-time recovery, protected
 * from deletion and kept when the stack is deleted, since they hold the incident history. With `existing`,
 * the stack makes none and uses the tables of that prefix as they are: tables restored from a backup, which
 * the restore created (see the README's restore runbook).
 */
export class InResponseTables extends Construct {
  readonly byId: Readonly<Record<TableId, ITable>>;

  constructor(scope: Construct, id: string, props: { prefix: string; existing?: boolean }) {
    super(scope, id);
    const names = tableNames(props.prefix);
    this.byId = Object.fromEntries(
      TABLE_IDS.map((tableId) => {
        const definition: TableDefinition = TABLES[tableId];
        if (props.existing) {
          // Its indexes named, so that grants on the table cover them as on a table the stack made.
          const table = Table.fromTableAttributes(this, tableId, { tableName: names[tableId], globalIndexes: definition.indexes.map((i) => i.indexName), grantIndexPermissions: true });
          return [tableId, table];
        }
        const table = new Table(this, tableId, {
          tableName: names[tableId],
          partitionKey: attribute(definition.partitionKey),
          ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
          billingMode: BillingMode.PAY_PER_REQUEST,
          ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: true,
          removalPolicy: RemovalPolicy.RETAIN,
        });
        for (const index of definition.indexes) {
          table.addGlobalSecondaryIndex({
            indexName: index.indexName,
            partitionKey: attribute(index.partitionKey),
            sortKey: attribute(index.sortKey),
            projectionType: ProjectionType.INCLUDE,
            nonKeyAttributes: [...index.nonKeyAttributes],
          });
        }
        return [tableId, table];
      }),
    ) as Record<TableId, ITable>;
  }
}
