// One error shape for the webhook and the admin API (CONTRACT.md): `{ok: false, error: {code, message, details?}}`.
// Lives below every layer (webhook, queries, durable objects and the Hono app all raise it); the app turns it
// into a response.

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** The statuses plain functions may raise (the app's error handler answers with them). */
export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 422 | 429 | 503;

/** Thrown by plain functions; the Hono error handler turns it into the contract's error response. */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
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
