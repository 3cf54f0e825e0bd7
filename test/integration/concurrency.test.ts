import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openStore, closeAllStores } from '../../lib/store/open';
import { REPO, requireBuild, start } from '../helpers/processes';
import { TEST_REDIS, TEST_SECRET, tempDir } from '../helpers/stores';

const WORKER = join(REPO, 'test', 'integration', 'workers', 'appendWorker.js');

/** Starts `n` appending processes, lets them go at once, and waits for all. */
async function appendFromProcesses(n: number, backend: 'redis' | 'embedded', target: string, prefix: string, count: number, batch: number) {
	requireBuild();
	const workers = Array.from({ length: n }, (_, i) => start(process.execPath, [WORKER, backend, target, prefix, String(count), String(batch), TEST_SECRET, `w${i}`]));
	await new Promise((r) => setTimeout(r, 1500)); // every process connected and waiting
	for (const w of workers) w.child.stdin?.end('go\n');
	const results = await Promise.all(workers.map((w) => w.done));
	for (const r of results) expect(r).toMatchObject({ code: 0, stdout: 'done\n' });
}

afterAll(closeAllStores);

describe('concurrent writers', () => {
	test('8 processes appending 1,000 entries each to one Redis store yield exactly 8,000 entries and a valid chain', async () => {
		const prefix = `agtest:${randomUUID()}`;
		await appendFromProcesses(8, 'redis', TEST_REDIS.toString(), prefix, 1000, 1);
		const store = await openStore({ backend: 'redis', url: TEST_REDIS.toString(), keyPrefix: prefix, secret: TEST_SECRET });
		const report = await store.verify();
		expect(report).toMatchObject({ valid: true, entries: 8000, headSeq: 8000 });
		for (let w = 0; w < 8; w++) {
			const trace = await store.trace(`exec-w${w}`);
			expect(trace.map((e) => (e.details as { i: number }).i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
		}
	}, 120_000);

	test('4 processes appending batches to one embedded journal never fork the chain', async () => {
		const dir = tempDir();
		await appendFromProcesses(4, 'embedded', dir, '', 200, 10);
		const store = await openStore({ backend: 'embedded', dir, secret: TEST_SECRET });
		await expect(store.verify()).resolves.toMatchObject({ valid: true, entries: 800 });
		expect(await store.trace('exec-w3')).toHaveLength(200);
	}, 120_000);
});
