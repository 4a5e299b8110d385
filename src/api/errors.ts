// One error shape for the webhook and the admin API (CONTRACT.md): `{ok: false, error: {code, message, details?}}`.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** Thrown by plain functions; the Hono error handler turns it into the contract's error response. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toBody(): { ok: false; error: ErrorBody } {
    return errorBody({ code: this.code, message: this.message, details: this.details });
  }
}

export function errorBody(e: ErrorBody): { ok: false; error: ErrorBody } {
  return { ok: false, error: e.details === undefined ? { code: e.code, message: e.message } : e };
}
