// Workflow histories as the JSON files other Temporal tools write (`temporal workflow show --output json`), for
// scripts/record-histories.ts and test/replay.test.ts. The SDK's historyToJSON/historyFromJSON come first; when the
// install holds two copies of protobufjs (here @temporalio/common's and @temporalio/proto's, both 8.8.1, not
// deduplicated because grpc pins 7.x at the top), they fail with "type must be a Type", and the protojson of
// @temporalio/proto's own protobufjs — the copy its types were built with — does the same conversion.
import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

function protoJson() {
  // The CommonJS module itself (not an ESM namespace view of it, which the root patch cannot walk under vitest).
  const proto = createRequire(__filename)('@temporalio/proto') as typeof import('@temporalio/proto');
  const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
  const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
  return { proto, protojson, historyType: root.lookupType('temporal.api.history.v1.History') };
}

const isDuplicateProtobuf = (err: unknown) => err instanceof TypeError && /must be a Type/.test(err.message);

export function historyToJson(history: History): string {
  try {
    return historyToJSON(history);
  } catch (err) {
    if (!isDuplicateProtobuf(err)) throw err;
    const { proto, protojson, historyType } = protoJson();
    return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
  }
}

export function historyFromJson(json: string): History {
  const parsed: unknown = JSON.parse(json);
  try {
    return historyFromJSON(parsed);
  } catch (err) {
    if (!isDuplicateProtobuf(err)) throw err;
    const { protojson, historyType } = protoJson();
    return protojson.fromJson(historyType, parsed, { ignoreUnknownFields: true }) as History;
  }
}
