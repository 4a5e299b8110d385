import { defineConfig } from "drizzle-kit";

// Generates flat migrations/NNNN_name.sql files that `wrangler d1 migrations apply` reads.
// Never `drizzle-kit push` against D1: migrations are the only way the schema changes.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
