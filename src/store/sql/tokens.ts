import type { Kysely } from 'kysely';
import type { AccessGrant, IssueOutcome, TokenRecord, TokenRepo } from '../repos/tokens.js';
import type { Database, OauthTokensTable } from '../schema.js';
import { lookupByKey, type Coalescer } from './coalesce.js';
import type { SqlContext } from './context.js';
import { prepared } from './prepared.js';
import { appShortCodes, shortCodeList } from './short-codes.js';

function toToken(row: OauthTokensTable): TokenRecord {
  return {
    hash: row.token_hash,
    appId: row.app_id,
    kind: row.kind,
    parentHash: row.parent_hash,
    scopes: JSON.parse(row.scopes) as string[],
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    createdAt: Number(row.created_at),
  };
}

function toRow(t: TokenRecord): OauthTokensTable {
  return {
    token_hash: t.hash,
    app_id: t.appId,
    kind: t.kind,
    parent_hash: t.parentHash,
    scopes: JSON.stringify(t.scopes),
    expires_at: t.expiresAt,
    revoked_at: t.revokedAt,
    created_at: t.createdAt,
  };
}

// Every API request reads its token's grant: built and compiled once (see prepared.ts).
const grantColumns = (db: Kysely<Database>) =>
  db
    .selectFrom('oauth_tokens')
    .innerJoin('apps', 'apps.id', 'oauth_tokens.app_id')
    .selectAll('oauth_tokens')
    .select((eb) => [
      'apps.name as app_name',
      'apps.realm as app_realm',
      'apps.suspended as app_suspended',
      'apps.scopes as app_scopes',
      'apps.rate_per_second as app_rate_per_second',
      'apps.rate_per_day as app_rate_per_day',
      'apps.delivery_status_url as app_delivery_status_url',
      appShortCodes(eb).as('app_short_codes'),
    ])
    .where('oauth_tokens.kind', '=', 'access');
const accessGrantOf = prepared((db, v: { hash: string }) => grantColumns(db).where('oauth_tokens.token_hash', '=', v.hash));
// PostgreSQL: the grants of concurrent requests in one round trip (see coalesce.ts).
const accessGrantsOf = prepared((db, v: { hashes: string[] }) => grantColumns(db).where('oauth_tokens.token_hash', '=', (eb) => eb.fn.any(eb.val(v.hashes))));
type GrantRow = Awaited<ReturnType<typeof accessGrantOf>>['rows'][number];
const grantVersionOf = prepared((db) => db.selectFrom('grant_version').select('version').where('id', '=', 1));

/** Grants kept at most: a burst of fresh tokens clears them rather than growing the map. */
const MAX_CACHED_GRANTS = 1000;

function toGrant(row: GrantRow): AccessGrant {
  return {
    token: toToken(row),
    app: {
      id: row.app_id,
      name: row.app_name,
      realm: row.app_realm === 'production' ? 'production' : 'sandbox',
      suspended: Number(row.app_suspended) === 1,
      scopes: JSON.parse(row.app_scopes) as string[],
      ratePerSecond: row.app_rate_per_second === null ? null : Number(row.app_rate_per_second),
      ratePerDay: row.app_rate_per_day === null ? null : Number(row.app_rate_per_day),
      deliveryStatusUrl: row.app_delivery_status_url,
      shortCodes: shortCodeList(row.app_short_codes),
    },
  };
}

export class SqlTokenRepo implements TokenRepo {
  readonly #ctx: SqlContext;

  readonly #grants: Coalescer<string, GrantRow | undefined> | undefined;
  /**
   * SQLite: grants already read, with the grant version they were read at (see migration 0082).
   * Reading the version is one point read where the grant is a three-table join and a sort,
   * on every API request.
   */
  readonly #cached = new Map<string, { readonly version: number; readonly grant: AccessGrant }>();

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
    if (ctx.dialect === 'postgres') {
      // On a kept plan: every API request reads its grant, and its planning cost more than its run.
      this.#grants = lookupByKey(async (hashes) => (await accessGrantsOf(ctx.fixedPlanDb ?? ctx.db, { hashes })).rows, (row) => row.token_hash);
    }
  }

  async issuePair(access: TokenRecord, refresh: TokenRecord, now: number, secretHash: string, replaces?: string): Promise<IssueOutcome> {
    const { dialect } = this.#ctx;
    return this.#ctx.db.transaction().execute(async (trx): Promise<IssueOutcome> => {
      // PostgreSQL: the share lock makes a rotation's or a deletion's update of the app wait for
      // this transaction (so it revokes or deletes the pair stored here), or this read wait for it
      // (and find the app changed). First, as the rotation locks the app before the tokens. SQLite
      // runs one transaction at a time.
      const app = await trx
        .selectFrom('apps')
        .select('id')
        .where('id', '=', access.appId)
        .where('secret_hash', '=', secretHash)
        .where('suspended', '=', 0)
        .$if(dialect === 'postgres', (q) => q.forShare())
        .executeTakeFirst();
      if (app === undefined) return 'client-changed';
      if (replaces !== undefined) {
        // The conditional update is the redemption: of two concurrent refreshes only one matches.
        const used = await trx
          .updateTable('oauth_tokens')
          .set({ revoked_at: now })
          .where('token_hash', '=', replaces)
          .where('kind', '=', 'refresh')
          .where('revoked_at', 'is', null)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .executeTakeFirst();
        if (used.numUpdatedRows === 0n) return 'grant-spent';
      }
      await trx.insertInto('oauth_tokens').values([toRow(refresh), toRow(access)]).execute();
      return 'issued';
    });
  }

  async get(hash: string): Promise<TokenRecord | undefined> {
    const row = await this.#ctx.db.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    return row === undefined ? undefined : toToken(row);
  }

  async getAccessGrant(hash: string): Promise<AccessGrant | undefined> {
    if (this.#grants !== undefined) {
      const row = await this.#grants.call(hash);
      return row === undefined ? undefined : toGrant(row);
    }
    // The version is read before the grant: a change between the two leaves the grant cached
    // under the older version, so it is read again next time, never kept stale.
    const version = Number((await grantVersionOf(this.#ctx.db, {})).rows[0]?.version);
    const cached = this.#cached.get(hash);
    if (cached?.version === version) return cached.grant;
    const row = (await accessGrantOf(this.#ctx.db, { hash })).rows[0];
    if (row === undefined) {
      this.#cached.delete(hash);
      return undefined;
    }
    const grant = toGrant(row);
    if (this.#cached.size >= MAX_CACHED_GRANTS) this.#cached.clear();
    this.#cached.set(hash, { version, grant });
    return grant;
  }

  async revoke(hash: string, appId: string, now: number): Promise<number> {
    // An access token is nobody's parent, so one statement serves both kinds.
    const res = await this.#ctx.db
      .updateTable('oauth_tokens')
      .set({ revoked_at: now })
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('token_hash', '=', hash), eb('parent_hash', '=', hash)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async purge(before: number, limit: number): Promise<number> {
    const { db } = this.#ctx;
    const dead = db
      .selectFrom('oauth_tokens')
      .select('token_hash')
      .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
      .limit(limit);
    const res = await db.deleteFrom('oauth_tokens').where('token_hash', 'in', dead).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async trimApp(appId: string, keep: number, limit: number): Promise<number> {
    const { db } = this.#ctx;
    const older = db
      .selectFrom('oauth_tokens')
      .select('token_hash')
      .where('app_id', '=', appId)
      .where('kind', '=', 'refresh')
      .orderBy('created_at', 'desc')
      .orderBy('token_hash', 'desc')
      .limit(limit)
      .offset(keep);
    const res = await db
      .deleteFrom('oauth_tokens')
      .where('app_id', '=', appId)
      .where((eb) => eb.or([eb('token_hash', 'in', older), eb('parent_hash', 'in', older)]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
