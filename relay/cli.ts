/**
 * `npm run relay [-- command]`: the relay's one entry point.
 *   (no command)      start the relay
 *   tenant add        --client-id … --client-secret … [--callback-token … --callback-aes-key …]
 *   tenant list
 *   tenant remove     --client-id …
 * Commands print sentences for people on stdout; the structured log goes to stdout when serving and to stderr
 * for the tenant commands, so their output stays readable.
 */
import { parseArgs } from 'node:util';
import { createLogger } from './log';
import { ConfigurationError, openRelay, type OpenOptions } from './open';
import { serve } from './serve';
import { TenantInputError } from './tenants';

export const USAGE = `Usage:
  npm run relay                                   start the relay (configuration: README, "Run the relay")
  npm run relay -- tenant add --client-id ID --client-secret SECRET [--callback-token TOKEN --callback-aes-key KEY]
  npm run relay -- tenant list
  npm run relay -- tenant remove --client-id ID`;

type Output = (line: string) => void;

async function tenantCommand(action: string | undefined, args: string[], options: OpenOptions, print: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'client-id': { type: 'string' }, 'client-secret': { type: 'string' }, 'callback-token': { type: 'string' }, 'callback-aes-key': { type: 'string' } },
    strict: true,
  });
  if (action !== 'add' && action !== 'list' && action !== 'remove') {
    print(`Unknown tenant command "${action ?? ''}".\n${USAGE}`);
    return 2;
  }
  const relay = await openRelay(options);
  try {
    if (action === 'add') {
      await relay.tenants.add({
        clientId: values['client-id'] ?? '',
        clientSecret: values['client-secret'] ?? '',
        callbackToken: values['callback-token'],
        callbackAesKey: values['callback-aes-key'],
      });
      print(`Added ${values['client-id']}: DingTalk accepted its credentials, and they are stored encrypted.`);
    } else if (action === 'list') {
      const tenants = await relay.tenants.list();
      if (tenants.length === 0) print('No tenants yet. Add one with: npm run relay -- tenant add --client-id … --client-secret …');
      for (const tenant of tenants) print(`${tenant.clientId}  added ${tenant.addedAt}  ${tenant.httpPush ? 'Stream and HTTP push' : 'Stream'}`);
    } else {
      const clientId = values['client-id'];
      if (!clientId) {
        print('tenant remove needs --client-id: the Client ID to remove (see tenant list).');
        return 2;
      }
      const removed = await relay.tenants.remove(clientId);
      print(removed ? `Removed ${clientId}: its secrets are erased, and a running relay closes its connections within seconds.` : `No tenant ${clientId} (see tenant list).`);
      if (!removed) return 1;
    }
    return 0;
  } finally {
    await relay.store.close();
  }
}

/** Runs one command; resolves to the exit code (serving resolves once the relay has started). */
export async function main(argv: string[], print: Output = (line) => process.stdout.write(`${line}\n`), options: OpenOptions = {}): Promise<number> {
  const [command, action, ...rest] = argv;
  const log = options.log ?? createLogger(command === 'tenant' ? (line) => process.stderr.write(`${line}\n`) : undefined);
  options = { ...options, log };
  try {
    if (command === undefined || command === 'serve') {
      const serving = await serve(await openRelay(options));
      const stop = () => void serving.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return 0;
    }
    if (command === 'tenant') return await tenantCommand(action, rest, options, print);
    print(command === 'help' || command === '--help' ? USAGE : `Unknown command "${command}".\n${USAGE}`);
    return command === 'help' || command === '--help' ? 0 : 2;
  } catch (error) {
    const message = log.scrub(error instanceof Error ? error.message : String(error));
    if (error instanceof ConfigurationError || error instanceof TenantInputError) {
      print(message);
      return 2;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      print(`${message}\n${USAGE}`);
      return 2;
    }
    print(message);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exitCode = code;
  });
}
