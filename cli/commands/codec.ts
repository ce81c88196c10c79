// `pipewatch codec-key` and `pipewatch codec-server`: the keys that encrypt payloads, and the endpoint
// the Temporal Web UI and CLI decode them with (workers/codec.ts, workers/codec-server.ts).
import type { Command } from 'commander';
import { CliError } from '../output.js';

export function registerCodecCommands(program: Command): void {
  program
    .command('codec-key')
    .description(
      'print a new payload encryption key line for PIPEWATCH_CODEC_KEYS (put it first to rotate; keep old keys after it)',
    )
    .action(async () => {
      const { newKeyLine } = await import('../../workers/codec.js');
      process.stdout.write(`${newKeyLine()}\n`);
    });

  program
    .command('codec-server')
    .description(
      'serve /encode and /decode for the Temporal Web UI (--ui-codec-endpoint) and the temporal CLI (--codec-endpoint)',
    )
    .option('--port <port>', 'port', '8888')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--origin <url...>', 'Web UI origins allowed to call it (CORS)', [
      'http://127.0.0.1:8233',
      'http://localhost:8233',
    ])
    .action(async (opts: { port: string; host: string; origin: string[] }) => {
      const { AesGcmCodec, codecKeys } = await import('../../workers/codec.js');
      const { startCodecServer } = await import('../../workers/codec-server.js');
      const keys = codecKeys();
      if (!keys)
        throw new CliError(
          'no keys: set PIPEWATCH_CODEC_KEYS or PIPEWATCH_CODEC_KEY_FILE (generate one with: pipewatch codec-key)',
        );
      const server = await startCodecServer({
        codec: new AesGcmCodec(keys),
        port: Number(opts.port),
        host: opts.host,
        origins: opts.origin,
        token: process.env.PIPEWATCH_CODEC_TOKEN,
      });
      process.stdout.write(
        `codec server on ${server.url} for ${opts.origin.join(', ')}${process.env.PIPEWATCH_CODEC_TOKEN ? ' (bearer token required)' : ''}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.stop();
    });
}
