// What every table family of the history store shares: the connection pool,
// the schema its tables live in, and transactions on one connection.
import type pg from 'pg';

export abstract class Tables {
  constructor(
    protected readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  /** The schema, quoted for SQL (its name is checked when the store opens). */
  protected get s(): string {
    return `"${this.schema}"`;
  }

  /** Runs work in one transaction on one connection: committed when it returns, rolled back when it throws. */
  protected async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
