// zod at the edge of the admin API: bad input is a 400 `invalid_request` naming every offending field.
import type { z } from "zod";
import { fieldProblems } from "../recorders/settings";
import { ApiError } from "./errors";

export async function jsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
  }
}

export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const details = fieldProblems(r.error);
    throw new ApiError(400, "invalid_request", `Invalid ${details.map((d) => d.field).join(", ")}.`, details);
  }
  return r.data;
}
