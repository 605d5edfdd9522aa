/**
 * TEST DOUBLE — NOT KurrentDB. A single-node, insecure gRPC server that speaks enough of the KurrentDB (EventStoreDB)
 * client protocol for the unchanged `@eventstore/db-client` to run against it, so that the KurrentDB adapter can be
 * tested where no KurrentDB server can run. It is built with @grpc/grpc-js on the service definitions generated inside
 * the client package (generated/streams_grpc_pb.js, serverfeatures_grpc_pb.js, gossip_grpc_pb.js), so request and
 * response messages are exactly the client's.
 *
 * Served: Streams.Read (stream and $all reads in both directions; catch-up subscriptions to a stream or to $all,
 * with stream-name / event-type filters by prefix or regex, search windows, checkpoints and caught-up), Streams.Append,
 * Streams.BatchAppend, Streams.Delete, Streams.Tombstone, ServerFeatures.GetSupportedMethods and Gossip.Read.
 * The log is in memory (optionally mirrored to a file); `stop()` drops every connection as a crashed node would and
 * `start()` serves the same data on the same port again. What it does not emulate is listed in README.md.
 */
import { createRequire } from 'node:module';
import { once, setMaxListeners } from 'node:events';
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  comparePositions,
  TestDoubleLog,
  type AppendOutcome,
  type ExpectedRevision,
  type ProposedEvent,
  type TestDoubleEvent,
  type TestDoubleLogOptions,
  type TestDoublePosition,
} from './testDoubleLog';

// The generated code lives inside the client package: load it (and google-protobuf) from there, so that messages
// built here are instances of the very classes the client's (de)serialisers check against.
const clientRequire = createRequire(createRequire(import.meta.url).resolve('@eventstore/db-client/package.json'));
const streamsPb = clientRequire(
  './generated/streams_pb.js',
) as typeof import('@eventstore/db-client/generated/streams_pb');
const sharedPb = clientRequire(
  './generated/shared_pb.js',
) as typeof import('@eventstore/db-client/generated/shared_pb');
const statusPb = clientRequire(
  './generated/status_pb.js',
) as typeof import('@eventstore/db-client/generated/status_pb');
const featuresPb = clientRequire(
  './generated/serverfeatures_pb.js',
) as typeof import('@eventstore/db-client/generated/serverfeatures_pb');
const gossipPb = clientRequire(
  './generated/gossip_pb.js',
) as typeof import('@eventstore/db-client/generated/gossip_pb');
const { StreamsService } = clientRequire('./generated/streams_grpc_pb.js') as { StreamsService: ServiceDefinition };
const { ServerFeaturesService } = clientRequire('./generated/serverfeatures_grpc_pb.js') as {
  ServerFeaturesService: ServiceDefinition;
};
const { GossipService } = clientRequire('./generated/gossip_grpc_pb.js') as { GossipService: ServiceDefinition };
const { Any } = clientRequire(
  'google-protobuf/google/protobuf/any_pb.js',
) as typeof import('google-protobuf/google/protobuf/any_pb');
const { Empty: GoogleEmpty } = clientRequire(
  'google-protobuf/google/protobuf/empty_pb.js',
) as typeof import('google-protobuf/google/protobuf/empty_pb');

type ReadReq = import('@eventstore/db-client/generated/streams_pb').ReadReq;
type ReadResp = import('@eventstore/db-client/generated/streams_pb').ReadResp;
type AppendReq = import('@eventstore/db-client/generated/streams_pb').AppendReq;
type AppendResp = import('@eventstore/db-client/generated/streams_pb').AppendResp;
type BatchAppendReq = import('@eventstore/db-client/generated/streams_pb').BatchAppendReq;
type BatchAppendResp = import('@eventstore/db-client/generated/streams_pb').BatchAppendResp;
type DeleteReq = import('@eventstore/db-client/generated/streams_pb').DeleteReq;
type DeleteResp = import('@eventstore/db-client/generated/streams_pb').DeleteResp;
type TombstoneReq = import('@eventstore/db-client/generated/streams_pb').TombstoneReq;
type TombstoneResp = import('@eventstore/db-client/generated/streams_pb').TombstoneResp;
type FilterOptions = import('@eventstore/db-client/generated/streams_pb').ReadReq.Options.FilterOptions;
type Uuid = import('@eventstore/db-client/generated/shared_pb').UUID;

/** KurrentDB's default read batch size, also the default search window of a filtered subscription. */
const DEFAULT_SEARCH_WINDOW = 32;
const SERVER_VERSION = '24.10.0-gopy-test-double';

export interface KurrentDbTestDoubleOptions extends TestDoubleLogOptions {
  /** 0 (the default) picks a free port at the first start; later starts reuse it. */
  port?: number;
  host?: string;
  /** Advertise BatchAppend in the server features (the client then appends through it, as with a real node). */
  batchAppend?: boolean;
  /**
   * Told of every read of $all and every $all subscription, with where it starts and the client's connection name
   * (`connectionName` in the connection string), so that a test watching the double from outside its process can see
   * where a reader resumed. One line per call, e.g. `$all subscription from 1024/1024 by gopy-projector`.
   */
  trace?: (line: string) => void;
}

export interface KurrentDbTestDoubleStats {
  appends: number;
  batchAppends: number;
  reads: number;
  subscriptions: number;
  activeSubscriptions: number;
  /** Events sent to subscriptions (catch-up and live). */
  subscriptionEventsSent: number;
  /** Where each $all subscription started: 'start', 'end' or the position it started after. */
  allSubscriptionStarts: Array<'start' | 'end' | TestDoublePosition>;
}

/** TEST DOUBLE of a single insecure KurrentDB node (see the file header and README.md). */
export class KurrentDbTestDouble {
  readonly log: TestDoubleLog;
  readonly host: string;
  private portNumber: number;
  private server: Server | undefined;
  private readonly batchAppend: boolean;
  private readonly trace: ((line: string) => void) | undefined;
  /** Aborted when the server stops, so that handlers waiting for writes or for drain give up. */
  private stopping = new AbortController();
  private readonly counters: KurrentDbTestDoubleStats = {
    appends: 0,
    batchAppends: 0,
    reads: 0,
    subscriptions: 0,
    activeSubscriptions: 0,
    subscriptionEventsSent: 0,
    allSubscriptionStarts: [],
  };
  /** Fault injection: the next append is committed, then the node stops before answering. */
  private crashAfterCommit = false;

  constructor(options: KurrentDbTestDoubleOptions = {}) {
    this.log = new TestDoubleLog(options);
    this.host = options.host ?? '127.0.0.1';
    this.portNumber = options.port ?? 0;
    this.batchAppend = options.batchAppend ?? true;
    this.trace = options.trace;
  }

  /** Creates a test double and starts serving. */
  static async start(options: KurrentDbTestDoubleOptions = {}): Promise<KurrentDbTestDouble> {
    const double = new KurrentDbTestDouble(options);
    await double.start();
    return double;
  }

  get port(): number {
    return this.portNumber;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** An insecure single-node connection string for the client. */
  get connectionString(): string {
    return `esdb://${this.host}:${this.portNumber}?tls=false`;
  }

  stats(): KurrentDbTestDoubleStats {
    return { ...this.counters, allSubscriptionStarts: [...this.counters.allSubscriptionStarts] };
  }

  /**
   * Fault injection: the next append (Append or BatchAppend) is written to the log, then the node stops before it
   * answers, so the client cannot know whether its append was stored.
   */
  crashAfterNextCommit(): void {
    this.crashAfterCommit = true;
  }

  /** Called once an append has been decided; true when the node "crashed" instead of answering. */
  private crashedAfterCommit(): boolean {
    if (!this.crashAfterCommit) return false;
    this.crashAfterCommit = false;
    void this.stop();
    return true;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.stopping = new AbortController();
    // Every open call listens for the node stopping: many at once is normal, not a leak.
    setMaxListeners(0, this.stopping.signal);
    const server = new Server();
    server.addService(StreamsService, this.streamsImplementation());
    server.addService(ServerFeaturesService, { getSupportedMethods: this.getSupportedMethods });
    server.addService(GossipService, { read: this.gossipRead });
    this.portNumber = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.host}:${this.portNumber}`, ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.server = server;
  }

  /** Drops every connection and stops listening, as a crashed or killed node would; the data stays for `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.stopping.abort();
    server.forceShutdown();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  // --- services -------------------------------------------------------------------------------------------------

  private streamsImplementation(): UntypedServiceImplementation {
    return {
      read: (call: ServerWritableStream<ReadReq, ReadResp>) => {
        this.read(call).catch((error: unknown) => fail(call, error));
      },
      append: (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>) =>
        this.append(call, callback),
      batchAppend: (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => this.batchAppendCall(call),
      delete: (call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>) =>
        this.deleteStream(call.request, false, callback),
      tombstone: (call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>) =>
        this.deleteStream(call.request, true, callback),
    };
  }

  private readonly getSupportedMethods = (
    _call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    const methods = [
      ['event_store.client.streams.streams', 'read', []],
      ['event_store.client.streams.streams', 'append', []],
      ['event_store.client.streams.streams', 'delete', []],
      ['event_store.client.streams.streams', 'tombstone', []],
      ...(this.batchAppend ? [['event_store.client.streams.streams', 'batchappend', ['deadline_duration']]] : []),
      ['event_store.client.server_features.serverfeatures', 'getsupportedmethods', []],
      ['event_store.client.gossip.gossip', 'read', []],
    ] as Array<[string, string, string[]]>;
    const response = new featuresPb.SupportedMethods();
    response.setEventStoreServerVersion(SERVER_VERSION);
    response.setMethodsList(
      methods.map(([service, method, features]) => {
        const m = new featuresPb.SupportedMethod();
        m.setServiceName(service);
        m.setMethodName(method);
        m.setFeaturesList(features);
        return m;
      }),
    );
    callback(null, response);
  };

  private readonly gossipRead = (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const endpoint = new gossipPb.EndPoint();
    endpoint.setAddress(this.host);
    endpoint.setPort(this.portNumber);
    const member = new gossipPb.MemberInfo();
    member.setInstanceId(uuid('8c4dc4f2-7d0e-4a4c-9a54-7e8f5a0c0d01', false));
    member.setTimeStamp(String(BigInt(Date.now()) * 10_000n));
    member.setState(gossipPb.MemberInfo.VNodeState.LEADER);
    member.setIsAlive(true);
    member.setHttpEndPoint(endpoint);
    const info = new gossipPb.ClusterInfo();
    info.setMembersList([member]);
    callback(null, info);
  };

  // --- Read -----------------------------------------------------------------------------------------------------

  private async read(call: ServerWritableStream<ReadReq, ReadResp>): Promise<void> {
    const options = call.request.getOptions();
    if (!options) throw invalidArgument('Read: options are required');
    const structured = options.getUuidOption()?.hasStructured() ?? false;
    const signal = this.callSignal(call);
    if (this.trace && options.hasAll()) {
      const AllCase = streamsPb.ReadReq.Options.AllOptions.AllOptionCase;
      const all = options.getAll()!;
      const from =
        all.getAllOptionCase() === AllCase.END
          ? 'end'
          : all.getAllOptionCase() === AllCase.POSITION
            ? `${all.getPosition()!.getCommitPosition()}/${all.getPosition()!.getPreparePosition()}`
            : 'start';
      const what = options.hasSubscription()
        ? '$all subscription'
        : `$all read ${options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.FORWARDS ? 'forwards' : 'backwards'}`;
      const connection = call.metadata.get('connection-name')[0];
      this.trace(`${what} from ${from} by ${connection === undefined ? 'unnamed' : String(connection)}`);
    }
    if (options.hasSubscription()) {
      this.counters.subscriptions += 1;
      this.counters.activeSubscriptions += 1;
      try {
        if (options.hasStream()) await this.subscribeToStream(call, options, structured, signal);
        else await this.subscribeToAll(call, options, structured, signal);
      } finally {
        this.counters.activeSubscriptions -= 1;
      }
      return;
    }
    this.counters.reads += 1;
    const count = BigInt(options.getCount() || '0');
    const forwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.FORWARDS;
    const send = (event: TestDoubleEvent) => write(call, eventResponse(event, structured), signal);
    let sent = 0n;
    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const name = streamName(streamOptions.getStreamIdentifier());
      const stream = this.log.visibleStream(name);
      if (stream?.tombstoned) throw streamDeleted(name);
      if (stream === undefined) {
        const response = new streamsPb.ReadResp();
        const notFound = new streamsPb.ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(identifier(name));
        response.setStreamNotFound(notFound);
        await write(call, response, signal);
        call.end();
        return;
      }
      const last = BigInt(stream.events.length) - 1n;
      const Case = streamsPb.ReadReq.Options.StreamOptions.RevisionOptionCase;
      const option = streamOptions.getRevisionOptionCase();
      const requested = option === Case.REVISION ? BigInt(streamOptions.getRevision()) : undefined;
      if (forwards) {
        let revision =
          option === Case.END
            ? last + 1n
            : requested === undefined
              ? stream.first
              : requested < stream.first
                ? stream.first
                : requested;
        for (; revision <= last && sent < count; revision++, sent++) await send(stream.events[Number(revision)]!);
      } else {
        let revision =
          option === Case.START ? stream.first : requested === undefined || requested > last ? last : requested;
        for (; revision >= stream.first && sent < count; revision--, sent++)
          await send(stream.events[Number(revision)]!);
      }
      call.end();
      return;
    }
    const all = options.getAll()!;
    const Case = streamsPb.ReadReq.Options.AllOptions.AllOptionCase;
    const matches = options.hasFilter() ? matcher(options.getFilter()!) : () => true;
    const at = all.getAllOptionCase() === Case.POSITION ? readPosition(all.getPosition()!) : undefined;
    if (forwards) {
      // Inclusive: reading forwards from an event's position starts with that event.
      let index = all.getAllOptionCase() === Case.END ? this.log.all.length : at ? this.log.indexFrom(at, true) : 0;
      for (; index < this.log.all.length && sent < count; index++) {
        const event = this.log.all[index]!;
        if (!matches(event)) continue;
        await send(event);
        sent++;
      }
    } else {
      // Exclusive: reading backwards from a position returns what precedes it.
      let index =
        all.getAllOptionCase() === Case.START ? -1 : at ? this.log.indexFrom(at, true) - 1 : this.log.all.length - 1;
      for (; index >= 0 && sent < count; index--) {
        const event = this.log.all[index]!;
        if (!matches(event)) continue;
        await send(event);
        sent++;
      }
    }
    call.end();
  }

  /**
   * A catch-up subscription to $all, as KurrentDB's filtered subscription behaves on the wire: confirmation; catch-up
   * in pages of the search window, with a checkpoint whenever `window × multiplier` events have been considered (at the
   * start of the page, as the server's checkpoints lag a page) and one when the end of the log is reached; caught-up;
   * then live events, with a checkpoint every `window × multiplier` events written. Reading is paced by the client's
   * flow control (a slow subscriber is never sent more than the transport buffers).
   */
  private async subscribeToAll(
    call: ServerWritableStream<ReadReq, ReadResp>,
    options: import('@eventstore/db-client/generated/streams_pb').ReadReq.Options,
    structured: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const all = options.getAll()!;
    const Case = streamsPb.ReadReq.Options.AllOptions.AllOptionCase;
    this.counters.allSubscriptionStarts.push(
      all.getAllOptionCase() === Case.END
        ? 'end'
        : all.getAllOptionCase() === Case.POSITION
          ? readPosition(all.getPosition()!)
          : 'start',
    );
    await write(call, confirmation(), signal);
    let index =
      all.getAllOptionCase() === Case.END
        ? this.log.all.length
        : all.getAllOptionCase() === Case.POSITION
          ? this.log.indexFrom(readPosition(all.getPosition()!), false)
          : 0;
    const filter = options.hasFilter() ? options.getFilter()! : undefined;
    const matches = filter ? matcher(filter) : () => true;
    const window = filter?.hasMax() ? Math.max(1, filter.getMax()) : DEFAULT_SEARCH_WINDOW;
    const interval = window * Math.max(1, filter?.getCheckpointintervalmultiplier() ?? 1);
    let considered = 0;
    let lastCheckpoint: TestDoublePosition | undefined;
    let catchUpPoint: TestDoublePosition | undefined;
    let live = false;
    const checkpoint = async (position: TestDoublePosition | undefined): Promise<void> => {
      if (!filter || position === undefined) return;
      if (lastCheckpoint !== undefined && comparePositions(position, lastCheckpoint) <= 0) return;
      lastCheckpoint = position;
      await write(call, checkpointResponse(position), signal);
    };
    while (!signal.aborted) {
      if (index < this.log.all.length) {
        if (!live) {
          const pageStart = this.log.all[index]!;
          const pageFrom = index;
          const end = Math.min(index + window, this.log.all.length);
          for (; index < end; index++) {
            const event = this.log.all[index]!;
            if (matches(event)) {
              await write(call, eventResponse(event, structured), signal);
              this.counters.subscriptionEventsSent += 1;
              catchUpPoint = event;
            }
          }
          considered += end - pageFrom;
          if (catchUpPoint === undefined || comparePositions(pageStart, catchUpPoint) > 0) catchUpPoint = pageStart;
          if (considered >= interval) {
            considered %= interval;
            await checkpoint(catchUpPoint);
          }
        } else {
          const event = this.log.all[index++]!;
          if (matches(event)) {
            await write(call, eventResponse(event, structured), signal);
            this.counters.subscriptionEventsSent += 1;
          }
          if (++considered >= interval) {
            considered = 0;
            await checkpoint(event);
          }
        }
        continue;
      }
      if (!live) {
        await checkpoint(catchUpPoint);
        await write(call, caughtUp(), signal);
        live = true;
        considered = 0;
        continue;
      }
      await this.nextWrite(signal);
    }
  }

  private async subscribeToStream(
    call: ServerWritableStream<ReadReq, ReadResp>,
    options: import('@eventstore/db-client/generated/streams_pb').ReadReq.Options,
    structured: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const streamOptions = options.getStream()!;
    const name = streamName(streamOptions.getStreamIdentifier());
    const Case = streamsPb.ReadReq.Options.StreamOptions.RevisionOptionCase;
    await write(call, confirmation(), signal);
    const initial = this.log.visibleStream(name);
    if (initial?.tombstoned) throw streamDeleted(name);
    let next =
      streamOptions.getRevisionOptionCase() === Case.REVISION
        ? BigInt(streamOptions.getRevision()) + 1n // exclusive, as for $all
        : streamOptions.getRevisionOptionCase() === Case.END
          ? BigInt(initial?.events.length ?? 0)
          : 0n;
    let live = false;
    while (!signal.aborted) {
      const stream = this.log.visibleStream(name);
      if (stream?.tombstoned) throw streamDeleted(name);
      if (stream !== undefined && next < stream.first) next = stream.first;
      if (stream !== undefined && next < BigInt(stream.events.length)) {
        await write(call, eventResponse(stream.events[Number(next)]!, structured), signal);
        next++;
        continue;
      }
      if (!live) {
        await write(call, caughtUp(), signal);
        live = true;
        continue;
      }
      await this.nextWrite(signal);
    }
  }

  /** Resolves at the next write to the log (or when the call or the server ends). */
  private nextWrite(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        unsubscribe();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const unsubscribe = this.log.onWrite(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  // --- Append / BatchAppend ---------------------------------------------------------------------------------------

  private append(call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void {
    this.counters.appends += 1;
    let options: import('@eventstore/db-client/generated/streams_pb').AppendReq.Options | undefined;
    const proposed: ProposedEvent[] = [];
    let failed = false;
    call.on('error', () => undefined);
    call.on('data', (request: AppendReq) => {
      try {
        if (request.hasOptions()) options = request.getOptions();
        else if (request.hasProposedMessage()) proposed.push(proposedEvent(request.getProposedMessage()!));
      } catch (error) {
        failed = true;
        callback(asServiceError(error), null);
      }
    });
    call.on('end', () => {
      if (failed) return;
      if (!options) return callback(invalidArgument('Append: options must come first'), null);
      const name = streamName(options.getStreamIdentifier());
      const Case = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
      const expected: ExpectedRevision =
        options.getExpectedStreamRevisionCase() === Case.REVISION
          ? { kind: 'revision', revision: BigInt(options.getRevision()) }
          : options.getExpectedStreamRevisionCase() === Case.NO_STREAM
            ? { kind: 'no_stream' }
            : options.getExpectedStreamRevisionCase() === Case.STREAM_EXISTS
              ? { kind: 'stream_exists' }
              : { kind: 'any' };
      const outcome = this.log.append(name, expected, proposed);
      if (this.crashedAfterCommit()) return;
      if (outcome.kind === 'streamDeleted') return callback(streamDeleted(name), null);
      const response = new streamsPb.AppendResp();
      if (outcome.kind === 'wrongExpectedVersion') {
        const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
        if (outcome.currentRevision === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
        else wrong.setCurrentRevision(outcome.currentRevision.toString());
        if (expected.kind === 'revision') wrong.setExpectedRevision(expected.revision.toString());
        else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
        else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
        else wrong.setExpectedAny(new sharedPb.Empty());
        response.setWrongExpectedVersion(wrong);
      } else {
        const success = new streamsPb.AppendResp.Success();
        if (outcome.currentRevision === undefined) success.setNoStream(new sharedPb.Empty());
        else success.setCurrentRevision(outcome.currentRevision.toString());
        if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
        else {
          const position = new streamsPb.AppendResp.Position();
          position.setCommitPosition(outcome.position.commit.toString());
          position.setPreparePosition(outcome.position.prepare.toString());
          success.setPosition(position);
        }
        response.setSuccess(success);
      }
      callback(null, response);
    });
  }

  private batchAppendCall(call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    const pending = new Map<
      string,
      { options: import('@eventstore/db-client/generated/streams_pb').BatchAppendReq.Options; events: ProposedEvent[] }
    >();
    const signal = this.callSignal(call);
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId();
      const key = correlation ? uuidString(correlation) : '';
      const options = request.getOptions();
      if (options) pending.set(key, { options, events: [] });
      const entry = pending.get(key);
      if (!entry) return;
      for (const message of request.getProposedMessagesList()) entry.events.push(proposedEvent(message));
      if (!request.getIsFinal()) return;
      pending.delete(key);
      this.counters.batchAppends += 1;
      const name = streamName(entry.options.getStreamIdentifier());
      const Case = streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase;
      const option = entry.options.getExpectedStreamPositionCase();
      const expected: ExpectedRevision =
        option === Case.STREAM_POSITION
          ? { kind: 'revision', revision: BigInt(entry.options.getStreamPosition()) }
          : option === Case.NO_STREAM
            ? { kind: 'no_stream' }
            : option === Case.STREAM_EXISTS
              ? { kind: 'stream_exists' }
              : { kind: 'any' };
      const response = batchAppendResponse(name, expected, this.log.append(name, expected, entry.events));
      if (this.crashedAfterCommit()) return;
      if (correlation) response.setCorrelationId(correlation);
      if (!signal.aborted) call.write(response);
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  }

  // --- Delete / Tombstone ----------------------------------------------------------------------------------------

  private deleteStream(
    request: DeleteReq | TombstoneReq,
    hard: boolean,
    callback: sendUnaryData<DeleteResp | TombstoneResp>,
  ): void {
    const options = request.getOptions();
    if (!options) return callback(invalidArgument('Delete: options are required'), null);
    const name = streamName(options.getStreamIdentifier());
    const Case = streamsPb.DeleteReq.Options.ExpectedStreamRevisionCase;
    const option = options.getExpectedStreamRevisionCase() as number;
    const expected: ExpectedRevision =
      option === Case.REVISION
        ? { kind: 'revision', revision: BigInt(options.getRevision()) }
        : option === Case.NO_STREAM
          ? { kind: 'no_stream' }
          : option === Case.STREAM_EXISTS
            ? { kind: 'stream_exists' }
            : { kind: 'any' };
    const outcome = this.log.delete(name, expected, hard);
    if (outcome.kind === 'streamDeleted') return callback(streamDeleted(name), null);
    if (outcome.kind === 'wrongExpectedVersion') {
      const metadata = new Metadata();
      metadata.set('exception', 'wrong-expected-version');
      metadata.set('stream-name', name);
      metadata.set('expected-version', expected.kind === 'revision' ? expected.revision.toString() : '-1');
      if (outcome.currentRevision !== undefined) metadata.set('actual-version', outcome.currentRevision.toString());
      return callback({ code: status.FAILED_PRECONDITION, details: 'Wrong expected version', metadata }, null);
    }
    const response = hard ? new streamsPb.TombstoneResp() : new streamsPb.DeleteResp();
    const position = hard ? new streamsPb.TombstoneResp.Position() : new streamsPb.DeleteResp.Position();
    position.setCommitPosition(outcome.position.commit.toString());
    position.setPreparePosition(outcome.position.prepare.toString());
    (response as DeleteResp).setPosition(
      position as import('@eventstore/db-client/generated/streams_pb').DeleteResp.Position,
    );
    callback(null, response);
  }

  /** Aborted when the client cancels the call, the connection drops, or the server stops. */
  private callSignal(call: {
    on(event: 'cancelled' | 'close' | 'finish' | 'error', listener: () => void): unknown;
  }): AbortSignal {
    const controller = new AbortController();
    const stopping = this.stopping.signal;
    const abort = () => {
      stopping.removeEventListener('abort', abort);
      controller.abort();
    };
    if (stopping.aborted) controller.abort();
    else stopping.addEventListener('abort', abort, { once: true });
    for (const event of ['cancelled', 'close', 'finish', 'error'] as const) call.on(event, abort);
    return controller.signal;
  }
}

// --- messages ---------------------------------------------------------------------------------------------------

function eventResponse(event: TestDoubleEvent, structured: boolean): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuid(event.id, structured));
  recorded.setStreamIdentifier(identifier(event.streamName));
  recorded.setStreamRevision(event.revision.toString());
  recorded.setCommitPosition(event.commit.toString());
  recorded.setPreparePosition(event.prepare.toString());
  const metadata = recorded.getMetadataMap();
  metadata.set('type', event.type);
  metadata.set('content-type', event.contentType);
  metadata.set('created', event.created.toString());
  recorded.setCustomMetadata(event.metadata);
  recorded.setData(event.data);
  const readEvent = new streamsPb.ReadResp.ReadEvent();
  readEvent.setEvent(recorded);
  readEvent.setCommitPosition(event.commit.toString());
  const response = new streamsPb.ReadResp();
  response.setEvent(readEvent);
  return response;
}

function checkpointResponse(position: TestDoublePosition): ReadResp {
  const checkpoint = new streamsPb.ReadResp.Checkpoint();
  checkpoint.setCommitPosition(position.commit.toString());
  checkpoint.setPreparePosition(position.prepare.toString());
  const response = new streamsPb.ReadResp();
  response.setCheckpoint(checkpoint);
  return response;
}

function confirmation(): ReadResp {
  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(crypto.randomUUID());
  const response = new streamsPb.ReadResp();
  response.setConfirmation(confirmation);
  return response;
}

function caughtUp(): ReadResp {
  const response = new streamsPb.ReadResp();
  response.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
  return response;
}

function batchAppendResponse(name: string, expected: ExpectedRevision, outcome: AppendOutcome): BatchAppendResp {
  const response = new streamsPb.BatchAppendResp();
  response.setStreamIdentifier(identifier(name));
  if (expected.kind === 'revision') response.setStreamPosition(expected.revision.toString());
  else if (expected.kind === 'no_stream') response.setNoStream(new GoogleEmpty());
  else if (expected.kind === 'stream_exists') response.setStreamExists(new GoogleEmpty());
  else response.setAny(new GoogleEmpty());
  if (outcome.kind === 'success') {
    const success = new streamsPb.BatchAppendResp.Success();
    if (outcome.currentRevision === undefined) success.setNoStream(new GoogleEmpty());
    else success.setCurrentRevision(outcome.currentRevision.toString());
    if (outcome.position === undefined) success.setNoPosition(new GoogleEmpty());
    else {
      const position = new sharedPb.AllStreamPosition();
      position.setCommitPosition(outcome.position.commit.toString());
      position.setPreparePosition(outcome.position.prepare.toString());
      success.setPosition(position);
    }
    response.setSuccess(success);
    return response;
  }
  const error = new statusPb.Status();
  const details = new Any();
  if (outcome.kind === 'wrongExpectedVersion') {
    const wrong = new sharedPb.WrongExpectedVersion();
    if (outcome.currentRevision === undefined) wrong.setCurrentNoStream(new GoogleEmpty());
    else wrong.setCurrentStreamRevision(outcome.currentRevision.toString());
    if (expected.kind === 'revision') wrong.setExpectedStreamPosition(expected.revision.toString());
    else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new GoogleEmpty());
    else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new GoogleEmpty());
    else wrong.setExpectedAny(new GoogleEmpty());
    details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    error.setCode(status.FAILED_PRECONDITION as number as import('@eventstore/db-client/generated/code_pb').Code);
    error.setMessage('WrongExpectedVersion');
  } else {
    const deleted = new sharedPb.StreamDeleted();
    deleted.setStreamIdentifier(identifier(name));
    details.pack(deleted.serializeBinary(), 'event_store.client.StreamDeleted');
    error.setCode(status.FAILED_PRECONDITION as number as import('@eventstore/db-client/generated/code_pb').Code);
    error.setMessage('StreamDeleted');
  }
  error.setDetails(details);
  response.setError(error);
  return response;
}

function proposedEvent(message: {
  getId(): Uuid | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}): ProposedEvent {
  const id = message.getId();
  const type = message.getMetadataMap().get('type');
  const contentType = message.getMetadataMap().get('content-type');
  if (!id) throw invalidArgument('A proposed message needs an id');
  if (type === undefined) throw requiredMetadata('type');
  if (contentType === undefined) throw requiredMetadata('content-type');
  return {
    id: uuidString(id),
    type,
    contentType,
    data: message.getData_asU8().slice(),
    metadata: message.getCustomMetadata_asU8().slice(),
  };
}

// --- filters ----------------------------------------------------------------------------------------------------

function matcher(filter: FilterOptions): (event: TestDoubleEvent) => boolean {
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) return () => true;
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const pattern = regex ? new RegExp(regex) : undefined;
  return (event) => {
    const value = onStream ? event.streamName : event.type;
    return pattern ? pattern.test(value) : prefixes.some((prefix) => value.startsWith(prefix));
  };
}

// --- helpers ----------------------------------------------------------------------------------------------------

/** Writes with the transport's flow control: waits for drain instead of buffering without bound. */
async function write<T>(call: ServerWritableStream<ReadReq, T>, message: T, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new CallEnded();
  if (!call.write(message))
    await once(call as unknown as NodeJS.EventEmitter, 'drain', { signal }).catch(() => {
      throw new CallEnded();
    });
}

/** The client went away or the server stopped: nothing is left to answer. */
class CallEnded extends Error {
  constructor() {
    super('The call ended');
  }
}

function fail(call: ServerWritableStream<ReadReq, ReadResp>, error: unknown): void {
  if (error instanceof CallEnded || call.cancelled || call.destroyed) return;
  call.emit('error', asServiceError(error));
}

interface ServiceError {
  code: status;
  details: string;
  metadata?: Metadata;
}

function asServiceError(error: unknown): ServiceError {
  if (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof (error as ServiceError).code === 'number'
  ) {
    return error as ServiceError;
  }
  return { code: status.INTERNAL, details: error instanceof Error ? error.message : String(error) };
}

function invalidArgument(details: string): ServiceError {
  return { code: status.INVALID_ARGUMENT, details };
}

function requiredMetadata(property: string): ServiceError {
  const metadata = new Metadata();
  metadata.set('exception', 'missing-required-metadata-property');
  metadata.set('required-metadata-properties', property);
  return { code: status.INVALID_ARGUMENT, details: `Required metadata property ${property} is missing`, metadata };
}

function streamDeleted(name: string): ServiceError {
  const metadata = new Metadata();
  metadata.set('exception', 'stream-deleted');
  metadata.set('stream-name', name);
  return { code: status.FAILED_PRECONDITION, details: `Event stream '${name}' is deleted.`, metadata };
}

function streamName(id: import('@eventstore/db-client/generated/shared_pb').StreamIdentifier | undefined): string {
  if (!id) throw invalidArgument('A stream identifier is required');
  return Buffer.from(id.getStreamName_asU8()).toString('utf8');
}

function identifier(name: string): import('@eventstore/db-client/generated/shared_pb').StreamIdentifier {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(new Uint8Array(Buffer.from(name, 'utf8')));
  return id;
}

function readPosition(position: { getCommitPosition(): string; getPreparePosition(): string }): TestDoublePosition {
  return { commit: BigInt(position.getCommitPosition()), prepare: BigInt(position.getPreparePosition()) };
}

function uuid(value: string, structured: boolean): Uuid {
  const message = new sharedPb.UUID();
  if (!structured) {
    message.setString(value);
    return message;
  }
  const hex = value.replace(/-/g, '');
  const parts = new sharedPb.UUID.Structured();
  parts.setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString());
  parts.setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
  message.setStructured(parts);
  return message;
}

function uuidString(message: Uuid): string {
  if (message.hasString()) return message.getString();
  const parts = message.getStructured();
  if (!parts) return '';
  const hex =
    BigInt.asUintN(64, BigInt(parts.getMostSignificantBits())).toString(16).padStart(16, '0') +
    BigInt.asUintN(64, BigInt(parts.getLeastSignificantBits())).toString(16).padStart(16, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
