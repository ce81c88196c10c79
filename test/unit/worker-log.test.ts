// The worker's log lines (workers/logger.ts): an expected domain failure is one line with its reason
// and workflow; anything unexpected keeps its stack.
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { formatEntry, isExpectedFailure } from '../../workers/logger.js';

const at = 1_764_000_000_000n * 1_000_000n;

describe('worker log lines', () => {
  test('a non-retryable ApplicationFailure is one line with the reason and the workflow', () => {
    const error = ApplicationFailure.create({
      message: 'record r-17 has an unknown format "xml"',
      type: 'UnknownFormat',
      nonRetryable: true,
    });
    const line = formatEntry(
      {
        level: 'WARN',
        message: 'Activity failed',
        meta: { error, workflowId: 'pipewatch-demo/record/r-17', activityType: 'demoParseOne' },
        timestampNanos: at,
      },
      false,
    );
    expect(line).toBe(
      '2025-11-24T16:00:00.000Z [WARN] Activity failed: UnknownFormat: record r-17 has an unknown format "xml" (workflowId=pipewatch-demo/record/r-17 activityType=demoParseOne)',
    );
    expect(line.split('\n')).toHaveLength(1);
  });

  test('an activity failure seen by a workflow is judged by what the activity threw', () => {
    const cause = ApplicationFailure.create({
      message: 'entry "../x" leaves the destination (zip-slip)',
      type: 'UnsafeArchiveError',
      nonRetryable: true,
    });
    const wrapped = new ActivityFailure(
      'Activity task failed',
      'extractArchive',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      undefined,
      cause,
    );
    expect(isExpectedFailure(wrapped)).toBe(true);
    const line = formatEntry(
      {
        level: 'WARN',
        message: 'Workflow failed',
        meta: { error: wrapped, workflowId: 'pipewatch-archive/a.zip' },
        timestampNanos: at,
      },
      false,
    );
    expect(line).toContain(
      'UnsafeArchiveError: entry "../x" leaves the destination (zip-slip) (workflowId=pipewatch-archive/a.zip)',
    );
  });

  test('a failure that reached "Workflow failed" was thrown on purpose, even with its fields lost in the thread clone', () => {
    // What structured clone makes of an ApplicationFailure: a plain Error whose stack still names the class.
    const cloned = structuredClone(
      ApplicationFailure.create({
        message: 'a.zip was refused and nothing was extracted: zip-slip',
        type: 'ArchiveRefused',
        nonRetryable: true,
      }),
    );
    expect(cloned.name).toBe('Error');
    expect(
      formatEntry(
        {
          level: 'WARN',
          message: 'Workflow failed',
          meta: { error: cloned, workflowId: 'pipewatch-archive/a.zip' },
          timestampNanos: at,
        },
        false,
      ),
    ).toBe(
      '2025-11-24T16:00:00.000Z [WARN] Workflow failed: a.zip was refused and nothing was extracted: zip-slip (workflowId=pipewatch-archive/a.zip)',
    );
    // An activity's plain Error stays unexpected.
    expect(isExpectedFailure(new Error('boom'), 'workflow')).toBe(false);
  });

  test('an unexpected error keeps its stack', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'rows')");
    const line = formatEntry(
      { level: 'WARN', message: 'Activity failed', meta: { error, workflowId: 'w' }, timestampNanos: at },
      false,
    );
    expect(line).toContain('TypeError');
    expect(line.split('\n').length).toBeGreaterThan(2);
  });

  test('a retryable ApplicationFailure is not taken as expected', () => {
    expect(isExpectedFailure(ApplicationFailure.create({ message: 'connection reset', type: 'SourceError' }))).toBe(
      false,
    );
  });

  test('at debug level every failure keeps its detail', () => {
    const error = ApplicationFailure.create({ message: 'aborted', type: 'Aborted', nonRetryable: true });
    const line = formatEntry(
      { level: 'WARN', message: 'Workflow failed', meta: { error, workflowId: 'w' }, timestampNanos: at },
      true,
    );
    expect(line.split('\n').length).toBeGreaterThan(2);
  });
});
