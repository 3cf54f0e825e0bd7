// A separate OS process that appends to a store through the built package, the way a
// second n8n worker or the ops CLI would. argv: backend, target (redis url|dir), prefix, count, batch, secret, label
const { openStore, closeAllStores } = require('../../../dist/lib/store/open');

async function main() {
	const [backend, target, prefix, count, batch, secret, label] = process.argv.slice(2);
	const config = backend === 'redis' ? { backend, url: target, keyPrefix: prefix, secret, commandTimeoutMs: 5000 } : { backend, dir: target, secret };
	const store = await openStore(config);
	const total = Number(count);
	const size = Number(batch);
	// Wait for the go signal so that every process appends at the same time.
	await new Promise((resolve) => process.stdin.once('data', resolve));
	for (let i = 0; i < total; i += size) {
		const drafts = [];
		for (let j = i; j < Math.min(total, i + size); j++) drafts.push({ agentId: `agent-${label}`, executionId: `exec-${label}`, actor: { type: 'agent', id: label }, event: 'load.appended', details: { i: j } });
		await store.append(drafts);
	}
	await closeAllStores();
	process.stdout.write('done\n');
}
main().catch((error) => {
	process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
	process.exit(1);
});
