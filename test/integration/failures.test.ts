import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedStore } from '../../lib/store/embedded';
import { RedisStore } from '../../lib/store/redis';
import { StoreConfigError, StoreCorruptError, StoreUnavailableError } from '../../lib/store/types';
import { PrivateRedis, freePort } from '../helpers/privateRedis';
import { runCliProcess } from '../helpers/processes';
import { TEST_SECRET, tempDir } from '../helpers/stores';

const note = (i: number) => ({ agentId: 'bot', executionId: 'x', actor: { type: 'agent' as const, id: 'bot' }, event: 'test.note', details: { i } });

async function timed<T>(task: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
	const started = Date.now();
	try {
		await task();
		return { ms: Date.now() - started, error: undefined };
	} catch (error) {
		return { ms: Date.now() - started, error };
	}
}

describe('Redis failures fail closed and fast', () => {
	test('an unreachable Redis is refused within a second with store_unavailable', async () => {
		const port = await freePort();
		const { ms, error } = await timed(() => RedisStore.open({ port, secret: TEST_SECRET }));
		expect(error).toBeInstanceOf(StoreUnavailableError);
		expect((error as Error).message).toContain(`127.0.0.1:${port}`);
		expect(ms).toBeLessThan(1000);
	});

	test('Redis stopped mid-run: appends and kill-switch reads fail within a second; after restart nothing was lost or doubled', async () => {
		const redis = await PrivateRedis.create(tempDir('redis'));
		await redis.start();
		const store = await RedisStore.open({ url: redis.url, secret: TEST_SECRET });
		try {
			await store.append([note(1), note(2)]);
			await redis.stop();
			for (const op of [(): Promise<unknown> => store.append([note(3)]), (): Promise<unknown> => store.getAgent('bot')]) {
				const { ms, error } = await timed(op);
				expect(error).toBeInstanceOf(StoreUnavailableError);
				expect(ms).toBeLessThan(1000);
			}
			await redis.start();
			let appended = false;
			for (let i = 0; i < 40 && !appended; i++) {
				appended = await store.append([note(4)]).then(() => true, () => false);
				if (!appended) await new Promise((r) => setTimeout(r, 100));
			}
			expect(appended).toBe(true);
			const report = await store.verify();
			expect(report).toMatchObject({ valid: true, entries: 3 });
			expect((await store.trace('x')).map((e) => (e.details as { i: number }).i)).toEqual([1, 2, 4]);
		} finally {
			await store.close();
			await redis.stop();
		}
	}, 30_000);

	test('a wrong Redis password is a configuration error that names the credential', async () => {
		const redis = await PrivateRedis.create(tempDir('redis'), ['--requirepass', 'right-password']);
		await redis.start();
		try {
			const { error } = await timed(() => RedisStore.open({ port: redis.port, password: 'wrong', secret: TEST_SECRET }));
			expect(error).toBeInstanceOf(StoreConfigError);
			expect((error as Error).message).toMatch(/refused the password.*Agent Guard credential/);
			const store = await RedisStore.open({ port: redis.port, password: 'right-password', secret: TEST_SECRET });
			await expect(store.append([note(1)])).resolves.toHaveLength(1);
			await store.close();
		} finally {
			await redis.stop();
		}
	});

	test('an invalid key prefix or an empty signing secret is refused before connecting', async () => {
		await expect(RedisStore.open({ keyPrefix: 'bad prefix!', secret: TEST_SECRET })).rejects.toThrow(/key prefix/);
		await expect(RedisStore.open({ secret: '' })).rejects.toThrow(/signing secret/);
	});
});

describe('embedded journal damage is reported where it is, and nothing written is lost', () => {
	test('a corrupt line stops every operation with the file and line, while earlier entries stay readable', async () => {
		const dir = tempDir();
		const writer = await EmbeddedStore.open({ dir, secret: TEST_SECRET });
		await writer.append([note(1), note(2), note(3)]);
		const path = join(dir, 'journal.jsonl');
		const lines = (await fs.readFile(path, 'utf8')).split('\n');
		lines[1] = lines[1].slice(0, 40);
		await fs.writeFile(path, lines.join('\n'));
		const reopened = await EmbeddedStore.open({ dir, secret: TEST_SECRET });
		await expect(reopened.getAgent('bot')).rejects.toThrow(StoreCorruptError);
		await expect(reopened.append([note(4)])).rejects.toThrow(/journal\.jsonl line 2 is not valid JSON/);
		const report = await reopened.verify();
		expect(report).toMatchObject({ valid: false, problem: 'corrupt_record', firstBadSeq: 2, entries: 1 });
		expect(report.message).toContain('journal.jsonl line 2');
		expect((await fs.readFile(path, 'utf8')).split('\n')[2]).toBe(lines[2]);
	});

	test('a torn last line (a crash mid-write) is set aside and the next append continues the chain', async () => {
		const dir = tempDir();
		const store = await EmbeddedStore.open({ dir, secret: TEST_SECRET });
		await store.append([note(1)]);
		await fs.appendFile(join(dir, 'journal.jsonl'), '{"seq":2,"half');
		const other = await EmbeddedStore.open({ dir, secret: TEST_SECRET });
		const [entry] = await other.append([note(2)]);
		expect(entry.seq).toBe(2);
		await expect(other.verify()).resolves.toMatchObject({ valid: true, entries: 2 });
		const torn = (await fs.readdir(dir)).filter((f) => f.startsWith('journal.torn-'));
		expect(torn).toHaveLength(1);
		expect(await fs.readFile(join(dir, torn[0]), 'utf8')).toBe('{"seq":2,"half');
	});

	test('queue mode refuses the embedded store and says to configure Redis', async () => {
		await expect(EmbeddedStore.open({ dir: tempDir(), secret: TEST_SECRET, env: { EXECUTIONS_MODE: 'queue' } })).rejects.toThrow(/queue mode.*Redis/);
	});

	test('a suspension typed with the CLI applies to the next read of a store that is already open', async () => {
		const dir = tempDir();
		const running = await EmbeddedStore.open({ dir, secret: TEST_SECRET });
		await running.append([note(1)]);
		expect((await running.getAgent('bot'))?.status).toBe('active');
		const cli = await runCliProcess(['agent', 'suspend', 'bot', '--reason', 'incident 42', '--by', 'ops@acme.test', '--dir', dir], { ...process.env, AGENT_GUARD_SECRET: TEST_SECRET });
		expect(cli.code).toBe(0);
		expect(await running.getAgent('bot')).toMatchObject({ status: 'suspended', suspendedBy: 'ops@acme.test', suspendedReason: 'incident 42' });
		const [next] = await running.append([note(2)]);
		expect(next.seq).toBe(3);
	});
});

describe('agent-guard audit verify', () => {
	test('passes on an untouched journal and fails, naming the line and seq, on a hand-edited one', async () => {
		const dir = tempDir();
		const env = { ...process.env, AGENT_GUARD_SECRET: TEST_SECRET };
		for (const i of [1, 2, 3]) expect((await runCliProcess(['audit', 'log', '--dir', dir, '--agent', 'bot', '--event', 'incident.note', '--details', JSON.stringify({ i })], env)).code).toBe(0);
		const ok = await runCliProcess(['audit', 'verify', '--dir', dir], env);
		expect(ok.code).toBe(0);
		expect(ok.stdout).toContain('chain valid: 3 entries');
		const path = join(dir, 'journal.jsonl');
		await fs.writeFile(path, (await fs.readFile(path, 'utf8')).replace('{"i":2}', '{"i":20}'));
		const broken = await runCliProcess(['audit', 'verify', '--dir', dir], env);
		expect(broken.code).toBe(1);
		expect(broken.stdout).toContain('BROKEN at seq 2 (modified)');
		expect(broken.stdout).toContain('journal.jsonl line 2');
	});

	test('prints the signed head; after the journal and its checkpoints are both cut back, --published-head with that head fails', async () => {
		const dir = tempDir();
		const env = { ...process.env, AGENT_GUARD_SECRET: TEST_SECRET };
		for (const i of [1, 2, 3]) expect((await runCliProcess(['audit', 'log', '--dir', dir, '--agent', 'bot', '--event', 'incident.note', '--details', JSON.stringify({ i })], env)).code).toBe(0);
		const ok = await runCliProcess(['audit', 'verify', '--dir', dir], env);
		const head = /signed head .*: (agh1\.3\.\S+)/.exec(ok.stdout)?.[1];
		expect(head).toBeDefined();
		// Someone with access to the folder drops the last entry and the checkpoint that names it.
		for (const file of ['journal.jsonl', 'checkpoints.jsonl']) {
			const path = join(dir, file);
			const lines = (await fs.readFile(path, 'utf8')).trimEnd().split('\n');
			await fs.writeFile(path, lines.slice(0, -1).join('\n') + '\n');
		}
		expect((await runCliProcess(['audit', 'verify', '--dir', dir], env)).code).toBe(0);
		const caught = await runCliProcess(['audit', 'verify', '--dir', dir, '--published-head', String(head)], env);
		expect(caught.code).toBe(1);
		expect(caught.stdout).toContain('BROKEN at seq 3 (truncated)');
		const typo = await runCliProcess(['audit', 'verify', '--dir', dir, '--published-head', 'agh1.3.beef'], env);
		expect(typo.code).toBe(2);
		expect(typo.stderr).toContain('--published-head: published head 1 of 1');
	});

	test('malformed --details JSON is refused with a usage error and nothing is written', async () => {
		const dir = tempDir();
		const env = { ...process.env, AGENT_GUARD_SECRET: TEST_SECRET };
		const result = await runCliProcess(['audit', 'log', '--dir', dir, '--agent', 'bot', '--event', 'incident.note', '--details', '{oops'], env);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('--details is not valid JSON');
		const verify = await runCliProcess(['audit', 'verify', '--dir', dir, '--json'], env);
		expect(JSON.parse(verify.stdout)).toMatchObject({ valid: true, entries: 0 });
	});
});
