// The SDK DataConverter every Temporal client and worker of this project uses, built from KYC_PAYLOAD_KEYS.
// With keys: payloads are encrypted (./payload-codec.ts) and failure messages/stack traces are encoded with them.
// Without keys: plain payloads, and the worker and receiver say so once at start.
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, parsePayloadKeys, PAYLOAD_KEYS_VARIABLE, type PayloadKey } from './payload-codec';

/**
 * A module exporting `failureConverter` (DefaultFailureConverter with encodeCommonAttributes). The SDK takes failure
 * converters by path only, because the workflow sandbox bundles its own copy: a prebuilt workflow bundle
 * (KYC_WORKFLOW_BUNDLE) must be built with `bundleWorkflowCode({ workflowsPath, failureConverterPath })` too, or
 * failures raised by workflow code keep their messages in plain text.
 */
export const failureConverterPath = join(__dirname, 'failure-converter.js');

export function kycDataConverter(keys: PayloadKey[]): DataConverter {
  if (keys.length === 0) return {};
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath };
}

/** Reads KYC_PAYLOAD_KEYS; throws PayloadKeysError (naming the variable, never a key) when it is malformed. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter {
  return kycDataConverter(parsePayloadKeys(env[PAYLOAD_KEYS_VARIABLE]));
}

/** The one warning a worker or receiver prints at start when payloads will be stored in the clear. */
export function payloadEncryptionWarning(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (parsePayloadKeys(env[PAYLOAD_KEYS_VARIABLE]).length > 0) return undefined;
  return `${PAYLOAD_KEYS_VARIABLE} is unset: workflow inputs, results and failures are stored in Temporal in plain text`;
}
