// Failures with their message and stack moved into an encoded payload, so the
// payload codec encrypts them like any other data (an error can quote a value).
// A module of its own because the SDK loads it by path, in workflow code too;
// CommonJS, because the SDK require()s it.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
