/**
 * One concurrent writer, a separate OS process like a second n8n worker. It uses the built
 * package (dist/lib). argv: keyPrefix, entries, batch size, label.
 * Protocol: prints "ready" once connected with its drafts built, appends when it reads a
 * line on stdin, then prints one JSON line (WorkerResult) and exits.
 */
import { performance } from 'node:perf_hooks';
import { RedisStore } from '../lib/store/redis';
import { startCounting, stopCounting } from './commandCounter';
import { BENCH_SECRET, COMMAND_TIMEOUT_MS, REDIS_HOST, REDIS_PORT, WorkerResult, makeBatches } from './common';

async function main(): Promise<void> {
	const [keyPrefix, entriesArg, batchArg, label] = process.argv.slice(2);
	const entries = Number(entriesArg);
	const batch = Number(batchArg);
	if (!keyPrefix || !label || !Number.isInteger(entries) || !Number.isInteger(batch) || entries < 1 || batch < 1) {
		throw new Error('usage: appendWorker.js <keyPrefix> <entries> <batch> <label>');
	}
	const store = await RedisStore.open({ host: REDIS_HOST, port: REDIS_PORT, keyPrefix, secret: BENCH_SECRET, commandTimeoutMs: COMMAND_TIMEOUT_MS });
	const batches = makeBatches(label, entries, batch);
	await store.ping();
	process.stdout.write('ready\n');
	await new Promise((resolve) => process.stdin.once('data', resolve));
	const cpu0 = process.cpuUsage();
	startCounting();
	const t0 = performance.now();
	for (const drafts of batches) await store.append(drafts);
	const ms = performance.now() - t0;
	const commands = stopCounting();
	const cpu = process.cpuUsage(cpu0);
	const result: WorkerResult = { entries, ms, cpuUs: cpu.user + cpu.system, appends: batches.length, commands };
	process.stdout.write(JSON.stringify(result) + '\n');
	await store.close();
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
