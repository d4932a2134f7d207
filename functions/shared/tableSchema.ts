// The table's physical shape, one definition for both the CDK stack (infra/) and the embedded /
// test servers' CreateTable, so the two cannot drift. Semantics of the keys: keys.ts.
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { GSI_NAMES } from "./keys.ts";

export const PARTITION_KEY = "pk";
export const SORT_KEY = "sk";
/** Lease items carry it; TTL removes abandoned leases eventually (correctness never depends on TTL). */
export const TTL_ATTRIBUTE = "expiresAt";

export const GLOBAL_INDEXES = GSI_NAMES.map((name) => ({ indexName: name, partitionKey: `${name}pk`, sortKey: `${name}sk` }));

/** CreateTable input for local servers (dynalite, DynamoDB Local): on-demand, three ALL-projected GSIs. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attrs = [PARTITION_KEY, SORT_KEY, ...GLOBAL_INDEXES.flatMap((g) => [g.partitionKey, g.sortKey])];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attrs.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: "HASH" },
      { AttributeName: SORT_KEY, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: GLOBAL_INDEXES.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey, KeyType: "HASH" },
        { AttributeName: g.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
  };
}
