// One log format for every process: JSON lines on stdout with `level` (a name), `time` (ISO 8601) and `msg`.
// The worker routes the Temporal SDK's own logger (workflow, activity and core logs) into the same pino
// instance, so a workflow's lines carry its `workflowId` and can be found by it. Never log secrets or documents.
import pino, { type LoggerOptions } from 'pino';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevelName = (typeof logLevels)[number];

/** The pino options every process uses (fastify takes them as its `logger` option too). */
export function jsonLoggerOptions(level: LogLevelName, service: string): LoggerOptions {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** A JSON logger writing synchronously to stdout, so nothing is lost when the process exits. */
export function createJsonLogger(level: LogLevelName, service: string): pino.Logger {
  return pino(jsonLoggerOptions(level, service), pino.destination({ dest: 1, sync: true }));
}

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's Logger interface over pino, for `Runtime.install({ logger })`. */
export class PinoSdkLogger implements Logger {
  constructor(private readonly pino: pino.Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const fields: Record<string, unknown> = { ...meta };
    // pino serializes errors under `err` only (message, stack, type); the SDK puts them under `error` or `failure`.
    for (const key of ['error', 'failure']) {
      if (fields[key] instanceof Error && fields.err === undefined) {
        fields.err = fields[key];
        delete fields[key];
      }
    }
    this.pino[pinoLevel[level] ?? 'info'](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
