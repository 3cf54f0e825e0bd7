import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { FileLock, Mutex } from './fileLock';
import { LedgerMap, pruneLedgers } from './ledgers';
import { StoreCorruptError, StoreUnavailableError } from './types';

export const STATE_FILE = 'state.json';

export interface DocData {
	version: number;
	body: string;
	retainUntil: number;
	dueAt?: number;
}

export interface EmbeddedState {
	format: 1;
	ledgers: LedgerMap;
	/** `namespace/id` → document */
	docs: Record<string, DocData>;
}

/**
 * Spend ledgers and documents of the embedded store: one small JSON file, changed only
 * under a lock file shared with the CLI, read fresh inside the lock, replaced atomically
 * (write, fsync, rename). Every change is therefore atomic across the processes on this
 * machine and durable before the caller hears of it.
 */
export class StateFile {
	private readonly path: string;
	private readonly lock: FileLock;
	private readonly mutex = new Mutex();

	constructor(dir: string) {
		this.path = join(dir, STATE_FILE);
		this.lock = new FileLock(join(dir, 'state.lock'));
	}

	/** Runs `change` on the current state and persists the result before resolving. */
	async update<T>(change: (state: EmbeddedState) => T, now = Date.now()): Promise<T> {
		return this.mutex.run(async () => {
			const release = await this.lock.acquire();
			try {
				const state = await this.load();
				const result = change(state);
				pruneLedgers(state.ledgers, now);
				for (const [key, doc] of Object.entries(state.docs)) if (doc.retainUntil < now) delete state.docs[key];
				await this.save(state);
				return result;
			} finally {
				await release();
			}
		});
	}

	/** A read that changes nothing on disk (expiry is applied to the copy read). */
	async read<T>(look: (state: EmbeddedState) => T): Promise<T> {
		return this.mutex.run(async () => look(await this.load()));
	}

	private async load(): Promise<EmbeddedState> {
		let text: string;
		try {
			text = await fs.readFile(this.path, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, ledgers: {}, docs: {} };
			throw new StoreUnavailableError(`cannot read ${this.path}: ${(error as Error).message}`, error);
		}
		let state: EmbeddedState;
		try {
			state = JSON.parse(text) as EmbeddedState;
		} catch (error) {
			throw new StoreCorruptError(`${this.path} is not valid JSON (${(error as Error).message}): spend caps and approvals fail closed until it is restored from a backup or removed`);
		}
		if (state?.format !== 1 || typeof state.ledgers !== 'object' || typeof state.docs !== 'object') {
			throw new StoreCorruptError(`${this.path} is not a state file this version wrote: spend caps and approvals fail closed until it is restored or removed`);
		}
		return state;
	}

	private async save(state: EmbeddedState): Promise<void> {
		const temp = `${this.path}.${process.pid}.tmp`;
		try {
			const handle = await fs.open(temp, 'w', 0o600);
			try {
				await handle.writeFile(JSON.stringify(state));
				await handle.sync();
			} finally {
				await handle.close();
			}
			await fs.rename(temp, this.path);
		} catch (error) {
			await fs.unlink(temp).catch(() => undefined);
			throw new StoreUnavailableError(`cannot write ${this.path}: ${(error as Error).message}`, error);
		}
	}
}
