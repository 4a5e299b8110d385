// GET /api/live: the WebSocket's handshake. A browser cannot set headers on a WebSocket, so the admin token comes
// as a subprotocol (`auth.<base64url>`) beside `recorder-live`; the server answers `recorder-live` only.
import { describe, expect, it } from "vitest";
import { waitFor } from "../feed/helpers";
import { ADMIN, api, expectError } from "../helpers";
import { authProtocol, LiveClient, upgrade } from "./helpers";

describe("GET /api/live handshake", () => {
  it("426 upgrade_required without an Upgrade header (even with the admin token)", async () => {
    const r = await api("GET", "/api/live");
    expect(r.status).toBe(426);
    expectError(await r.json(), "upgrade_required");
  });

  it("401 without a token, with a wrong one, or with one that is not base64url", async () => {
    for (const protocols of [null, ["recorder-live"], ["recorder-live", authProtocol("wrong-token")], ["recorder-live", "auth.%%%"], ["recorder-live", "auth."]]) {
      const r = await upgrade(protocols);
      expect(r.status, JSON.stringify(protocols)).toBe(401);
      expect(r.webSocket).toBeNull();
      const body = await r.json();
      expectError(body, "unauthorized");
      // The token is never echoed.
      expect(JSON.stringify(body)).not.toContain(ADMIN);
      expect(r.headers.get("Sec-WebSocket-Protocol")).toBeNull();
    }
    // The token in the subprotocol of another name does not count.
    const r = await upgrade(["recorder-live", `x${authProtocol(ADMIN)}`]);
    expect(r.status).toBe(401);
  });

  it("101 with the right subprotocols, answered recorder-live only; a snapshot first; ping is answered pong", async () => {
    const r = await upgrade(["recorder-live", authProtocol(ADMIN)]);
    expect(r.status).toBe(101);
    expect(r.headers.get("Sec-WebSocket-Protocol")).toBe("recorder-live");
    expect(r.webSocket).not.toBeNull();
    const client = new LiveClient(r.webSocket!);
    const snap = await client.snapshotReady();
    expect(client.messages[0]).toBe(snap);
    expect(snap).toMatchObject({ type: "snapshot", positions: expect.any(Array), feeds: expect.any(Array) });
    expect(Number.isNaN(Date.parse(snap.at))).toBe(false);

    client.ws.send("ping");
    await waitFor(() => client.texts.includes("pong"), 15_000, "pong");
    // Anything else is ignored: the socket stays open and keeps answering.
    client.ws.send("hello");
    client.ws.send(JSON.stringify({ type: "subscribe" }));
    client.ws.send("ping");
    await waitFor(() => client.texts.filter((t) => t === "pong").length === 2, 15_000, "second pong");
    expect(client.closed).toBe(false);
    client.close();
  });

  it("the auth subprotocol may come first; a token with non-ASCII characters is compared as UTF-8", async () => {
    const r = await upgrade([authProtocol(ADMIN), "recorder-live"]);
    expect(r.status).toBe(101);
    expect(r.headers.get("Sec-WebSocket-Protocol")).toBe("recorder-live");
    new LiveClient(r.webSocket!).close();
    const wrong = await upgrade(["recorder-live", authProtocol(`${ADMIN}é`)]);
    expect(wrong.status).toBe(401);
  });

  it("400 when the token is right but recorder-live is not offered", async () => {
    const r = await upgrade([authProtocol(ADMIN)]);
    expect(r.status).toBe(400);
    expectError(await r.json(), "invalid_request");
  });

  it("a client that can set headers may send Authorization: Bearer instead", async () => {
    const r = await upgrade(["recorder-live"], { Authorization: `Bearer ${ADMIN}` });
    expect(r.status).toBe(101);
    expect(r.headers.get("Sec-WebSocket-Protocol")).toBe("recorder-live");
    const client = new LiveClient(r.webSocket!);
    await client.snapshotReady();
    client.close();
    expect((await upgrade(["recorder-live"], { Authorization: "Bearer nope" })).status).toBe(401);
  });
});
