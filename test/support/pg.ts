// A private schema in the shared test database, dropped afterwards.
import pg from 'pg';
import { testEnv, uniqueName } from './env.js';

export interface TestSchema {
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createTestSchema(prefix = 'pw'): Promise<TestSchema> {
  const name = uniqueName(prefix).toLowerCase();
  const pool = new pg.Pool({ connectionString: testEnv().databaseUrl, max: 4 });
  await pool.query(`CREATE SCHEMA "${name}"`);
  return {
    name,
    pool,
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined);
      await pool.end();
    },
  };
}
