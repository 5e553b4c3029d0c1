// What a span may carry out of the process. Traces go to a collector and a tracing backend that see neither our
// payload encryption nor our log rules, so every span passes through here on its way out:
// - URLs lose their query string and any user:password: a pre-signed upload URL's query IS its credential
//   (the HTTP instrumentations record url.full, http.url and http.target with it);
// - attribute values that are not OpenTelemetry attribute values (objects) are dropped: the Temporal workflow
//   exporter copies the run's whole WorkflowInfo onto its spans, search attributes (the customer reference) and
//   memo included;
// - error messages and stack traces are dropped, the error's type kept: a failure's message may name a document,
//   a path or a reference (workflow history keeps them encrypted for that reason, common/data-converter.ts). The
//   message is in the logs, whose activity lines carry the same trace_id.
import type { Context } from '@opentelemetry/api';
import type { Attributes, AttributeValue, Link, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** Attributes that hold a whole URL (stable and older HTTP semantic conventions). */
const urlAttributes = new Set(['url.full', 'http.url']);
/** A request target: path and query (older conventions). */
const targetAttributes = new Set(['http.target']);
/** The query on its own. */
const queryAttributes = new Set(['url.query']);
/** What an exception event may keep. */
const exceptionKept = new Set(['exception.type', 'exception.escaped']);

/** Hands every ended span, redacted, to `next` (the exporting processor). */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(redactedSpan(span));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/** A copy of `span` with only what may leave the process. */
export function redactedSpan(span: ReadableSpan): ReadableSpan {
  const spanContext = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanId: span.parentSpanId,
    startTime: span.startTime,
    endTime: span.endTime,
    status: redactedStatus(span.status),
    attributes: redactedAttributes(span.attributes),
    links: span.links.map(redactedLink),
    events: span.events.map(redactedEvent),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

export function redactedAttributes(attributes: Attributes): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (queryAttributes.has(key)) continue;
    const safe = redactedValue(key, value);
    if (safe !== undefined) kept[key] = safe;
  }
  return kept;
}

function redactedValue(key: string, value: unknown): AttributeValue | undefined {
  if (typeof value === 'string') return redactedString(key, value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) {
    return value.map((item: unknown) =>
      typeof item === 'string' ? redactedString(key, item) : item,
    ) as AttributeValue;
  }
  return undefined;
}

function redactedString(key: string, value: string): string {
  if (targetAttributes.has(key)) return value.split('?')[0]!;
  if (urlAttributes.has(key) || /^[a-z][a-z0-9+.-]*:\/\/\S*[?@]/i.test(value)) return withoutQuery(value);
  return value;
}

/** scheme://host/path: without user:password, query or fragment. */
export function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url.split(/[?#]/)[0]!.replace(/\/\/[^/@]*@/, '//');
  }
}

function redactedStatus(status: SpanStatus): SpanStatus {
  return { code: status.code };
}

function redactedEvent(event: TimedEvent): TimedEvent {
  const attributes = event.attributes && redactedAttributes(event.attributes);
  if (event.name !== 'exception' || !attributes) return { ...event, ...(attributes ? { attributes } : {}) };
  return {
    ...event,
    attributes: Object.fromEntries(Object.entries(attributes).filter(([key]) => exceptionKept.has(key))),
  };
}

function redactedLink(link: Link): Link {
  return link.attributes ? { ...link, attributes: redactedAttributes(link.attributes) } : link;
}
