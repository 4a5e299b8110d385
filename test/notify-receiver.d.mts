export function startReceiver(): Promise<{ port: number; close(): Promise<void> }>;
