import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        // The production Worker with test subclasses of its Durable Objects (hooks live there, not in src/).
        main: "./test/worker.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ADMIN_TOKEN: "test-admin-token",
            TV_SESSION_KEY: "test-session-key-0123456789abcdef",
            TV_WS_URL: `http://127.0.0.1:${inject<number>("fakeTvPort")}/socket.io/websocket`,
            TEST_MIGRATIONS: migrations,
          },
        },
      })),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**"],
      globalSetup: ["./test/global-setup.ts"],
      setupFiles: ["./test/apply-migrations.ts"],
      // CI may share two cores with other work: no test may fail for being slow.
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  };
});
