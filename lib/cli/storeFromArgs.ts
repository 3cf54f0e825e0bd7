import { promises as fs } from 'node:fs';
import { defaultJournalDir } from '../store/embedded';
import { StoreConfig } from '../store/open';
import { ParsedArgs, UsageError, flag } from './args';

/**
 * Which store the CLI talks to: --redis URL, else --dir PATH, else AGENT_GUARD_REDIS_URL,
 * else the embedded journal in the n8n user folder (the one a local n8n uses).
 */
export async function storeConfigFromArgs(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<StoreConfig> {
	const redisUrl = flag(args, 'redis') ?? (flag(args, 'dir') ? undefined : env.AGENT_GUARD_REDIS_URL);
	const secret = await secretFrom(args, env);
	if (redisUrl) {
		if (!secret) throw new UsageError('the Redis store needs the signing secret of the Agent Guard credential: set AGENT_GUARD_SECRET or pass --secret-file PATH');
		if (!/^rediss?:\/\//.test(redisUrl)) throw new UsageError(`--redis must be a redis:// or rediss:// URL, got "${redisUrl}"`);
		const prefix = flag(args, 'prefix') ?? env.AGENT_GUARD_KEY_PREFIX ?? 'agent-guard';
		return { backend: 'redis', url: redisUrl, keyPrefix: prefix, secret, commandTimeoutMs: 2000 };
	}
	// The embedded store in the CLI is never "queue mode": it is a terminal beside n8n.
	const { EXECUTIONS_MODE: _mode, ...rest } = env;
	return { backend: 'embedded', dir: flag(args, 'dir') ?? defaultJournalDir(env), secret, env: rest };
}

async function secretFrom(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<string | undefined> {
	const file = flag(args, 'secret-file');
	if (file) return (await fs.readFile(file, 'utf8')).trim();
	return env.AGENT_GUARD_SECRET || undefined;
}
