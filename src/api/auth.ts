// Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
import { createMiddleware } from "hono/factory";
import { secretEquals } from "../lib/crypto";
import { ApiError } from "./errors";

export const requireAdmin = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) throw new ApiError(401, "unauthorized", "The server has no ADMIN_TOKEN configured.");
  if (!match || !(await secretEquals(match[1].trim(), expected))) {
    throw new ApiError(401, "unauthorized", "Missing or wrong admin token: send Authorization: Bearer <ADMIN_TOKEN>.");
  }
  await next();
});
