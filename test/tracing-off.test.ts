// Tracing is opt-in, from the standard OpenTelemetry variables (tracing/settings.ts). Off — no endpoint, or
// OTEL_SDK_DISABLED=true — it costs nothing: no tracer provider (a span is never recorded), no HTTP instrumentation,
// none of the SDK loaded, and the worker is built exactly as without tracing, so its workflow bundle is unchanged.
// This file never turns tracing on: the process-wide state it checks is the off state (tracing.test.ts turns it on).
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from '../common/env';
import { tracingSettings } from '../tracing/settings';
import { setupTracing } from '../tracing/setup';
import { workflowsPath } from '../worker/create-worker';
import { workflowCode } from '../worker/workflow-code';
import { kycWorkflowModules } from '../worker/workflow-modules';
import { workflowBundle } from './support/temporal';

describe('tracing settings', () => {
  it('is off without an OTLP endpoint, and says why', () => {
    expect(tracingSettings({}, 'kyc-worker')).toEqual({
      enabled: false,
      serviceName: 'kyc-worker',
      why: 'neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set',
      sdkDisabled: false,
    });
  });

  it('exports to the base endpoint’s /v1/traces, or to the traces endpoint as given, over OTLP/HTTP protobuf by default', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'kyc-worker')).toEqual({
      enabled: true,
      serviceName: 'kyc-worker',
      tracesUrl: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
    });
    const specific = tracingSettings(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp/spans',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'kyc-worker-eu',
      },
      'kyc-worker',
    );
    expect(specific).toEqual({
      enabled: true,
      serviceName: 'kyc-worker-eu',
      tracesUrl: 'https://traces.example/otlp/spans',
      protocol: 'http/json',
    });
  });

  it('OTEL_SDK_DISABLED=true (in any case) and OTEL_TRACES_EXPORTER=none turn it off despite an endpoint', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' }, 'w')).toMatchObject({
      enabled: false,
      sdkDisabled: true,
    });
    expect(tracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'false' }, 'w').enabled).toBe(true);
    expect(tracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }, 'w')).toMatchObject({
      enabled: false,
      why: 'OTEL_TRACES_EXPORTER=none',
    });
  });

  it('refuses a malformed variable by name, without echoing its value', () => {
    const settings = () =>
      tracingSettings(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector-token-s3cr3t', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
        'kyc-worker',
      );
    expect(settings).toThrow(ConfigError);
    expect(settings).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/);
    expect(settings).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json/);
    expect(settings).not.toThrow(/s3cr3t/);
  });
});

describe('tracing off', () => {
  it('sets up nothing: no provider, no HTTP instrumentation, none of the SDK loaded', async () => {
    const tracing = await setupTracing({ serviceName: 'kyc-worker', env: {} });
    expect(tracing).toMatchObject({ enabled: false, clientInterceptors: {} });
    // Switched off, even a span processor given in code receives nothing.
    const ended: unknown[] = [];
    const processor: SpanProcessor = {
      onStart: () => undefined,
      onEnd: (span) => void ended.push(span),
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    };
    const disabled = await setupTracing({
      serviceName: 'kyc-worker',
      env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      spanProcessor: processor,
    });
    expect(disabled.enabled).toBe(false);

    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(ended).toEqual([]);
    expect('__wrapped' in http.request).toBe(false);
    expect('__wrapped' in https.request).toBe(false);
    expect(diagnosticsChannel.hasSubscribers('undici:request:create')).toBe(false);
    expect(Object.keys(require.cache).filter((path) => path.includes('@opentelemetry/sdk-trace'))).toEqual([]);
  });

  it('builds the worker as without tracing: only the KYC workflow modules in the bundle it makes or is given', async () => {
    const off = await setupTracing({ serviceName: 'kyc-worker', env: {} });
    // Bundled at start: workflowsPath with the stale-activation guard, and no tracing module or sink.
    const atStart = { options: { workflowsPath, interceptors: { workflowModules: kycWorkflowModules } } };
    expect(await workflowCode(workflowsPath, undefined, off)).toEqual(atStart);
    expect(await workflowCode(workflowsPath, undefined, undefined)).toEqual(atStart);
    // Prebuilt with the guard: used as given. The one sink only drops the spans a traced bundle would send.
    const prebuilt = workflowBundle();
    const code = await workflowCode(workflowsPath, prebuilt, off);
    expect(code.options.workflowBundle).toBe(prebuilt);
    expect(code.options.workflowsPath).toBeUndefined();
    expect(code.options.interceptors).toBeUndefined();
    expect(Object.keys(code.options.sinks ?? {})).toEqual(['exporter']);
    expect(code.notice).toBeUndefined();
  });

  it('bundles at start, and says why, when a prebuilt bundle lacks the stale-activation guard', async () => {
    const withoutGuard = await workflowCode(workflowsPath, { code: '/* built without the guard */' }, undefined);
    expect(withoutGuard.options).toEqual({ workflowsPath, interceptors: { workflowModules: kycWorkflowModules } });
    expect(withoutGuard.notice).toMatch(/built without the stale-activation guard: bundling the workflows/);
    await expect(workflowCode(workflowsPath, { codePath: '/nowhere/workflow-bundle.js' }, undefined)).rejects.toThrow(
      /cannot read the prebuilt workflow bundle \/nowhere\/workflow-bundle.js \(KYC_WORKFLOW_BUNDLE\): ENOENT/,
    );
  });
});
