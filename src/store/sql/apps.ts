import type { AppChanges, AppRecord, AppRepo, AppWithShortCodes, Realm } from '../repos/apps.js';
import type { AppsTable } from '../schema.js';
import type { SqlContext } from './context.js';
import { appShortCodes, shortCodeList } from './short-codes.js';

function toApp(row: AppsTable): AppRecord {
  return {
    id: row.id,
    name: row.name,
    appKey: row.app_key,
    secretHash: row.secret_hash,
    scopes: JSON.parse(row.scopes) as string[],
    realm: row.realm as Realm,
    suspended: Number(row.suspended) === 1,
    deliveryStatusUrl: row.delivery_status_url,
    signingSecret: row.signing_secret,
    ratePerSecond: row.rate_per_second === null ? null : Number(row.rate_per_second),
    ratePerDay: row.rate_per_day === null ? null : Number(row.rate_per_day),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export class SqlAppRepo implements AppRepo {
  readonly #ctx: SqlContext;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  async create(app: AppRecord): Promise<void> {
    await this.#ctx.db
      .insertInto('apps')
      .values({
        id: app.id,
        name: app.name,
        app_key: app.appKey,
        secret_hash: app.secretHash,
        scopes: JSON.stringify(app.scopes),
        realm: app.realm,
        suspended: app.suspended ? 1 : 0,
        delivery_status_url: app.deliveryStatusUrl,
        signing_secret: app.signingSecret,
        rate_per_second: app.ratePerSecond,
        rate_per_day: app.ratePerDay,
        created_at: app.createdAt,
        updated_at: app.updatedAt,
      })
      .execute();
  }

  async get(id: string): Promise<AppRecord | undefined> {
    const row = await this.#ctx.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toApp(row);
  }

  async getByKey(appKey: string): Promise<AppWithShortCodes | undefined> {
    const row = await this.#ctx.db
      .selectFrom('apps')
      .selectAll()
      .select((eb) => appShortCodes(eb).as('short_codes'))
      .where('app_key', '=', appKey)
      .executeTakeFirst();
    return row === undefined ? undefined : { ...toApp(row), shortCodes: shortCodeList(row.short_codes) };
  }

  async list(): Promise<AppRecord[]> {
    const rows = await this.#ctx.db.selectFrom('apps').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toApp);
  }

  async update(id: string, changes: AppChanges, now: number): Promise<AppRecord | undefined> {
    const set: Partial<AppsTable> = { updated_at: now };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.scopes !== undefined) set.scopes = JSON.stringify(changes.scopes);
    if (changes.suspended !== undefined) set.suspended = changes.suspended ? 1 : 0;
    if (changes.deliveryStatusUrl !== undefined) set.delivery_status_url = changes.deliveryStatusUrl;
    if (changes.ratePerSecond !== undefined) set.rate_per_second = changes.ratePerSecond;
    if (changes.ratePerDay !== undefined) set.rate_per_day = changes.ratePerDay;
    const res = await this.#ctx.db.updateTable('apps').set(set).where('id', '=', id).executeTakeFirst();
    if (res.numUpdatedRows === 0n) return undefined;
    return this.get(id);
  }

  async rotateSecret(id: string, secretHash: string, now: number): Promise<boolean> {
    return this.#ctx.db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('apps').set({ secret_hash: secretHash, updated_at: now }).where('id', '=', id).executeTakeFirst();
      if (res.numUpdatedRows === 0n) return false;
      await trx.updateTable('oauth_tokens').set({ revoked_at: now }).where('app_id', '=', id).where('revoked_at', 'is', null).execute();
      return true;
    });
  }

  async delete(id: string): Promise<boolean> {
    // Tokens and short codes go with the app (foreign keys cascade).
    const res = await this.#ctx.db.deleteFrom('apps').where('id', '=', id).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }
}
