import {
  LimitNode,
  SelectQueryNode,
  ValueNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

/**
 * Writes a select's LIMIT into the SQL text instead of binding it. SQLite (3.47 and later) reads a
 * bound LIMIT while planning and marks the statement to be prepared again whenever that
 * parameter is bound, so a cached statement with `limit ?` was compiled anew on every run: about
 * twice the cost of the query itself for the receipt's part lookup and the job claims. Limits are
 * small integers, so the statement cache holds one text per value in use.
 */
export class InlineLimitPlugin implements KyselyPlugin {
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (!SelectQueryNode.is(node) || node.limit === undefined || !ValueNode.is(node.limit.limit)) return node;
    const { value } = node.limit.limit;
    // Anything else (a prepared query's stand-in, an expression) stays as it is.
    if (!Number.isSafeInteger(value) && typeof value !== 'bigint') return node;
    return { ...node, limit: LimitNode.create(ValueNode.createImmediate(value)) };
  }

  transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(result);
  }
}
