// A separate OS process reserving spend through the built package, as another n8n worker
// would. argv: backend, target (redis url|dir), prefix, count, secret. Prints the granted count.
const { openStore, closeAllStores } = require('../../../dist/lib/store/open');
const { checkAndReserve } = require('../../../dist/lib/spend/spendCap');

async function main() {
	const [backend, target, prefix, count, secret] = process.argv.slice(2);
	const config = backend === 'redis' ? { backend, url: target, keyPrefix: prefix, secret, commandTimeoutMs: 5000 } : { backend, dir: target, secret };
	const store = await openStore(config);
	const caps = [{ unit: 'usd', limitMicro: 1_000_000, period: { kind: 'day', timeZone: 'Europe/Berlin' } }];
	await new Promise((resolve) => process.stdin.once('data', resolve));
	const results = await Promise.all(
		Array.from({ length: Number(count) }, () => checkAndReserve(store, { agentId: 'shared-bot', caps, amounts: { usd: 100_000 }, holdMs: 60_000, warnRatio: 0.8, now: Date.now() })),
	);
	await closeAllStores();
	process.stdout.write(JSON.stringify({ granted: results.filter((r) => r.verdict !== 'over_cap').length }) + '\n');
}
main().catch((error) => {
	process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
	process.exit(1);
});
