// The emmett peer is a dependency of the benchmark package (tests/bench/package.json), installed by `npm run bench`,
// not by the repository's `npm ci`; `tsc -p .` type-checks the benchmark against the part of its API it uses
// (copied from @event-driven-io/emmett-sqlite 0.38.5 and @event-driven-io/emmett 0.38.5), installed or not.
declare module '@event-driven-io/emmett-sqlite' {
  export interface SQLiteConnection {
    close(): void;
    command(sql: string, values?: unknown[]): Promise<unknown>;
  }
  export function sqliteConnection(options: { fileName: string | undefined }): SQLiteConnection;
  export function createEventStoreSchema(db: SQLiteConnection): Promise<void>;
  export type AppendEventResult =
    { success: true; nextStreamPosition: bigint; lastGlobalPosition: bigint } | { success: false };
  export function appendToStream(
    connection: SQLiteConnection,
    streamName: string,
    streamType: string,
    messages: { type: string; data: Record<string, unknown>; metadata?: Record<string, unknown> }[],
    options?: { expectedStreamVersion?: unknown },
  ): Promise<AppendEventResult>;
}

declare module '@event-driven-io/emmett' {
  export const STREAM_DOES_NOT_EXIST: unknown;
}
