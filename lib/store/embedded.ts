import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AgentRecord, applyPatch, agentPatchFor } from '../agents/agent';
import { canonicalJson } from '../audit/canonical';
import { AuditEntry, Checkpoint, EntryDraft, GENESIS_HASH, assertSameSecret, prepareDraft, sealLines, signCheckpoint } from '../audit/entry';
import { AuditPage, AuditQuery, matchesQuery, normaliseQuery } from '../audit/query';
import { StoredRecord, VerifyReport, verifyTrail } from '../audit/verify';
import { FileLock, Mutex } from './fileLock';
import { collectAll } from './paging';
import { deriveKeyFrom } from './secret';
import { reserveIn, resetIn, settleIn, statusIn } from './ledgers';
import { StateFile } from './stateFile';
import {
	GuardStore,
	LedgerRef,
	LedgerState,
	PutDocOptions,
	ReserveOutcome,
	ReserveRequest,
	SettleOutcome,
	SettleRequest,
	StoreConfigError,
	StoreCorruptError,
	StoredDoc,
	StoreUnavailableError,
} from './types';

export const JOURNAL_FILE = 'journal.jsonl';
export const CHECKPOINT_FILE = 'checkpoints.jsonl';

/** `<N8N_USER_FOLDER or ~>/.n8n/agent-guard`: where n8n keeps its own data, so backups take both. */
export function defaultJournalDir(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER || homedir(), '.n8n', 'agent-guard');
}

export interface EmbeddedOptions {
	dir: string;
	secret: string;
	env?: NodeJS.ProcessEnv;
}

/**
 * The zero-configuration store for one n8n process: an append-only JSON Lines journal,
 * fsynced on every append, shared safely with the ops CLI through a lock file. State
 * (agents, head) is rebuilt from the journal, and caught up before every read, so a
 * suspension typed in a terminal applies to the next decision of a running n8n.
 */
export class EmbeddedStore implements GuardStore {
	readonly kind = 'embedded' as const;
	private readonly journalPath: string;
	private readonly checkpointPath: string;
	private readonly lock: FileLock;
	private readonly mutex = new Mutex();
	private offset = 0;
	private lines = 0;
	private headState: { seq: number; hash: string; mac?: string } = { seq: 0, hash: GENESIS_HASH };
	private agents = new Map<string, AgentRecord>();
	private seqOffsets: number[] = []; // byte offset of seq i at index i-1
	private byExecution = new Map<string, number[]>();
	private readonly state: StateFile;

	private constructor(private readonly options: EmbeddedOptions) {
		this.state = new StateFile(options.dir);
		this.journalPath = join(options.dir, JOURNAL_FILE);
		this.checkpointPath = join(options.dir, CHECKPOINT_FILE);
		this.lock = new FileLock(join(options.dir, 'journal.lock'));
	}

	static async open(options: EmbeddedOptions): Promise<EmbeddedStore> {
		const env = options.env ?? process.env;
		if (env.EXECUTIONS_MODE === 'queue') {
			throw new StoreConfigError(
				'n8n runs in queue mode (EXECUTIONS_MODE=queue): the embedded journal would split across workers. Add an "Agent Guard" credential with the Redis backend to every guard node.',
			);
		}
		try {
			await fs.mkdir(options.dir, { recursive: true, mode: 0o700 });
		} catch (error) {
			throw new StoreUnavailableError(`cannot create the journal folder ${options.dir}: ${(error as Error).message}`, error);
		}
		const store = new EmbeddedStore(options);
		try {
			await store.mutex.run(() => store.catchUp());
		} catch (error) {
			// A damaged journal still opens, so that verify and export can show where; every
			// operation that depends on state meets the same error again and fails closed.
			if (!(error instanceof StoreCorruptError)) throw error;
		}
		return store;
	}

	get journalFile(): string {
		return this.journalPath;
	}

	/** Reads journal lines other writers appended since we last looked. Only whole lines count. */
	private async catchUp(): Promise<void> {
		let handle;
		try {
			handle = await fs.open(this.journalPath, 'r');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.reset();
			throw new StoreUnavailableError(`cannot read ${this.journalPath}: ${(error as Error).message}`, error);
		}
		try {
			const { size } = await handle.stat();
			if (size < this.offset) this.reset(); // replaced or truncated behind our back: rebuild
			if (size === this.offset) return;
			const buffer = Buffer.alloc(size - this.offset);
			await handle.read(buffer, 0, buffer.length, this.offset);
			const base = this.offset;
			let start = 0;
			for (let nl = buffer.indexOf(10, start); nl !== -1; nl = buffer.indexOf(10, start)) {
				this.applyLine(buffer.toString('utf8', start, nl), base + start);
				start = nl + 1;
				this.offset = base + start; // per line, so a bad line is met again (and reported again) next time
			}
		} finally {
			await handle.close();
		}
	}

	private reset(): void {
		this.offset = 0;
		this.lines = 0;
		this.headState = { seq: 0, hash: GENESIS_HASH };
		this.agents = new Map();
		this.seqOffsets = [];
		this.byExecution = new Map();
	}

	private applyLine(line: string, at: number): void {
		const lineNo = this.lines + 1;
		if (line === '') {
			this.lines = lineNo;
			return;
		}
		let entry: AuditEntry;
		try {
			entry = JSON.parse(line) as AuditEntry;
		} catch (error) {
			throw new StoreCorruptError(
				`${this.journalPath} line ${lineNo} is not valid JSON (${(error as Error).message}). Nothing after it can be trusted until it is repaired: run "agent-guard audit verify --dir ${this.options.dir}" and restore the line from a backup or an export.`,
			);
		}
		if (typeof entry !== 'object' || entry === null || entry.seq !== this.headState.seq + 1 || typeof entry.hash !== 'string') {
			throw new StoreCorruptError(
				`${this.journalPath} line ${lineNo} holds seq ${String((entry as Partial<AuditEntry> | null)?.seq)} where seq ${this.headState.seq + 1} was expected. Run "agent-guard audit verify --dir ${this.options.dir}" to see what was changed.`,
			);
		}
		this.lines = lineNo;
		this.applyEntry(entry, at);
	}

	private applyEntry(entry: AuditEntry, at: number): void {
		this.headState = { seq: entry.seq, hash: entry.hash, mac: entry.mac };
		this.seqOffsets.push(at);
		if (entry.executionId !== undefined) {
			const list = this.byExecution.get(entry.executionId) ?? [];
			list.push(entry.seq);
			this.byExecution.set(entry.executionId, list);
		}
		const patch = agentPatchFor(entry);
		if (patch) this.agents.set(patch.agentId, applyPatch(this.agents.get(patch.agentId), patch));
	}

	async append(drafts: EntryDraft[]): Promise<AuditEntry[]> {
		if (drafts.length === 0) return [];
		const prepared = drafts.map((d) => prepareDraft(d));
		return this.mutex.run(async () => {
			const release = await this.lock.acquire();
			try {
				await this.catchUp();
				await this.setAsideTornTail();
				assertSameSecret(this.headState, this.options.secret, this.journalPath);
				const sealed = sealLines(prepared, this.headState, this.options.secret);
				const lines = sealed.map((s) => s.json + '\n');
				await appendDurably(this.journalPath, lines.join(''));
				// We hold the lock and had caught up: our lines start at our offset. Apply them
				// from memory rather than reading back what we just wrote.
				let at = this.offset;
				sealed.forEach((s, i) => {
					this.applyEntry(s.entry, at);
					at += Buffer.byteLength(lines[i]);
				});
				this.offset = at;
				this.lines += sealed.length;
				const checkpoint = signCheckpoint(this.headState, this.options.secret);
				await appendDurably(this.checkpointPath, canonicalJson(checkpoint) + '\n');
				return sealed.map((s) => s.entry);
			} finally {
				await release();
			}
		});
	}

	/**
	 * Bytes after the last newline, seen while we hold the lock, are a write that crashed
	 * before its fsync returned: no caller was told it succeeded. They are moved to a side
	 * file (kept, not deleted) so the next entry starts on a clean line.
	 */
	private async setAsideTornTail(): Promise<void> {
		const stat = await fs.stat(this.journalPath).catch(() => undefined);
		if (!stat || stat.size === this.offset) return;
		const handle = await fs.open(this.journalPath, 'r+');
		try {
			const torn = Buffer.alloc(stat.size - this.offset);
			await handle.read(torn, 0, torn.length, this.offset);
			await fs.writeFile(join(this.options.dir, `journal.torn-${Date.now()}.txt`), torn, { mode: 0o600 });
			await handle.truncate(this.offset);
			await handle.sync();
		} finally {
			await handle.close();
		}
	}

	async head(): Promise<{ seq: number; hash: string }> {
		await this.mutex.run(() => this.catchUp());
		return { seq: this.headState.seq, hash: this.headState.hash };
	}

	deriveKey(purpose: string): string {
		return deriveKeyFrom(this.options.secret, purpose);
	}

	async getAgent(agentId: string): Promise<AgentRecord | undefined> {
		await this.mutex.run(() => this.catchUp());
		const record = this.agents.get(agentId);
		return record ? { ...record } : undefined;
	}

	async listAgents(): Promise<AgentRecord[]> {
		await this.mutex.run(() => this.catchUp());
		return [...this.agents.values()].map((r) => ({ ...r })).sort((a, b) => a.agentId.localeCompare(b.agentId));
	}

	async query(input: AuditQuery): Promise<AuditPage> {
		const q = normaliseQuery(input);
		await this.mutex.run(() => this.catchUp());
		const candidates = q.executionId !== undefined ? (this.byExecution.get(q.executionId) ?? []) : undefined;
		const entries: AuditEntry[] = [];
		let lastSeq: number | undefined;
		for await (const record of this.readEntries(candidates, (q.afterSeq ?? 0) + 1)) {
			lastSeq = record.seq;
			if (matchesQuery(record, q)) entries.push(record);
			if (entries.length === q.limit) break;
		}
		const more = entries.length === q.limit && lastSeq !== undefined && lastSeq < this.headState.seq;
		return { entries, nextAfterSeq: more ? lastSeq : undefined };
	}

	async trace(executionId: string): Promise<AuditEntry[]> {
		return collectAll(this, { executionId });
	}

	/** Entries by seq (a list of seqs, or every seq from `fromSeq`), read from the journal file. */
	private async *readEntries(seqs: number[] | undefined, fromSeq: number): AsyncGenerator<AuditEntry> {
		const wanted = seqs ? seqs.filter((s) => s >= fromSeq) : undefined;
		if (wanted && wanted.length === 0) return;
		const startSeq = wanted ? wanted[0] : fromSeq;
		if (startSeq > this.seqOffsets.length) return;
		const wantedSet = wanted ? new Set(wanted) : undefined;
		for await (const { line } of readLines(this.journalPath, this.seqOffsets[startSeq - 1], this.offset)) {
			const entry = JSON.parse(line) as AuditEntry;
			if (!wantedSet || wantedSet.has(entry.seq)) yield entry;
		}
	}

	async *records(): AsyncIterable<StoredRecord> {
		for await (const { line, lineNo } of readLines(this.journalPath, 0, Infinity)) {
			const where = `${JOURNAL_FILE} line ${lineNo}`;
			try {
				yield { entry: JSON.parse(line) as AuditEntry, where };
			} catch (error) {
				yield { corrupt: `not valid JSON (${(error as Error).message})`, where };
			}
		}
	}

	async verify(published: Checkpoint[] = []): Promise<VerifyReport> {
		return verifyTrail(this.records(), await this.checkpoints(), this.options.secret, published);
	}

	async checkpoints(): Promise<Checkpoint[]> {
		const out: Checkpoint[] = [];
		for await (const { line, lineNo } of readLines(this.checkpointPath, 0, Infinity)) {
			try {
				out.push(JSON.parse(line) as Checkpoint);
			} catch {
				throw new StoreCorruptError(`${this.checkpointPath} line ${lineNo} is not valid JSON`);
			}
		}
		return out;
	}

	async reserveSpend(reservationId: string, ledgers: ReserveRequest[], holdUntil: number, now: number): Promise<ReserveOutcome> {
		return this.state.update((s) => reserveIn(s.ledgers, reservationId, ledgers, holdUntil, now), now);
	}

	async settleSpend(reservationId: string, ledgers: SettleRequest[], now: number): Promise<SettleOutcome> {
		return this.state.update((s) => settleIn(s.ledgers, reservationId, ledgers, now), now);
	}

	async spendStatus(ledgers: LedgerRef[], now: number): Promise<LedgerState[]> {
		return this.state.read((s) => statusIn(s.ledgers, ledgers, now));
	}

	async resetSpend(ledger: LedgerRef, now: number): Promise<LedgerState> {
		return this.state.update((s) => resetIn(s.ledgers, ledger, now), now);
	}

	async getDoc(namespace: string, id: string): Promise<StoredDoc | undefined> {
		return this.state.read((s) => {
			const doc = s.docs[`${namespace}/${id}`];
			return doc && doc.retainUntil >= Date.now() ? { version: doc.version, body: doc.body } : undefined;
		});
	}

	async putDoc(namespace: string, id: string, body: string, expectedVersion: number, options: PutDocOptions): Promise<boolean> {
		return this.state.update((s) => {
			const key = `${namespace}/${id}`;
			const current = s.docs[key];
			const version = current && current.retainUntil >= Date.now() ? current.version : 0;
			if (version !== expectedVersion) return false;
			s.docs[key] = { version: version + 1, body, retainUntil: options.retainUntil, dueAt: options.dueAt };
			return true;
		});
	}

	async dueDocs(namespace: string, now: number, limit: number): Promise<string[]> {
		return this.state.read((s) =>
			Object.entries(s.docs)
				.filter(([key, doc]) => key.startsWith(`${namespace}/`) && doc.dueAt !== undefined && doc.dueAt <= now && doc.retainUntil >= now)
				.sort((a, b) => (a[1].dueAt ?? 0) - (b[1].dueAt ?? 0))
				.slice(0, limit)
				.map(([key]) => key.slice(namespace.length + 1)),
		);
	}

	async close(): Promise<void> {
		await this.mutex.run(async () => undefined);
	}
}

async function appendDurably(path: string, text: string): Promise<void> {
	const handle = await fs.open(path, 'a', 0o600);
	try {
		await handle.write(text);
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/** Whole lines from byte `start` to byte `end` (a trailing partial line is not a line yet). */
async function* readLines(path: string, start: number, end: number): AsyncGenerator<{ line: string; lineNo: number }> {
	let handle;
	try {
		handle = await fs.open(path, 'r');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	try {
		const chunk = Buffer.alloc(1 << 20);
		let position = start;
		let carry = Buffer.alloc(0);
		let lineNo = 0;
		while (position < end) {
			const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - position), position);
			if (bytesRead === 0) break;
			position += bytesRead;
			const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
			let from = 0;
			for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
				lineNo++;
				if (nl > from) yield { line: data.toString('utf8', from, nl), lineNo };
				from = nl + 1;
			}
			carry = Buffer.from(data.subarray(from));
		}
	} finally {
		await handle.close();
	}
}
