import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { EmbeddedStore } from '../../lib/store/embedded';
import { RedisStore } from '../../lib/store/redis';
import { GuardStore } from '../../lib/store/types';

/** The Redis the integration tests use: AGENT_GUARD_TEST_REDIS_URL, else the local default. .ci/run makes sure one answers. */
export const TEST_REDIS = new URL(process.env.AGENT_GUARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0');
export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export function redisOptions(prefix = `agtest:${randomUUID()}`) {
	return {
		host: TEST_REDIS.hostname,
		port: Number(TEST_REDIS.port || 6379),
		db: Number(TEST_REDIS.pathname.slice(1) || 0),
		keyPrefix: prefix,
		secret: TEST_SECRET,
	};
}

export function tempDir(label = 'agent-guard'): string {
	return mkdtempSync(join(tmpdir(), `${label}-`));
}

export interface StoreFactory {
	name: 'embedded' | 'redis';
	/** A fresh, empty store; `same` opens a second handle on the store of the previous call, optionally with another secret. */
	open(same?: boolean, secret?: string): Promise<GuardStore>;
}

export function storeFactories(): StoreFactory[] {
	let dir = '';
	let prefix = '';
	return [
		{
			name: 'embedded',
			open: async (same = false, secret = TEST_SECRET) => {
				if (!same || !dir) dir = tempDir();
				return EmbeddedStore.open({ dir, secret });
			},
		},
		{
			name: 'redis',
			open: async (same = false, secret = TEST_SECRET) => {
				if (!same || !prefix) prefix = `agtest:${randomUUID()}`;
				return RedisStore.open({ ...redisOptions(prefix), secret });
			},
		},
	];
}
