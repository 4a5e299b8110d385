// Where a target sends: its destination (the secret part), how the API accepts it, how it is shown masked, and how
// it is sealed at rest.
//
// Invariants:
// - The destination is only ever in D1 sealed (AES-GCM, key from TV_SESSION_KEY with its own HKDF purpose
//   "notify_target", src/tradingview/crypto.ts), and in memory while a message is sent. Responses and logs show
//   `shown` only: scheme-less host, the path's first segment, and the last 4 characters.
// - URLs are https. Plain http is allowed only to 127.0.0.1 / localhost / [::1] (local receivers, tests): a
//   webhook secret never crosses a network in clear text.
// - Discord and Slack URLs must be on their own hosts (a typo'd kind would otherwise post a Slack body to Discord).
import { z } from "zod";
import { seal, unseal } from "../tradingview/crypto";

export type TargetKind = "discord" | "slack" | "telegram" | "webhook";

export type Destination =
  | { kind: "discord" | "slack" | "webhook"; url: string }
  | { kind: "telegram"; botToken: string; chatId: string };

const PURPOSE = "notify_target";
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const HOSTS: Partial<Record<TargetKind, RegExp>> = {
  discord: /^(?:[a-z0-9-]+\.)?(?:discord\.com|discordapp\.com)$/,
  slack: /^hooks\.slack\.com$/,
};

/** A URL a target may post to, or the reason it may not. */
export function urlProblem(raw: string, kind: TargetKind): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return "not a URL";
  }
  const local = LOCAL_HOSTS.has(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && local)) return "must be https (http only for 127.0.0.1/localhost)";
  if (u.username || u.password) return "must not contain a user name or password";
  const host = HOSTS[kind];
  if (host && !local && !host.test(u.hostname)) return `is not a ${kind} webhook URL`;
  return null;
}

/** `discord.com/api/…1234`: enough to recognize a target, useless to anyone who reads it. */
export function maskDestination(d: Destination): string {
  if (d.kind === "telegram") return `telegram bot …${d.botToken.slice(-4)} → chat ${maskChat(d.chatId)}`;
  const u = new URL(d.url);
  const first = u.pathname.split("/").filter(Boolean)[0];
  const tail = d.url.replace(/\/+$/, "").slice(-4);
  return `${u.host}${first ? `/${first}` : ""}/…${tail}`;
}

function maskChat(chatId: string): string {
  // A channel's @name is public; a numeric id is shown by its last 3 digits.
  return chatId.startsWith("@") ? chatId : `…${chatId.slice(-3)}`;
}

export async function sealDestination(key: string, d: Destination): Promise<string> {
  return seal(key, PURPOSE, JSON.stringify(d));
}

export async function unsealDestination(key: string, sealed: string): Promise<Destination> {
  return JSON.parse(await unseal(key, PURPOSE, sealed)) as Destination;
}

// --- what the API accepts ------------------------------------------------------------------------------------

const url = z.string().trim().min(10).max(500);
/** Telegram bot tokens are `<digits>:<35ish url-safe chars>`. */
const botToken = z.string().trim().max(100).regex(/^\d{1,20}:[A-Za-z0-9_-]{20,80}$/, "not a Telegram bot token (123456:ABC…)");
/** A numeric chat id (negative for groups) or a public @channelname. */
const chatId = z.string().trim().max(64).regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,63})$/, "not a Telegram chat id (-100123… or @channel)");

export const destinationInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("discord"), url }),
  z.object({ kind: z.literal("slack"), url }),
  z.object({ kind: z.literal("webhook"), url }),
  z.object({ kind: z.literal("telegram"), botToken, chatId: z.union([chatId, z.number().int().transform(String).pipe(chatId)]) }),
]);

export type DestinationInput = z.output<typeof destinationInput>;

/** The destination as stored (the URL checked against its kind), or the field problem. */
export function toDestination(input: DestinationInput): { ok: true; dest: Destination } | { ok: false; field: string; problem: string } {
  if (input.kind === "telegram") return { ok: true, dest: { kind: "telegram", botToken: input.botToken, chatId: input.chatId } };
  const problem = urlProblem(input.url, input.kind);
  if (problem) return { ok: false, field: "url", problem };
  return { ok: true, dest: { kind: input.kind, url: input.url } };
}
