/**
 * Runs the DingTalk sandbox until Ctrl-C:
 *   npm run sandbox -- --port 8787 [--db sandbox.db] [--token-ttl 60] [--quota 100] [--latency 50] [--qps 20] [--no-seed]
 *   events: [--push-quota 3000] [--redeliver-after ms] [--ack-delay ms] [--duplicate-rate 0.05] [--disconnect-close ms]
 *           [--ping-interval ms] [--http-push URL --push-token TOKEN --push-aes-key KEY]
 * Prints the URL, the fake credentials and a .env snippet for `zapier-platform invoke` and scripts.
 */
import { credentialProblems } from '../dingtalk/events/crypto';
import type { EventOptions } from './events/hub';
import type { HttpPushTarget } from './events/push';
import { createSandbox, type SandboxOptions } from './index';

const USAGE = [
  'Usage: node build/tools/sandbox/cli.js [--port 8787] [--host 127.0.0.1] [--db file] [--token-ttl seconds] [--quota calls] [--latency ms] [--qps n] [--no-seed]',
  '  events: [--push-quota pushes] [--redeliver-after ms] [--ack-delay ms] [--duplicate-rate 0-1] [--disconnect-close ms] [--ping-interval ms]',
  '          [--http-push URL --push-token TOKEN --push-aes-key KEY]   (HTTP push instead of Stream)',
].join('\n');

function parse(args: string[]): SandboxOptions {
  const options: SandboxOptions = { port: 8787 };
  const events: EventOptions = {};
  const push: Partial<HttpPushTarget> = {};
  const number = (flag: string, value: string | undefined) => {
    const parsed = Number(value);
    if (value === undefined || !Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag} needs a number\n${USAGE}`);
    return parsed;
  };
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i]!;
    const value = args[i + 1];
    switch (flag) {
      case '--port': options.port = number(flag, value); break;
      case '--host': options.host = value; break;
      case '--db': options.dbFile = value; break;
      case '--token-ttl': options.tokenTtlSeconds = number(flag, value); break;
      case '--quota': options.monthlyQuota = number(flag, value); break;
      case '--latency': options.latencyMs = number(flag, value); break;
      case '--qps': options.qpsLimit = number(flag, value); break;
      case '--no-seed': options.seed = false; continue;
      case '--push-quota': events.pushQuota = number(flag, value); break;
      case '--redeliver-after': events.redeliverAfterMs = number(flag, value); break;
      case '--ack-delay': events.ackDelayMs = number(flag, value); break;
      case '--duplicate-rate': events.duplicateRate = number(flag, value); break;
      case '--disconnect-close': events.disconnectCloseMs = number(flag, value); break;
      case '--ping-interval': events.pingIntervalMs = number(flag, value); break;
      case '--http-push': push.url = value; break;
      case '--push-token': push.token = value; break;
      case '--push-aes-key': push.aesKey = value; break;
      case '--help': console.log(USAGE); return process.exit(0);
      default: throw new Error(`Unknown option ${flag}\n${USAGE}`);
    }
    i += 1;
  }
  if (push.url || push.token || push.aesKey) {
    if (!push.url || !push.token || !push.aesKey) throw new Error(`HTTP push needs all three of --http-push, --push-token and --push-aes-key\n${USAGE}`);
    const problems = credentialProblems({ token: push.token, aesKey: push.aesKey, ownerKey: 'app' });
    if (problems.length > 0) throw new Error(problems.join('\n'));
    events.httpPush = { url: push.url, token: push.token, aesKey: push.aesKey };
  }
  return { ...options, events };
}

/** Node's EADDRINUSE as a sentence that says what to do. */
function portTaken(error: unknown, port: number | undefined): Error | undefined {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return undefined;
  return new Error(
    `Port ${port} is already in use, probably by another sandbox. Stop that one (Ctrl-C in its terminal), or start this one on ` +
      `another port, for example --port ${(port ?? 8787) + 1}, or --port 0 for any free port.`,
  );
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const started = performance.now();
  const sandbox = await createSandbox(options).catch((error: unknown) => {
    throw portTaken(error, options.port) ?? error;
  });
  const { appKey, appSecret, agentId } = sandbox.credentials;
  console.log(`DingTalk sandbox listening on ${sandbox.url} (started in ${Math.round(performance.now() - started)} ms)`);
  console.log(`State: ${options.dbFile ? `SQLite file ${options.dbFile}` : 'in memory'}; templates: ${sandbox.org.templates().map((t) => t.name).join(', ') || 'none'}`);
  if (sandbox.org.templates().length === 0) {
    // --no-seed (or a --db file created with it): the sandbox serves only the calls this integration makes, and none
    // of them creates staff or templates, so nothing can fill the organisation later.
    console.log(
      'The organisation is empty: one root department, no staff, no approval templates. The sandbox only serves ' +
        'the calls this integration makes, and none of them creates staff or templates, so triggers and actions have ' +
        'nothing to work on; connecting (invoke auth test) and empty dropdowns are what you can try. For Lion Rock ' +
        'Trading Ltd (11 staff, 4 templates, 6 approvals), start again ' +
        'without --no-seed (with --db, use a new file name).',
    );
  }
  console.log('\n# For .env: replace these lines in your .env (add the ones it lacks); do not append a second copy.');
  console.log('# Fake credentials, safe to share.');
  console.log(`DINGTALK_API_BASE_URL=${sandbox.url}`);
  console.log(`DINGTALK_OAPI_BASE_URL=${sandbox.url}`);
  console.log(`authData_appKey=${appKey}`);
  console.log(`authData_appSecret=${appSecret}`);
  console.log(`authData_agentId=${agentId}`);
  const { quota } = sandbox.events.pushes();
  if (options.events?.httpPush) {
    const check = await sandbox.events.checkUrl();
    console.log(`\nEvents: HTTP push to ${options.events.httpPush.url}; check_url ${check.ok ? `ok in ${check.ms} ms` : `FAILED: ${check.problem ?? 'unknown'}`}; ${quota} pushes a month.`);
  } else {
    console.log(`\nEvents: Stream mode. POST ${sandbox.url}/v1.0/gateway/connections/open (Accept: application/json) with the credentials above, then`);
    console.log(`open the returned ws:// endpoint with ?ticket=… (one use, 90 s). ${quota} pushes a month.`);
  }
  console.log('\nCtrl-C to stop.');
  const stop = () => {
    console.log(`\nStopping. Calls served: ${sandbox.meter.metered} metered, ${sandbox.meter.free} free. Events pushed: ${sandbox.events.pushes().used}, unsettled: ${sandbox.events.unsettled()}.`);
    void sandbox.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
