import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from '../e2e/n8nInstall';

/** A free TCP port on loopback (one implementation for every test). */
export { freePort };

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

/** A redis-server of our own, for tests that stop and restart it. Needs redis-server on the PATH. */
export class PrivateRedis {
	private process?: ChildProcess;
	constructor(
		readonly port: number,
		private readonly dir: string,
		private readonly extraArgs: string[] = [],
	) {}

	static async create(dir: string, extraArgs: string[] = []): Promise<PrivateRedis> {
		if (!hasRedisServer) throw new Error('these tests start their own Redis: install redis-server (apt-get install redis-server); .ci/run does');
		return new PrivateRedis(await freePort(), dir, extraArgs);
	}

	get url(): string {
		return `redis://127.0.0.1:${this.port}/0`;
	}

	async start(): Promise<void> {
		// appendfsync always: a restart keeps every acknowledged write, as a production Redis with AOF would.
		this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', ...this.extraArgs], { stdio: 'ignore' });
		for (let i = 0; i < 100; i++) {
			const answer = spawnSync('redis-cli', ['-p', String(this.port), 'ping']).stdout?.toString().trim() ?? '';
			if (answer === 'PONG' || answer.startsWith('NOAUTH')) return;
			await new Promise((r) => setTimeout(r, 50));
		}
		throw new Error(`redis-server on port ${this.port} did not start`);
	}

	async stop(): Promise<void> {
		const p = this.process;
		if (!p || p.exitCode !== null) return;
		const exited = new Promise((r) => p.once('exit', r));
		p.kill('SIGKILL');
		await exited;
	}
}
