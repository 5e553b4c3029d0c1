// The failure converter of a worker or client with payload keys: failure messages and stack traces (which can hold
// file names, source paths and partner messages) move into an encoded payload, so the codec encrypts them too.
// Plain CommonJS on purpose: the SDK loads it by path, with require() in the main thread and with webpack into the
// workflow bundle, and both must work whether or not a TypeScript loader is present (see common/data-converter.ts).
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
