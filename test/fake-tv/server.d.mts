export function startFakeTradingView(opts?: { port?: number }): Promise<{ port: number; close(): Promise<void> }>;
