// Archives and the questions they raise: opening an archive with the known
// passwords of its source, checking a password a person provided by using it,
// and the audit of who answered.
import { resolveEnvRefs } from '../config/env.js';
import { extractZip, UnsafeArchiveError, type ExtractLimits, type ExtractOutcome } from '../archive/extract.js';
import type { InterventionAuditEntry } from '../store/history.js';
import type { VerifySpec } from '../workflows/intervention.js';
import type { ActivityDeps } from './deps.js';
import { resolveOrFail, scrubbed, whileHeartbeating } from './guards.js';

export function archiveActivities(deps: ActivityDeps) {
  return {
    /**
     * Opens an archive without a password, then with each known password of its
     * source (references resolved here). Reports whether someone must be asked.
     */
    async extractArchive(input: {
      archive: string;
      destination: string;
      knownPasswords: string[];
      limits: ExtractLimits;
    }): Promise<ExtractOutcome> {
      const secrets = new Set<string>();
      const passwords = resolveOrFail(() =>
        resolveEnvRefs(input.knownPasswords, deps.env ?? process.env, 'archives.sources', secrets),
      );
      return whileHeartbeating(async () => {
        try {
          let outcome = await extractZip(input.archive, input.destination, { limits: input.limits });
          for (const password of passwords) {
            if (outcome.status === 'extracted') break;
            outcome = await extractZip(input.archive, input.destination, { password, limits: input.limits });
          }
          return outcome;
        } catch (err) {
          throw scrubbed(
            err,
            secrets,
            err instanceof UnsafeArchiveError ? 'UnsafeArchiveError' : 'ArchiveError',
            err instanceof UnsafeArchiveError,
          );
        }
      });
    },

    /** Checks what an operator provided by using it: a password is right if it extracts the archive. */
    async verifyInterventionInput(input: {
      verify: VerifySpec;
      input: string;
    }): Promise<{ ok: boolean; message: string; outcome?: Record<string, unknown> }> {
      const v = input.verify;
      return whileHeartbeating(async () => {
        let outcome: ExtractOutcome;
        try {
          outcome = await extractZip(v.archive, v.destination, { password: input.input, limits: v.limits });
        } catch (err) {
          throw scrubbed(
            err,
            [input.input],
            err instanceof UnsafeArchiveError ? 'UnsafeArchiveError' : 'ArchiveError',
            err instanceof UnsafeArchiveError,
          );
        }
        if (outcome.status === 'extracted')
          return {
            ok: true,
            message: 'extracted',
            outcome: { files: outcome.files, bytes: outcome.bytes, destination: outcome.destination },
          };
        return {
          ok: false,
          message: `wrong password for ${v.archive}: it does not open the archive; the question stays open`,
        };
      });
    },

    async recordInterventionAudit(input: { interventionId: string; entry: InterventionAuditEntry }): Promise<void> {
      await deps.store.recordInterventionAudit(input.interventionId, input.entry);
    },
  };
}
