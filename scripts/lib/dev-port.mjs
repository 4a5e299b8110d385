// The port check of `npm run dev`: is PORT free on the address wrangler will listen on? Answered before anything is
// built, so a busy port is one clear line instead of wrangler's esbuild stack trace. Plain Node, no dependencies.
import net from "node:net";

/** PORT as a number, or an error message (one line) when it is not a usable TCP port. */
export function parsePort(value) {
  const text = String(value ?? "").trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > 65535) {
    return { error: `PORT must be a whole number from 1 to 65535 (got "${value}"), e.g. PORT=8788 npm run dev` };
  }
  return { port: n };
}

/** Tries to listen on host:port and lets go at once: null when free, else the error code (EADDRINUSE, EACCES, …). */
export function probe(port, host) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.unref();
    s.once("error", (err) => resolve(err.code ?? "EUNKNOWN"));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(null)));
  });
}

// wrangler listens on `host`; on the loopback address, browsers and curl may try ::1 first for "localhost", so a
// server already there would answer for http://localhost:PORT too. An address this machine lacks is no conflict.
function addressesFor(host) {
  return host === "127.0.0.1" || host === "localhost" ? ["127.0.0.1", "::1"] : [host];
}
const ABSENT = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT", "EINVAL"]);

/** null when port is free for `npm run dev` on host, else {code, address}. */
export async function portProblem(port, host) {
  for (const address of addressesFor(host)) {
    const code = await probe(port, address);
    if (code && !ABSENT.has(code)) return { code, address };
  }
  return null;
}

/** The first port after `port` (within `span`) that is free on host, or port + 1 when none is. */
export async function nextFreePort(port, host, span = 20) {
  for (let p = port + 1; p <= Math.min(port + span, 65535); p++) {
    if (!(await portProblem(p, host))) return p;
  }
  return Math.min(port + 1, 65535);
}

/** The one line `npm run dev` prints for a port it cannot use. */
export function portProblemMessage(port, problem, suggestion) {
  const where = problem.address.includes(":") ? `[${problem.address}]:${port}` : `${problem.address}:${port}`;
  const what =
    problem.code === "EADDRINUSE"
      ? `port ${port} is already in use (${where}; another npm run dev?)`
      : problem.code === "EACCES"
        ? `port ${port} needs privileges this user lacks (${where})`
        : `port ${port} cannot be used (${where}: ${problem.code})`;
  return `npm run dev: ${what}. Pick another: PORT=${suggestion} npm run dev`;
}
