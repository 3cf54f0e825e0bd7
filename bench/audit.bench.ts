/**
 * Audit trail benchmark. Every number is a ratio against a reference measured in the same
 * run on the same machine (redis-benchmark for Redis, raw crypto / raw fsync otherwise),
 * each measurement repeated in rounds and reported as the median.
 *
 *   npm run build && node dist/bench/audit.bench.js [--quick] [--rounds=N] [--only=single,batched,conc,verify,embedded] [--no-write]
 *
 * Full runs rewrite the generated part of bench/RESULTS.md; --quick and --only runs only print.
 */
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { canonicalJson } from '../lib/audit/canonical';
import { AuditEntry, Checkpoint, EntryDraft, GENESIS_HASH, entryHash, macHex, prepareDraft, sealLines, signCheckpoint } from '../lib/audit/entry';
import { StoredRecord, verifyTrail } from '../lib/audit/verify';
import { EmbeddedStore } from '../lib/store/embedded';
import { RedisStore } from '../lib/store/redis';
import { describeCounts, startCounting, stopCounting, totalCount } from './commandCounter';
import { BENCH_SECRET, COMMAND_TIMEOUT_MS, REDIS_HOST, REDIS_PORT, WorkerResult, makeBatches, makeDraft } from './common';
import { deleteKeys, fmtRate, fmtRatio, fmtUs, logger, median, run, serverCpuUs, parseBenchOptions, table } from './report';

const log = logger('bench');

// ---------------------------------------------------------------- options

const SECTIONS = ['single', 'batched', 'conc', 'verify', 'embedded'] as const;
type Section = (typeof SECTIONS)[number];

const OPTIONS = parseBenchOptions(process.argv.slice(2), SECTIONS, 'audit.bench.js');

const SIZE = OPTIONS.quick
	? { single: 400, batched: 5_000, batch: 100, workers: 8, perWorker: 400, concBatch: 10, verify: 20_000, verifyBuildBatch: 1000, embedded: 2_000, embeddedBatch: 100, refSeconds: 0.6 }
	: { single: 3_000, batched: 20_000, batch: 100, workers: 8, perWorker: 2_000, concBatch: 10, verify: 100_000, verifyBuildBatch: 1000, embedded: 10_000, embeddedBatch: 100, refSeconds: 2 };

const RUN = `agbench:${randomBytes(4).toString('hex')}:`;
const TARGET_BATCHED_RATIO = 0.3;
const TARGET_VERIFY_EPS = 100_000;

// ---------------------------------------------------------------- small helpers

// ---------------------------------------------------------------- Redis side

const admin = new Redis({ host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: 2, lazyConnect: true });

function deleteRunKeys(): Promise<number> {
	return deleteKeys(admin, `${RUN}*`);
}

/** The raw equivalent of one enqueue: take a seq, store the ~320-byte draft under it (fields wrap at 100,000 to bound memory). */
const PRIMITIVE_LUA = `local s = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], s % 100000, ARGV[1])
return s`;

interface RefResult {
	rps: number;
	serverUsPerOp: number;
}

/** Requests per run of each redis-benchmark configuration, calibrated once to last about refSeconds. */
const calibrated = new Map<string, number>();

async function redisBenchmark(name: string, clients: number, pipeline: number, command: string[], randomRange?: number): Promise<RefResult> {
	const once = async (requests: number): Promise<RefResult> => {
		const args = ['-h', REDIS_HOST, '-p', String(REDIS_PORT), '-q', '--csv', '-n', String(requests), '-c', String(clients), '-P', String(pipeline)];
		if (randomRange !== undefined) args.push('-r', String(randomRange));
		const before = await serverCpuUs(admin);
		const out = await run('redis-benchmark', [...args, ...command]);
		const after = await serverCpuUs(admin);
		// The test name is the command itself (quotes and commas included): read the numbers from the end.
		const line = out.split('\n').find((l) => /"[0-9.]+"(,"[0-9.]+"){6}\s*$/.test(l));
		const rps = line ? Number(/"([0-9.]+)"(?:,"[0-9.]+"){6}\s*$/.exec(line)?.[1]) : Number.NaN;
		if (!Number.isFinite(rps) || rps <= 0) throw new Error(`redis-benchmark ${name}: no requests/s in its output:\n${out}`);
		return { rps, serverUsPerOp: (after - before) / requests };
	};
	let requests = calibrated.get(name);
	if (requests === undefined) {
		const probe = await once(Math.max(2_000, clients * pipeline * 50));
		requests = Math.min(5_000_000, Math.max(5_000, Math.round((probe.rps * SIZE.refSeconds) / 1000) * 1000));
		calibrated.set(name, requests);
	}
	return once(requests);
}

// ---------------------------------------------------------------- results

interface Samples {
	value: number[];
	ref: number[];
	ratio: number[];
	serverUs: number[];
	refServerUs: number[];
	clientUs: number[];
}

const samples = new Map<string, Samples>();
function sample(id: string): Samples {
	let s = samples.get(id);
	if (!s) samples.set(id, (s = { value: [], ref: [], ratio: [], serverUs: [], refServerUs: [], clientUs: [] }));
	return s;
}

const notes: string[] = [];

// ---------------------------------------------------------------- raw primitives (references)

async function references(label: string, clients: number, pipeline: number, sha: string, value: string): Promise<RefResult> {
	const keyBase = `${RUN}ref:${clients}x${pipeline}:`;
	const evalRef = await redisBenchmark(`evalsha c${clients} P${pipeline}`, clients, pipeline, ['EVALSHA', sha, '2', `${keyBase}ctr`, `${keyBase}h`, value]);
	await admin.unlink(`${keyBase}ctr`, `${keyBase}h`);
	const hset = await redisBenchmark(`hset c${clients} P${pipeline}`, clients, pipeline, ['HSET', `${keyBase}hset`, '__rand_int__', value], 100_000);
	const rpush = await redisBenchmark(`rpush c${clients} P${pipeline}`, clients, pipeline, ['RPUSH', `${keyBase}list`, '__rand_int__'], 1_000_000_000);
	await admin.unlink(`${keyBase}hset`, `${keyBase}list`);
	for (const [id, r] of [
		[`raw:evalsha:${clients}:${pipeline}`, evalRef],
		[`raw:hset:${clients}:${pipeline}`, hset],
		[`raw:rpush:${clients}:${pipeline}`, rpush],
	] as const) {
		sample(id).value.push(r.rps);
		sample(id).serverUs.push(r.serverUsPerOp);
	}
	log(`${label} reference c=${clients} P=${pipeline}: EVALSHA ${fmtRate(evalRef.rps)}/s, HSET ${fmtRate(hset.rps)}/s, RPUSH ${fmtRate(rpush.rps)}/s`);
	return evalRef;
}

function record(id: string, eps: number, ref: RefResult, serverUs: number, clientUs: number): void {
	const s = sample(id);
	s.value.push(eps);
	s.ref.push(ref.rps);
	s.ratio.push(eps / ref.rps);
	s.serverUs.push(serverUs);
	s.refServerUs.push(ref.serverUsPerOp);
	s.clientUs.push(clientUs);
}

// ---------------------------------------------------------------- Redis store, one writer in this process

async function openRedisStore(keyPrefix: string): Promise<RedisStore> {
	return RedisStore.open({ host: REDIS_HOST, port: REDIS_PORT, keyPrefix, secret: BENCH_SECRET, commandTimeoutMs: COMMAND_TIMEOUT_MS });
}

interface AppendResult {
	eps: number;
	serverUs: number;
	clientUs: number;
	appends: number;
	/** Mean wall time of one `append` call, ms (per writer). */
	latencyMs: number;
	commands: Record<string, number>;
}

/** Per measurement, over all rounds: append calls, their commands and their mean latency. */
const mix = new Map<string, { appends: number; commands: Record<string, number>; latencyMs: number[] }>();
function addMix(id: string, r: AppendResult): void {
	const m = mix.get(id) ?? { appends: 0, commands: {}, latencyMs: [] };
	m.appends += r.appends;
	for (const [name, n] of Object.entries(r.commands)) m.commands[name] = (m.commands[name] ?? 0) + n;
	m.latencyMs.push(r.latencyMs);
	mix.set(id, m);
}

async function appendInProcess(keyPrefix: string, total: number, batch: number): Promise<AppendResult> {
	const store = await openRedisStore(keyPrefix);
	try {
		const batches = makeBatches('w', total, batch);
		await store.append(makeBatches('warm', batch, batch)[0]); // connection and script cache warm
		const s0 = await serverCpuUs(admin);
		const c0 = process.cpuUsage();
		startCounting();
		const t0 = performance.now();
		for (const drafts of batches) await store.append(drafts);
		const ms = performance.now() - t0;
		const commands = stopCounting();
		const cpu = process.cpuUsage(c0);
		const s1 = await serverCpuUs(admin);
		const head = await store.head();
		if (head.seq !== total + batch) throw new Error(`expected head seq ${total + batch}, found ${head.seq}`);
		return { eps: (total / ms) * 1000, serverUs: (s1 - s0) / total, clientUs: (cpu.user + cpu.system) / total, appends: batches.length, latencyMs: ms / batches.length, commands };
	} finally {
		await store.close();
	}
}

/**
 * The pure-JavaScript work `RedisStore.append` does per entry, step by step, in batches as it
 * does it (no Redis): what the writer's CPU would be with free I/O.
 */
/** The writer's JavaScript on the direct (uncontended) path of RedisStore.append, step by step. */
const APPEND_STEPS = [
	['prepareDraft (validate, redact, encode the draft once)', 'prepare'],
	['sealLines (SHA-256 of seq + prevHash + draft JSON, HMAC, stored line, entry object)', 'seal'],
	['APPEND_DIRECT arguments (line, executionId, agentId per entry)', 'args'],
] as const;
type AppendStep = (typeof APPEND_STEPS)[number][1];
const appendSteps = new Map<AppendStep, number[]>();

function appendBreakdown(total: number, batch: number): void {
	const batches = makeBatches('x', total, batch);
	const ms: Record<AppendStep, number> = { prepare: 0, seal: 0, args: 0 };
	let head = { seq: 0, hash: GENESIS_HASH };
	let sink = 0;
	for (const drafts of batches) {
		let t = performance.now();
		const prepared = drafts.map((d) => prepareDraft(d));
		ms.prepare += performance.now() - t;
		t = performance.now();
		const sealed = sealLines(prepared, head, BENCH_SECRET);
		ms.seal += performance.now() - t;
		t = performance.now();
		const args: Array<string | number> = [];
		for (const { entry, json } of sealed) args.push(json, entry.executionId ?? '', entry.agentId ?? '');
		ms.args += performance.now() - t;
		head = sealed[sealed.length - 1].entry;
		sink += args.length / 3;
	}
	if (sink !== total) throw new Error('append breakdown lost entries');
	for (const [, key] of APPEND_STEPS) {
		const list = appendSteps.get(key) ?? [];
		list.push((ms[key] * 1000) / total);
		appendSteps.set(key, list);
	}
}

// ---------------------------------------------------------------- Redis store, writer processes

const WORKER = join(__dirname, 'appendWorker.js');

interface Child {
	lines: string[];
	waiters: Array<() => void>;
	exited: Promise<number | null>;
	stderr: string[];
	stdin: NodeJS.WritableStream;
}

function startWorker(args: string[]): Child {
	const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
	const c: Child = { lines: [], waiters: [], stderr: [], stdin: child.stdin, exited: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
	let buffer = '';
	child.stdout.on('data', (d: Buffer) => {
		buffer += d.toString();
		for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
			c.lines.push(buffer.slice(0, nl));
			buffer = buffer.slice(nl + 1);
		}
		for (const w of c.waiters.splice(0)) w();
	});
	child.stderr.on('data', (d: Buffer) => c.stderr.push(d.toString()));
	child.on('close', () => {
		for (const w of c.waiters.splice(0)) w();
	});
	return c;
}

async function nextLine(c: Child, index: number, what: string): Promise<string> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		if (c.lines.length > index) return c.lines[index];
		const code = await Promise.race([c.exited.then((x) => ({ exited: x })), new Promise<undefined>((r) => c.waiters.push(() => r(undefined)))]);
		if (code !== undefined && c.lines.length <= index) throw new Error(`writer exited (${String(code.exited)}) before ${what}: ${c.stderr.join('')}`);
		if (Date.now() > deadline) throw new Error(`writer took over 120 s to ${what}`);
	}
}

async function appendFromProcesses(keyPrefix: string, workers: number, perWorker: number, batch: number): Promise<AppendResult> {
	const children = Array.from({ length: workers }, (_, i) => startWorker([keyPrefix, String(perWorker), String(batch), `p${i}`]));
	try {
		await Promise.all(children.map((c) => nextLine(c, 0, 'get ready')));
		const s0 = await serverCpuUs(admin);
		const t0 = performance.now();
		for (const c of children) c.stdin.write('go\n');
		const lines = await Promise.all(children.map((c) => nextLine(c, 1, 'finish')));
		const ms = performance.now() - t0;
		const s1 = await serverCpuUs(admin);
		const results = lines.map((l) => JSON.parse(l) as WorkerResult);
		const codes = await Promise.all(children.map((c) => c.exited));
		if (codes.some((code) => code !== 0)) throw new Error(`a writer failed: ${children.map((c) => c.stderr.join('')).join('\n')}`);
		const total = workers * perWorker;
		const headSeq = Number(await admin.hget(`${keyPrefix}head`, 'seq'));
		if (headSeq !== total) throw new Error(`expected head seq ${total} after concurrent appends, found ${headSeq}`);
		const clientCpu = results.reduce((sum, r) => sum + r.cpuUs, 0);
		const appends = results.reduce((sum, r) => sum + r.appends, 0);
		const commands: Record<string, number> = {};
		for (const r of results) for (const [name, count] of Object.entries(r.commands)) commands[name] = (commands[name] ?? 0) + count;
		const latencyMs = results.reduce((sum, r) => sum + r.ms, 0) / appends;
		return { eps: (total / ms) * 1000, serverUs: (s1 - s0) / total, clientUs: clientCpu / total, appends, latencyMs, commands };
	} finally {
		for (const c of children) c.stdin.end();
	}
}

// ---------------------------------------------------------------- verify

interface VerifyBreakdown {
	storeVerify: number[];
	memVerify: number[];
	hmgetRead: number[];
	parse: number[];
	canonical: number[];
	libHash: number[];
	crypto: number[];
}

async function benchVerify(): Promise<{ buildEps: number; breakdown: VerifyBreakdown; bytesPerEntry: number }> {
	const keyPrefix = `${RUN}v:`;
	const n = SIZE.verify;
	const store = await openRedisStore(keyPrefix);
	const b: VerifyBreakdown = { storeVerify: [], memVerify: [], hmgetRead: [], parse: [], canonical: [], libHash: [], crypto: [] };
	const rate = (ms: number): number => (n / ms) * 1000;
	try {
		log(`verify: building a trail of ${fmtRate(n)} entries (batches of ${SIZE.verifyBuildBatch})`);
		const t0 = performance.now();
		for (const drafts of makeBatches('v', n, SIZE.verifyBuildBatch)) await store.append(drafts);
		const buildEps = rate(performance.now() - t0);
		const fields = Array.from({ length: n }, (_, i) => String(i + 1));
		let bytes = 0;

		for (let round = 1; round <= OPTIONS.rounds; round++) {
			// With a small heap first, as in `agent-guard audit verify`: the store's own verify, then
			// its I/O and its parsing alone (HMGET 1,000 seqs at a time, as records() does).
			let t = performance.now();
			const report = await store.verify();
			b.storeVerify.push(rate(performance.now() - t));
			if (!report.valid || report.entries !== n) throw new Error(`verify failed: ${report.message}`);
			let readMs = 0;
			let parseMs = 0;
			let parsed = 0;
			bytes = 0;
			for (let i = 0; i < n; i += 1000) {
				t = performance.now();
				const raw = await admin.hmget(`${keyPrefix}entries`, ...fields.slice(i, i + 1000));
				readMs += performance.now() - t;
				t = performance.now();
				for (const s of raw) {
					if (s === null) throw new Error('entry missing');
					bytes += s.length;
					parsed += (JSON.parse(s) as AuditEntry).seq > 0 ? 1 : 0;
				}
				parseMs += performance.now() - t;
			}
			if (parsed !== n) throw new Error(`parsed ${parsed} of ${n}`);
			b.hmgetRead.push(rate(readMs));
			b.parse.push(rate(parseMs));

			// Then the same entries parsed in memory (dropped at the end of the round): verifyTrail,
			// what it recomputes per entry, and the floor.
			const records: StoredRecord[] = [];
			for await (const r of store.records()) records.push(r);
			const checkpoints: Checkpoint[] = await store.checkpoints();
			const entries = records.map((r) => ('entry' in r ? r.entry : undefined)).filter((e): e is AuditEntry => e !== undefined);
			if (entries.length !== n) throw new Error(`expected ${n} entries read back, found ${entries.length}`);
			t = performance.now();
			const mem = await verifyTrail(records, checkpoints, BENCH_SECRET);
			b.memVerify.push(rate(performance.now() - t));
			if (!mem.valid) throw new Error(`in-memory verify failed: ${mem.message}`);
			// Results are consumed, not kept: keeping 100,000 canonical strings (V8 cons-strings)
			// would measure the garbage collector instead.
			let sink = 0;
			t = performance.now();
			for (let i = 0; i < n; i++) {
				const { hash: _h, mac: _m, seq: _s, prevHash: _p, ...draft } = entries[i];
				sink += canonicalJson(draft).length;
			}
			b.canonical.push(rate(performance.now() - t));
			t = performance.now();
			for (let i = 0; i < n; i++) sink += entryHash(entries[i]).length + macHex(BENCH_SECRET, `entry\n${entries[i].hash}`).length;
			b.libHash.push(rate(performance.now() - t));
			if (sink === 0) throw new Error('nothing hashed');
			// The floor: SHA-256 and HMAC-SHA-256 over the exact bytes, serialised beforehand.
			// The hash input as lib/audit/entry.ts defines it: seq, prevHash, canonical JSON of the rest.
			const hashInputs = entries.map((e) => {
				const { hash: _h, mac: _m, seq: _s, prevHash: _p, ...draft } = e;
				return Buffer.from(`${e.seq}\n${e.prevHash}\n${canonicalJson(draft)}`);
			});
			let ok = 0;
			t = performance.now();
			for (let i = 0; i < n; i++) {
				const h = createHash('sha256').update(hashInputs[i]).digest('hex');
				const m = createHmac('sha256', BENCH_SECRET).update(`entry\n${h}`).digest('hex');
				if (h === entries[i].hash && m === entries[i].mac) ok++;
			}
			b.crypto.push(rate(performance.now() - t));
			if (ok !== n) throw new Error(`crypto floor recomputed ${ok} of ${n} entries`);
			const r = round - 1;
			log(
				`verify round ${round}: store.verify() ${fmtRate(b.storeVerify[r])}/s, verifyTrail in memory ${fmtRate(b.memVerify[r])}/s; alone: HMGET ${fmtRate(b.hmgetRead[r])}/s, JSON.parse ${fmtRate(b.parse[r])}/s, canonicalJson ${fmtRate(b.canonical[r])}/s, entryHash+macHex ${fmtRate(b.libHash[r])}/s, SHA-256+HMAC floor ${fmtRate(b.crypto[r])}/s`,
			);
		}
		return { buildEps, breakdown: b, bytesPerEntry: bytes / n };
	} finally {
		await store.close();
	}
}

// ---------------------------------------------------------------- embedded store

async function appendDurably(path: string, text: string, sync: boolean): Promise<void> {
	const handle = await fs.open(path, 'a', 0o600);
	try {
		await handle.write(text);
		if (sync) await handle.sync();
	} finally {
		await handle.close();
	}
}

interface EmbeddedResult {
	store: number[];
	rawFsync: number[];
	rawNoFsync: number[];
	fsyncMs: number[];
}

async function benchEmbedded(): Promise<EmbeddedResult> {
	const root = await fs.mkdtemp(join(tmpdir(), 'agbench-'));
	const out: EmbeddedResult = { store: [], rawFsync: [], rawNoFsync: [], fsyncMs: [] };
	try {
		const batches = makeBatches('e', SIZE.embedded, SIZE.embeddedBatch);
		// The bytes the store writes, for the raw reference: sealed lines and one checkpoint line per batch.
		const texts: Array<{ journal: string; checkpoint: string }> = [];
		let head = { seq: 0, hash: GENESIS_HASH };
		for (const drafts of batches) {
			const sealed = sealLines(
				drafts.map((d: EntryDraft) => prepareDraft(d)),
				head,
				BENCH_SECRET,
			);
			head = sealed[sealed.length - 1].entry;
			texts.push({ journal: sealed.map((s) => s.json + '\n').join(''), checkpoint: canonicalJson(signCheckpoint(head, BENCH_SECRET)) + '\n' });
		}
		for (let round = 1; round <= OPTIONS.rounds; round++) {
			const dir = join(root, `r${round}`);
			const store = await EmbeddedStore.open({ dir, secret: BENCH_SECRET, env: {} });
			await store.append(makeBatches('warm', 1, 1)[0]);
			let t = performance.now();
			for (const drafts of batches) await store.append(drafts);
			out.store.push((SIZE.embedded / (performance.now() - t)) * 1000);
			const report = await store.verify();
			if (!report.valid || report.entries !== SIZE.embedded + 1) throw new Error(`embedded verify failed: ${report.message}`);
			await store.close();

			const per: number[] = [];
			t = performance.now();
			for (const text of texts) {
				const t1 = performance.now();
				await appendDurably(join(dir, 'raw.jsonl'), text.journal, true);
				per.push(performance.now() - t1);
				await appendDurably(join(dir, 'raw-cp.jsonl'), text.checkpoint, true);
			}
			out.rawFsync.push((SIZE.embedded / (performance.now() - t)) * 1000);
			out.fsyncMs.push(median(per));

			t = performance.now();
			for (const text of texts) {
				await appendDurably(join(dir, 'raw-nosync.jsonl'), text.journal, false);
				await appendDurably(join(dir, 'raw-nosync-cp.jsonl'), text.checkpoint, false);
			}
			out.rawNoFsync.push((SIZE.embedded / (performance.now() - t)) * 1000);
			log(`embedded round ${round}: store ${fmtRate(out.store[round - 1])}/s, raw write+fsync ${fmtRate(out.rawFsync[round - 1])}/s, one durable append ${out.fsyncMs[round - 1].toFixed(2)} ms`);
		}
		return out;
	} finally {
		await fs.rm(root, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------- machine

async function machine(): Promise<Record<string, string>> {
	const nproc = (await run('nproc', []).catch(() => '?')).trim();
	const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
	const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
	const serverInfo = await admin.info('server');
	const redisVersion = /^redis_version:(.*)$/m.exec(serverInfo)?.[1]?.trim() ?? 'unknown';
	const benchVersion = (await run('redis-benchmark', ['--version']).catch(() => 'unknown')).trim();
	const persistence = await admin.info('persistence');
	const aof = /^aof_enabled:(\d)/m.exec(persistence)?.[1] === '1' ? 'on' : 'off';
	return { nproc, cpu: model, node: process.version, redis: `${redisVersion} (AOF ${aof}), ${REDIS_HOST}:${REDIS_PORT}`, redisBenchmark: benchVersion };
}

// ---------------------------------------------------------------- report

function buildReport(info: Record<string, string>, started: Date, verify: Awaited<ReturnType<typeof benchVerify>> | undefined, embedded: EmbeddedResult | undefined, draftBytes: number): string {
	const parts: string[] = [];
	const command = `npm run build && node dist/bench/audit.bench.js${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`;
	parts.push(`Command: \`${command}\`  `);
	parts.push(`Date: ${started.toISOString()}  `);
	parts.push(`Machine: nproc ${info.nproc}, CPU ${info.cpu}, node ${info.node}, redis-server ${info.redis}, ${info.redisBenchmark}  `);
	parts.push(
		`Mode: ${OPTIONS.quick ? 'quick' : 'full'}, ${OPTIONS.rounds} rounds, medians reported; ratios are the median of per-round ratios (ours / reference measured just before it). Draft: ${draftBytes} bytes as canonical JSON. Key prefix ${RUN} (deleted at the end).`,
	);
	parts.push('');

	const main: string[][] = [];
	const addAppend = (id: string, what: string, refWhat: string, target?: string): void => {
		const s = samples.get(id);
		if (!s) return;
		const ratio = median(s.ratio);
		const met = target === undefined ? '' : ratio >= TARGET_BATCHED_RATIO ? `≥ 30%: **met**` : `≥ 30%: **missed**`;
		main.push([what, fmtRate(median(s.value)), refWhat, fmtRate(median(s.ref)), fmtRatio(ratio), `${fmtUs(median(s.serverUs))} / ${fmtUs(median(s.refServerUs))}`, fmtUs(median(s.clientUs)), met]);
	};
	addAppend('batched', `Redis append, 1 writer, batches of ${SIZE.batch} (${fmtRate(SIZE.batched)} entries)`, `EVALSHA INCR+HSET, c=1, P=${SIZE.batch}`, 'target');
	addAppend('single', `Redis append, 1 writer, single entries (${fmtRate(SIZE.single)})`, 'EVALSHA INCR+HSET, c=1, P=1');
	addAppend('conc10', `Redis append, ${SIZE.workers} processes × ${fmtRate(SIZE.perWorker)}, batches of ${SIZE.concBatch}`, `EVALSHA INCR+HSET, c=${SIZE.workers}, P=${SIZE.concBatch}`);
	addAppend('conc1', `Redis append, ${SIZE.workers} processes × ${fmtRate(SIZE.perWorker)}, single entries`, `EVALSHA INCR+HSET, c=${SIZE.workers}, P=1`);
	if (verify) {
		const v = verify.breakdown;
		const verdict = (eps: number): string => (eps >= TARGET_VERIFY_EPS ? '≥ 100,000/s: **met**' : '≥ 100,000/s: **missed**');
		const cryptoMed = median(v.crypto);
		main.push([`Verify from Redis, \`store.verify()\` (${fmtRate(SIZE.verify)} entries)`, fmtRate(median(v.storeVerify)), 'SHA-256+HMAC over the same bytes, pre-serialised', fmtRate(cryptoMed), fmtRatio(median(v.storeVerify.map((x, i) => x / v.crypto[i]))), '', '', verdict(median(v.storeVerify))]);
		main.push([`Verify in memory, \`verifyTrail\` over parsed entries`, fmtRate(median(v.memVerify)), 'SHA-256+HMAC over the same bytes, pre-serialised', fmtRate(cryptoMed), fmtRatio(median(v.memVerify.map((x, i) => x / v.crypto[i]))), '', '', verdict(median(v.memVerify))]);
	}
	if (embedded) {
		main.push([
			`Embedded append, batches of ${SIZE.embeddedBatch} (${fmtRate(SIZE.embedded)} entries, 2 fsyncs per batch)`,
			fmtRate(median(embedded.store)),
			'open+write+fsync+close ×2 per batch, same bytes',
			fmtRate(median(embedded.rawFsync)),
			fmtRatio(median(embedded.store) / median(embedded.rawFsync)),
			'',
			'',
			'information',
		]);
	}
	parts.push('### Results (entries/s; medians)');
	parts.push('');
	parts.push(table(['Measurement', 'Ours /s', 'Reference', 'Ref /s', 'Ours / ref', 'Redis CPU µs per entry, ours / ref', 'Client CPU µs per entry', 'Target'], main));
	parts.push('');
	parts.push('Redis CPU is the server\'s `used_cpu_user+used_cpu_sys` delta over the run divided by entries (global: anything else using the server counts too). Client CPU is the Node writer processes\' own CPU.');
	parts.push('');
	const mixRows: string[][] = [];
	for (const [id, what, batch] of [
		['batched', `1 writer, batches of ${SIZE.batch}`, SIZE.batch],
		['single', '1 writer, single entries', 1],
		['conc10', `${SIZE.workers} processes, batches of ${SIZE.concBatch}`, SIZE.concBatch],
		['conc1', `${SIZE.workers} processes, single entries`, 1],
	] as const) {
		const m = mix.get(id);
		if (!m) continue;
		mixRows.push([what, (totalCount(m.commands) / m.appends).toFixed(1), describeCounts(m.commands, m.appends), median(m.latencyMs).toFixed(2), fmtUs((median(m.latencyMs) * 1000) / batch)]);
	}
	if (mixRows.length > 0) {
		parts.push('### Append: Redis commands and latency per `append` call');
		parts.push('');
		parts.push(table(['Writer', 'Commands per append', 'By name (per append)', 'Mean append latency, ms', 'Latency per entry, µs'], mixRows));
		parts.push('');
		parts.push('Counted in the writer by wrapping ioredis\' `sendCommand`; every command is one round trip for a sequential writer. Under contention `set` (the seal lock, SET NX) and `hget` (polling the head) repeat while a writer waits for the lock holder.');
		parts.push('');
	}

	if (appendSteps.size > 0) {
		const rows = APPEND_STEPS.map(([what, key]) => [what, fmtUs(median(appendSteps.get(key) ?? []))]);
		const sum = APPEND_STEPS.reduce((acc, [, key]) => acc + median(appendSteps.get(key) ?? []), 0);
		rows.push(['**Sum: JavaScript per entry with free I/O**', `**${fmtUs(sum)}**`]);
		const b = samples.get('batched');
		if (b) rows.push(['Measured: writer CPU per entry in the batched append (adds ioredis, sockets, GC)', fmtUs(median(b.clientUs))]);
		parts.push(`### Append: the writer's JavaScript per entry, step by step (batches of ${SIZE.batch}, no Redis; µs, medians)`);
		parts.push('');
		parts.push(table(['Step of `RedisStore.append`', 'µs/entry'], rows));
		parts.push('');
	}
	const rawRows: string[][] = [];
	for (const [c, p] of [
		[1, 1],
		[1, SIZE.batch],
		[SIZE.workers, 1],
		[SIZE.workers, SIZE.concBatch],
	] as const) {
		const get = (kind: string): Samples | undefined => samples.get(`raw:${kind}:${c}:${p}`);
		const e = get('evalsha');
		if (!e) continue;
		const h = get('hset');
		const r = get('rpush');
		rawRows.push([`c=${c}, P=${p}`, fmtRate(median(e.value)), fmtUs(median(e.serverUs)), h ? fmtRate(median(h.value)) : '', h ? fmtUs(median(h.serverUs)) : '', r ? fmtRate(median(r.value)) : '', r ? fmtUs(median(r.serverUs)) : '']);
	}
	if (rawRows.length > 0) {
		parts.push('### Raw primitives: `redis-benchmark -q --csv -n N -c C -P P <command>` (requests/s; medians)');
		parts.push('');
		parts.push(
			table(
				['Clients, pipeline', 'EVALSHA INCR + HSET of the draft', 'Redis µs/op', `HSET of the draft`, 'Redis µs/op', 'RPUSH seq', 'Redis µs/op'],
				rawRows,
			),
		);
		parts.push('');
	}

	if (verify) {
		const v = verify.breakdown;
		const us = (eps: number[]): string => fmtUs(1e6 / median(eps));
		parts.push(`### Verify: where the time goes (µs per entry, medians; sealed entry ≈ ${Math.round(verify.bytesPerEntry)} bytes)`);
		parts.push('');
		parts.push(
			table(
				['Step', 'µs/entry', 'entries/s'],
				[
					['HMGET 1,000 seqs at a time (strings only)', us(v.hmgetRead), fmtRate(median(v.hmgetRead))],
					['JSON.parse', us(v.parse), fmtRate(median(v.parse))],
					['`canonicalJson` of the body (the entry minus seq, prevHash, hash, mac)', us(v.canonical), fmtRate(median(v.canonical))],
					['SHA-256 + HMAC-SHA-256 over pre-serialised bytes (floor)', us(v.crypto), fmtRate(median(v.crypto))],
					['`entryHash` + `macHex` (lib: canonical + SHA-256 + HMAC)', us(v.libHash), fmtRate(median(v.libHash))],
					['`verifyTrail` in memory (canonical + crypto + checks)', us(v.memVerify), fmtRate(median(v.memVerify))],
					['`store.verify()` (all of the above)', us(v.storeVerify), fmtRate(median(v.storeVerify))],
				],
			),
		);
		parts.push('');
		parts.push(`Building the ${fmtRate(SIZE.verify)}-entry trail (1 writer, batches of ${SIZE.verifyBuildBatch}) ran at ${fmtRate(verify.buildEps)} entries/s.`);
		parts.push('');
	}
	if (embedded) {
		const storeUs = 1e6 / median(embedded.store);
		const durableUs = 1e6 / median(embedded.rawFsync);
		const writeUs = 1e6 / median(embedded.rawNoFsync);
		parts.push(
			`Embedded store: one durable append (open, write ~${Math.round(((draftBytes + 230) * SIZE.embeddedBatch) / 1024)} KB, fsync, close) takes ${median(embedded.fsyncMs).toFixed(2)} ms (median). Per entry at batches of ${SIZE.embeddedBatch}: the store takes ${fmtUs(storeUs)} µs; writing its bytes durably (2 fsyncs per batch) takes ${fmtUs(durableUs)} µs, of which fsync is ${fmtUs(durableUs - writeUs)} µs. So fsync is ${fmtRatio((durableUs - writeUs) / storeUs)} of the store's time per entry: ${(durableUs - writeUs) / storeUs >= 0.5 ? 'at this batch size fsync is what bounds the embedded store.' : 'at this batch size the embedded store is bound by its own work (redaction, one canonical encoding and the sealing per entry, catching up with the journal and the lock file per batch), not by fsync.'}`,
		);
		parts.push('');
	}
	parts.push(...summary(verify));
	return parts.join('\n');
}

function summary(verify: Awaited<ReturnType<typeof benchVerify>> | undefined): string[] {
	const out: string[] = ['### Summary', ''];
	const b = samples.get('batched');
	if (b) {
		const ratio = median(b.ratio);
		const server = median(b.serverUs);
		const refServer = median(b.refServerUs);
		const client = median(b.clientUs);
		const wallUs = 1e6 / median(b.value);
		out.push(
			`- Batched append (1 writer, ${SIZE.batch} per batch): ${fmtRate(median(b.value))} entries/s, ${fmtRatio(ratio)} of the raw primitive pipelined the same way (${fmtRate(median(b.ref))}/s). Target ≥ 30%: **${ratio >= TARGET_BATCHED_RATIO ? 'met' : 'missed'}**. Per entry: ${fmtUs(wallUs)} µs wall, in which the writer process used ${fmtUs(client)} µs of CPU (all its threads, GC and JIT included, so partly in parallel) and Redis ${fmtUs(server)} µs (the primitive costs Redis ${fmtUs(refServer)} µs).`,
		);
	}
	for (const [id, what] of [
		['single', 'single-entry appends, 1 writer'],
		['conc10', `${SIZE.workers} processes, batches of ${SIZE.concBatch}`],
		['conc1', `${SIZE.workers} processes, single entries`],
	] as const) {
		const s = samples.get(id);
		if (s) out.push(`- ${what}: ${fmtRate(median(s.value))} entries/s, ${fmtRatio(median(s.ratio))} of the matching primitive (no target; for information). Per entry ${fmtUs(median(s.clientUs))} µs Node CPU, ${fmtUs(median(s.serverUs))} µs Redis CPU.`);
	}
	if (verify) {
		const v = verify.breakdown;
		const sv = median(v.storeVerify);
		const mv = median(v.memVerify);
		out.push(
			`- Verify: ${fmtRate(sv)} entries/s from Redis and ${fmtRate(mv)} entries/s in memory (SHA-256+HMAC over pre-serialised bytes alone: ${fmtRate(median(v.crypto))}/s). Target ≥ 100,000/s: from Redis **${sv >= TARGET_VERIFY_EPS ? 'met' : 'missed'}**, in memory **${mv >= TARGET_VERIFY_EPS ? 'met' : 'missed'}**.`,
		);
	}
	out.push(...notes.map((n) => `- ${n}`));
	return out;
}

const BEGIN = '<!-- bench:begin (generated by bench/audit.bench.ts; edit outside these markers) -->';
const END = '<!-- bench:end -->';

async function writeResults(report: string): Promise<void> {
	const path = join(__dirname, '..', '..', 'bench', 'RESULTS.md');
	let current = '';
	try {
		current = await fs.readFile(path, 'utf8');
	} catch {
		current = '';
	}
	const block = `${BEGIN}\n${report}\n${END}`;
	const start = current.indexOf(BEGIN);
	const end = current.indexOf(END);
	const next =
		start !== -1 && end > start
			? current.slice(0, start) + block + current.slice(end + END.length)
			: `# Audit trail benchmark results\n\nThe section between the markers is rewritten by every full run of \`bench/audit.bench.ts\`; the analysis below it is kept.\n\n${block}\n${current}`;
	await fs.writeFile(path, next);
	log(`wrote ${path}`);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
	const started = new Date();
	await admin.connect();
	let interrupted = false;
	const onSignal = (): void => {
		if (interrupted) process.exit(130);
		interrupted = true;
		log('interrupted: deleting the run keys');
		deleteRunKeys().finally(() => process.exit(130));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	let verify: Awaited<ReturnType<typeof benchVerify>> | undefined;
	let embedded: EmbeddedResult | undefined;
	const value = canonicalJson(prepareDraft(makeDraft('ref', 0)));
	try {
		const info = await machine();
		log(`run ${RUN} (${OPTIONS.quick ? 'quick' : 'full'}, ${OPTIONS.rounds} rounds) on ${info.nproc} cores, ${info.cpu}, node ${info.node}, redis ${info.redis}`);
		const sha = String(await admin.script('LOAD', PRIMITIVE_LUA));
		const on = (s: Section): boolean => OPTIONS.only.has(s);

		for (let round = 1; round <= OPTIONS.rounds; round++) {
			if (on('batched')) {
				const ref = await references(`round ${round} batched`, 1, SIZE.batch, sha, value);
				const r = await appendInProcess(`${RUN}b${round}:`, SIZE.batched, SIZE.batch);
				record('batched', r.eps, ref, r.serverUs, r.clientUs);
				addMix('batched', r);
				log(`round ${round} batched append: ${fmtRate(r.eps)}/s = ${fmtRatio(r.eps / ref.rps)} of reference`);
				appendBreakdown(SIZE.batched, SIZE.batch);
			}
			if (on('single')) {
				const ref = await references(`round ${round} single`, 1, 1, sha, value);
				const r = await appendInProcess(`${RUN}s${round}:`, SIZE.single, 1);
				record('single', r.eps, ref, r.serverUs, r.clientUs);
				addMix('single', r);
				log(`round ${round} single append: ${fmtRate(r.eps)}/s = ${fmtRatio(r.eps / ref.rps)} of reference`);
			}
			if (on('conc')) {
				let ref = await references(`round ${round} concurrent batched`, SIZE.workers, SIZE.concBatch, sha, value);
				let r = await appendFromProcesses(`${RUN}c${round}b:`, SIZE.workers, SIZE.perWorker, SIZE.concBatch);
				record('conc10', r.eps, ref, r.serverUs, r.clientUs);
				addMix('conc10', r);
				log(`round ${round} ${SIZE.workers} processes, batches of ${SIZE.concBatch}: ${fmtRate(r.eps)}/s = ${fmtRatio(r.eps / ref.rps)} of reference`);
				ref = await references(`round ${round} concurrent single`, SIZE.workers, 1, sha, value);
				r = await appendFromProcesses(`${RUN}c${round}s:`, SIZE.workers, SIZE.perWorker, 1);
				record('conc1', r.eps, ref, r.serverUs, r.clientUs);
				addMix('conc1', r);
				log(`round ${round} ${SIZE.workers} processes, single entries: ${fmtRate(r.eps)}/s = ${fmtRatio(r.eps / ref.rps)} of reference`);
			}
		}
		if (on('verify')) verify = await benchVerify();
		if (on('embedded')) embedded = await benchEmbedded();

		const report = buildReport(info, started, verify, embedded, Buffer.byteLength(value));
		process.stdout.write(report + '\n');
		if (OPTIONS.write) await writeResults(report);
		else log('bench/RESULTS.md not updated (quick or partial run; pass --write to force)');
	} finally {
		const deleted = await deleteRunKeys();
		log(`deleted ${deleted} keys under ${RUN}`);
		await admin.quit();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	deleteRunKeys()
		.catch(() => undefined)
		.finally(() => process.exit(1));
});
