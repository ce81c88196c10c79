// Failures with their message and stack moved into an encoded payload, so the
// payload codec encrypts them like any other data (an error can quote a value).
// A module of its own because the SDK loads it by path, in workflow code too;
// CommonJS, because the SDK require()s it.
//
// Except the failures written for operators: their messages are composed by
// pipewatch from names and reasons that hold no secret (a refused archive, an
// answer refused, an ingest aborted by someone), and the person reading them in
// `temporal workflow describe` or the Web UI may not have the payload key, so
// they stay readable. Their causes are judged on their own, level by level.
const { DefaultFailureConverter } = require('@temporalio/common');

/** ApplicationFailure types whose message is for operators and holds no secret. */
const OPERATOR_FACING_TYPES = ['ArchiveRefused', 'AnswerRefused', 'Aborted'];

class PipewatchFailureConverter extends DefaultFailureConverter {
  constructor() {
    super({ encodeCommonAttributes: true });
    this.plain = new DefaultFailureConverter({ encodeCommonAttributes: false });
  }

  errorToFailure(err, payloadConverter, context) {
    const operatorFacing = err && err.name === 'ApplicationFailure' && OPERATOR_FACING_TYPES.includes(err.type);
    if (!operatorFacing) return super.errorToFailure(err, payloadConverter, context);
    const failure = this.plain.errorToFailure(err, payloadConverter, context);
    // The plain converter left the causes readable too: convert them again, each judged on its own.
    if (err.cause) failure.cause = this.errorToFailure(err.cause, payloadConverter, context);
    failure.stackTrace = '';
    return failure;
  }
}

exports.OPERATOR_FACING_TYPES = OPERATOR_FACING_TYPES;
exports.failureConverter = new PipewatchFailureConverter();
