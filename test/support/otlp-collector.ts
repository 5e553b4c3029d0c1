// A stand-in OpenTelemetry collector for tests: takes OTLP/HTTP JSON trace exports (POST /v1/traces) and keeps each
// raw body (for scans) and the spans in it (for assertions). OTLP/JSON carries ids as hex and attributes as
// [{ key, value: { stringValue | intValue | … } }].
import { createServer } from 'node:http';
import { listenOnFreePort } from '../../scripts/ports';

export interface CollectedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  attributes: Record<string, unknown>;
  serviceName: unknown;
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<Omit<CollectedSpan, 'attributes' | 'serviceName'> & { attributes?: OtlpKeyValue[] }>;
    }>;
  }>;
}

const flat = (attributes: OtlpKeyValue[] = []) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]));

export async function startOtlpCollector() {
  const bodies: string[] = [];
  const spans: CollectedSpan[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !/json/.test(req.headers['content-type'] ?? '')) {
        return void res.writeHead(400).end();
      }
      bodies.push(raw);
      for (const resourceSpans of (JSON.parse(raw) as OtlpExport).resourceSpans ?? []) {
        const serviceName = flat(resourceSpans.resource?.attributes)['service.name'];
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) spans.push({ ...span, attributes: flat(span.attributes), serviceName });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await listenOnFreePort(server);
  return {
    /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
    url: `http://127.0.0.1:${port}`,
    bodies,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
