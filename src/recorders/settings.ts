// Recorder settings as the admin API accepts them (CONTRACT "POST /api/recorders"), validated with zod.
// Defaults where the contract is silent: initialQuantity 1, addQuantity 1, allowAdd true, commission 0.
import { z } from "zod";

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().min(0);

export const recorderFields = {
  name: z.string().trim().min(1, "name must not be empty").max(120),
  symbol: z.string().trim().min(1).max(100).nullable(),
  enabled: z.boolean(),
  initialQuantity: positive,
  addQuantity: positive,
  allowAdd: z.boolean(),
  reverseOnOpposite: z.boolean(),
  takeProfitTicks: positive.nullable(),
  stopLossTicks: positive.nullable(),
  commissionPerContract: nonNegative,
  tickSize: positive.nullable(),
  tickValue: positive.nullable(),
  dedupeWindowSeconds: z.number().int().min(0).max(86_400),
};

export const createRecorderSchema = z
  .object({
    name: recorderFields.name,
    symbol: recorderFields.symbol.optional(),
    enabled: recorderFields.enabled.default(true),
    initialQuantity: recorderFields.initialQuantity.default(1),
    addQuantity: recorderFields.addQuantity.default(1),
    allowAdd: recorderFields.allowAdd.default(true),
    reverseOnOpposite: recorderFields.reverseOnOpposite.default(true),
    takeProfitTicks: recorderFields.takeProfitTicks.optional(),
    stopLossTicks: recorderFields.stopLossTicks.optional(),
    commissionPerContract: recorderFields.commissionPerContract.default(0),
    tickSize: recorderFields.tickSize.optional(),
    tickValue: recorderFields.tickValue.optional(),
    dedupeWindowSeconds: recorderFields.dedupeWindowSeconds.default(10),
  })
  .strict();

export const patchRecorderSchema = z.object(recorderFields).partial().strict();

export type CreateRecorderInput = z.output<typeof createRecorderSchema>;
export type PatchRecorderInput = z.output<typeof patchRecorderSchema>;

/** zod issues -> the contract's `details`: one `{field, problem}` per offending field. */
export function fieldProblems(error: z.ZodError): { field: string; problem: string }[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.join(".") : (i.code === "unrecognized_keys" ? i.keys.join(",") : "body"),
    problem: i.message,
  }));
}
