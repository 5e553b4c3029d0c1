// Workflow histories as the JSON files other Temporal tools write (`temporal workflow show --output json`), for
// scripts/record-histories.ts and test/replay.test.ts. Public APIs only: `@temporalio/proto`'s root (already patched
// to match its generated types) and the protojson of the protobufjs copy that root was built with. The SDK's own
// historyToJSON/historyFromJSON are not exported publicly, and internal modules break on upgrades.
import { createRequire } from 'node:module';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

let loaded: ReturnType<typeof load> | undefined;

function load() {
  // The CommonJS module itself (not an ESM namespace view of it, which protobufjs cannot walk under vitest).
  const proto = createRequire(__filename)('@temporalio/proto') as typeof import('@temporalio/proto') & {
    lookupType(name: string): unknown;
  };
  const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
  return { proto, protojson, historyType: proto.lookupType('temporal.api.history.v1.History') };
}

const protoJson = () => (loaded ??= load());

export function historyToJson(history: History): string {
  const { proto, protojson, historyType } = protoJson();
  return JSON.stringify(
    protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)),
    null,
    2,
  );
}

/** Unknown fields (a history written by a newer server) are skipped, as the SDK's own reader does. */
export function historyFromJson(json: string): History {
  const { protojson, historyType } = protoJson();
  return protojson.fromJson(historyType, JSON.parse(json), { ignoreUnknownFields: true }) as History;
}
