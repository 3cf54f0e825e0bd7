// Removes the keys tests wrote to the shared Redis (each test uses its own random prefix
// under agtest: or age2e:), so a developer's Redis does not fill up run after run.
module.exports = async function removeTestKeys() {
	const Redis = require('ioredis');
	const url = process.env.AGENT_GUARD_TEST_REDIS_URL || 'redis://127.0.0.1:6379/0';
	const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
	client.on('error', () => undefined);
	try {
		await client.connect();
		for (const pattern of ['agtest:*', 'age2e:*']) {
			let cursor = '0';
			do {
				const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
				cursor = next;
				if (keys.length) await client.unlink(...keys);
			} while (cursor !== '0');
		}
	} catch {
		// No Redis, nothing to clean.
	} finally {
		client.disconnect();
	}
};
