import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { StoreUnavailableError } from './types';

/**
 * A lock file shared by every process that writes one journal (n8n and the ops CLI).
 * Created with O_EXCL; a lock whose owner died, or that is older than `staleMs`,
 * is taken over. Holders keep it for milliseconds (one append), never across awaits on users.
 */
export class FileLock {
	constructor(
		private readonly path: string,
		private readonly staleMs = 30_000,
		private readonly waitMs = 10_000,
	) {}

	async acquire(): Promise<() => Promise<void>> {
		const started = Date.now();
		const token = `${process.pid}@${hostname()}@${started}@${Math.random().toString(36).slice(2)}`;
		let delay = 1;
		for (;;) {
			try {
				const handle = await fs.open(this.path, 'wx', 0o600);
				await handle.writeFile(token);
				await handle.close();
				return async () => {
					// Remove only our own lock: after a takeover the file belongs to someone else.
					const current = await fs.readFile(this.path, 'utf8').catch(() => '');
					if (current === token) await fs.unlink(this.path).catch(() => undefined);
				};
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
					throw new StoreUnavailableError(`cannot create lock file ${this.path}: ${(error as Error).message}`, error);
				}
			}
			if (await this.isStale()) {
				await fs.unlink(this.path).catch(() => undefined);
				continue;
			}
			if (Date.now() - started > this.waitMs) {
				const holder = await fs.readFile(this.path, 'utf8').catch(() => 'unknown');
				throw new StoreUnavailableError(`the journal is locked by ${holder.split('@').slice(0, 2).join('@')} for more than ${this.waitMs} ms (lock file ${this.path})`);
			}
			await new Promise((r) => setTimeout(r, delay));
			delay = Math.min(delay * 2, 20);
		}
	}

	private async isStale(): Promise<boolean> {
		try {
			const [content, stat] = await Promise.all([fs.readFile(this.path, 'utf8'), fs.stat(this.path)]);
			const [pid, host] = content.split('@');
			if (host === hostname() && /^\d+$/.test(pid ?? '') && !processAlive(Number(pid))) return true;
			return Date.now() - stat.mtimeMs > this.staleMs;
		} catch {
			return false; // vanished between calls: the next open will tell
		}
	}
}

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Runs tasks one at a time inside this process. */
export class Mutex {
	private tail: Promise<unknown> = Promise.resolve();
	run<T>(task: () => Promise<T>): Promise<T> {
		const result = this.tail.then(task, task);
		this.tail = result.catch(() => undefined);
		return result;
	}
}
