// "Send test" for one target: a test message now, straight from the Worker (not queued: the user is waiting for
// the answer), and the target's answer as the API reports it. Nothing secret is in the result.
import { buildRequest } from "./format";
import { sendRequest, type SendOutcome } from "./send";
import { loadSendable } from "./targets";

export type TestSendResult = { found: false } | ({ found: true } & SendOutcome);

export async function sendTest(env: Env, recorderId: string, targetId: string): Promise<TestSendResult> {
  const { recorderName, targets } = await loadSendable(env, recorderId, targetId);
  const target = targets[0];
  if (!target) return { found: false };
  const at = new Date().toISOString();
  const req = buildRequest(target.dest, { kind: "test", key: `test:${targetId}:${at}`, recorderId, at, targetId }, { recorderName: recorderName ?? recorderId });
  return { found: true, ...(await sendRequest(req)) };
}
