// Whether a process traces, read from the standard OpenTelemetry variables so that a collector, an agent's sidecar or
// a SaaS backend is configured the way every other service of the company is. Tracing is opt-in: a process with
// no OTLP endpoint traces nothing and loads none of the SDK (./setup.ts).
import { z } from 'zod';
import { parseEnv } from '../common/env';

const otlpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://otel-collector:4318' });
const protocol = z.enum(['http/protobuf', 'http/json'], {
  error: 'must be http/protobuf or http/json (this build exports OTLP over HTTP; gRPC is not included)',
});

const tracingEnvSchema = z.object({
  // The specification: only "true", in any case, disables; any other value leaves the SDK on.
  OTEL_SDK_DISABLED: z
    .string()
    .transform((value) => value.trim().toLowerCase() === 'true')
    .optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none'], { error: 'must be otlp or none' }).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol.optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
});

export type OtlpProtocol = z.output<typeof protocol>;

export type TracingSettings =
  | {
      enabled: false;
      serviceName: string;
      /** Which variable made it off, for the start-up log line. */
      why: string;
      /** OTEL_SDK_DISABLED=true: off even for a span processor given in code. */
      sdkDisabled: boolean;
    }
  | { enabled: true; serviceName: string; tracesUrl: string; protocol: OtlpProtocol };

/**
 * The process's tracing from its environment. `serviceName` is the process's own name (kyc-worker, …), used unless
 * OTEL_SERVICE_NAME says otherwise. A malformed variable throws a ConfigError naming it, never echoing its value.
 */
export function tracingSettings(env: NodeJS.ProcessEnv, serviceName: string): TracingSettings {
  const parsed = parseEnv(tracingEnvSchema, env, { title: 'Invalid tracing configuration' });
  const name = parsed.OTEL_SERVICE_NAME ?? serviceName;
  const off = (why: string) => ({ enabled: false as const, serviceName: name, why, sdkDisabled: false });
  if (parsed.OTEL_SDK_DISABLED) return { ...off('OTEL_SDK_DISABLED=true'), sdkDisabled: true };
  if (parsed.OTEL_TRACES_EXPORTER === 'none') return off('OTEL_TRACES_EXPORTER=none');
  const tracesUrl =
    parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (parsed.OTEL_EXPORTER_OTLP_ENDPOINT && signalUrl(parsed.OTEL_EXPORTER_OTLP_ENDPOINT));
  if (!tracesUrl) return off('neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set');
  return {
    enabled: true,
    serviceName: name,
    tracesUrl,
    // The specification's default for OTLP over HTTP.
    protocol: parsed.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? parsed.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
  };
}

/** The specification: the base endpoint gets /v1/traces appended; the per-signal one is used as it is. */
function signalUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}
