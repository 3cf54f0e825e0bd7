import { createHash } from 'node:crypto';
import { EmbeddedStore, defaultJournalDir } from './embedded';
import { RedisStore, RedisStoreOptions } from './redis';
import { loadOrCreateSecret } from './secret';
import { GuardStore, StoreConfigError } from './types';

export type StoreConfig =
	| { backend: 'embedded'; dir?: string; secret?: string; env?: NodeJS.ProcessEnv }
	| ({ backend: 'redis' } & RedisStoreOptions);

/** One store per configuration and process, reused across executions (and never a second Redis connection). */
const cache = new Map<string, Promise<GuardStore>>();

function cacheKey(config: StoreConfig): string {
	const { env: _env, ...rest } = config as StoreConfig & { env?: unknown };
	return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export async function openStore(config: StoreConfig): Promise<GuardStore> {
	const key = cacheKey(config);
	let pending = cache.get(key);
	if (!pending) {
		pending = createStore(config);
		cache.set(key, pending);
		// A failed open is not cached: the next execution tries again (Redis may be back).
		pending.catch(() => cache.delete(key));
	}
	return pending;
}

async function createStore(config: StoreConfig): Promise<GuardStore> {
	if (config.backend === 'redis') return RedisStore.open(config);
	if (config.backend !== 'embedded') throw new StoreConfigError(`unknown store backend "${String((config as { backend: unknown }).backend)}": use embedded or redis`);
	const dir = config.dir || defaultJournalDir(config.env);
	const secret = config.secret || (await loadOrCreateSecret(dir));
	return EmbeddedStore.open({ dir, secret, env: config.env });
}

/** Closes every cached store (tests, CLI exit). */
export async function closeAllStores(): Promise<void> {
	const stores = [...cache.values()];
	cache.clear();
	await Promise.all(stores.map((p) => p.then((s) => s.close()).catch(() => undefined)));
}
