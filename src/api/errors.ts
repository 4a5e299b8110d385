// The error shape lives in src/lib/errors.ts (lower layers raise it too); re-exported for the routes.
export { ApiError, errorBody, type ErrorBody, type ErrorStatus } from "../lib/errors";
