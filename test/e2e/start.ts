/**
 * `npm start`: the pinned n8n (installed on first use) with this package loaded the way a user
 * installs it, in a persistent user folder <repo>/.agent-guard-dev (git-ignored). Foreground;
 * Ctrl+C stops it. Compiled to dist/test/e2e/start.js, so Node built-ins and n8nInstall only.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { ensureN8n, linkPackage, n8nEnv, PACKAGE_NAME, repoRoot } from './n8nInstall';

async function main(): Promise<void> {
	const bin = await ensureN8n();
	const root = repoRoot();
	const userFolder = path.join(root, '.agent-guard-dev');
	linkPackage(userFolder, root);
	const port = process.env.N8N_PORT ?? '5678';

	console.log(`Agent Guard: n8n starting at http://localhost:${port} with ${PACKAGE_NAME} loaded`);
	console.log(`Agent Guard: data in ${userFolder}; stop with Ctrl+C (delete that folder for a fresh start)`);

	const child = spawn(bin, ['start'], { cwd: userFolder, env: n8nEnv(userFolder, { N8N_PORT: port }), stdio: 'inherit' });
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.on(signal, () => child.kill(signal)); // n8n shuts down gracefully, then we exit with it
	}
	child.on('error', (error) => {
		console.error(`Agent Guard: could not start n8n: ${error.message}`);
		process.exit(1);
	});
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

main().catch((error: unknown) => {
	console.error(`Agent Guard: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
