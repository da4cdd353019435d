import { defineConfig } from 'drizzle-kit';

// `generate` needs no database; `migrate`, `push`, `studio` and `check` use DATABASE_URL (npm run db:migrate also handles PGlite).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './src/store/migrations',
  ...(process.env.DATABASE_URL ? { dbCredentials: { url: process.env.DATABASE_URL } } : {}),
});
