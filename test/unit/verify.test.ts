import { canonicalJson } from '../../lib/audit/canonical';
import { AuditEntry, Checkpoint, GENESIS_HASH, prepareDraft, sealChain, signCheckpoint } from '../../lib/audit/entry';
import { StoredRecord, verifyTrail } from '../../lib/audit/verify';

const SECRET = 'unit-secret-0123456789abcdef0123456789';

function chain(n: number): { entries: AuditEntry[]; checkpoints: Checkpoint[] } {
	const drafts = Array.from({ length: n }, (_, i) =>
		prepareDraft({ agentId: 'bot', actor: { type: 'agent', id: 'bot' }, event: 'scope.decided', details: { i } }, new Date(Date.UTC(2026, 10, 30, 9, 0, i))),
	);
	const entries = sealChain(drafts, { seq: 0, hash: GENESIS_HASH }, SECRET);
	return { entries, checkpoints: [signCheckpoint(entries[n - 1], SECRET)] };
}

const records = (entries: AuditEntry[]): StoredRecord[] => entries.map((entry, i) => ({ entry, where: `line ${i + 1}` }));
const clone = (entries: AuditEntry[]): AuditEntry[] => JSON.parse(JSON.stringify(entries)) as AuditEntry[];

describe('verifyTrail (tamper evidence)', () => {
	test('an untouched chain is valid and reports its head', async () => {
		const { entries, checkpoints } = chain(5);
		await expect(verifyTrail(records(entries), checkpoints, SECRET)).resolves.toMatchObject({ valid: true, entries: 5, headSeq: 5, checkpointSeq: 5 });
	});

	test('a changed field is reported as modified at its seq', async () => {
		const { entries, checkpoints } = chain(5);
		const t = clone(entries);
		t[2].details = { i: 99 };
		await expect(verifyTrail(records(t), checkpoints, SECRET)).resolves.toMatchObject({ valid: false, problem: 'modified', firstBadSeq: 3, entries: 2 });
	});

	test('a changed entry whose hash was recomputed still fails on its MAC', async () => {
		const { entries, checkpoints } = chain(5);
		const t = clone(entries);
		const forged = sealChain([{ ...prepareDraft({ actor: { type: 'agent', id: 'bot' }, event: 'scope.decided', details: { i: 99 } }), ts: t[2].ts }], { seq: 2, hash: t[1].hash }, 'attacker-guess')[0];
		t[2] = forged;
		const report = await verifyTrail(records(t), checkpoints, SECRET);
		expect(report).toMatchObject({ valid: false, problem: 'modified', firstBadSeq: 3 });
	});

	test('a deleted entry is reported as deleted, naming the missing seq', async () => {
		const { entries, checkpoints } = chain(5);
		const t = clone(entries);
		t.splice(1, 1);
		await expect(verifyTrail(records(t), checkpoints, SECRET)).resolves.toMatchObject({ valid: false, problem: 'deleted', firstBadSeq: 2 });
	});

	test('an entry spliced in between two others is reported as inserted', async () => {
		const { entries, checkpoints } = chain(5);
		const t = clone(entries);
		const fake = { ...t[2], details: { i: 'forged' } };
		t.splice(2, 0, fake);
		await expect(verifyTrail(records(t), checkpoints, SECRET)).resolves.toMatchObject({ valid: false, problem: 'inserted', firstBadSeq: 3 });
	});

	test('a copy of an earlier entry appended again is reported as inserted', async () => {
		const { entries, checkpoints } = chain(3);
		const t = [...clone(entries), clone(entries)[0]];
		await expect(verifyTrail(records(t), checkpoints, SECRET)).resolves.toMatchObject({ valid: false, problem: 'inserted', firstBadSeq: 1 });
	});

	test('two swapped entries are reported as reordered', async () => {
		const { entries, checkpoints } = chain(5);
		const t = clone(entries);
		[t[1], t[2]] = [t[2], t[1]];
		const report = await verifyTrail(records(t), checkpoints, SECRET);
		expect(report.valid).toBe(false);
		expect(['reordered', 'deleted']).toContain(report.problem);
		expect(report.firstBadSeq).toBe(2);
	});

	test('a truncated tail is detected against the last signed checkpoint', async () => {
		const { entries, checkpoints } = chain(5);
		const report = await verifyTrail(records(entries.slice(0, 3)), checkpoints, SECRET);
		expect(report).toMatchObject({ valid: false, problem: 'truncated', firstBadSeq: 4, checkpointSeq: 5, entries: 3 });
	});

	test('a forged checkpoint does not verify', async () => {
		const { entries } = chain(3);
		const forged = signCheckpoint({ seq: 3, hash: entries[2].hash }, 'wrong-key');
		await expect(verifyTrail(records(entries), [forged], SECRET)).resolves.toMatchObject({ valid: false, problem: 'bad_checkpoint' });
	});

	test('a rewritten chain that no longer matches a checkpoint is reported at that seq', async () => {
		const { entries } = chain(4);
		const early = signCheckpoint(entries[1], SECRET);
		const rewritten = sealChain(entries.slice(1).map(({ seq: _s, prevHash: _p, hash: _h, mac: _m, ...d }) => ({ ...d, details: { i: 'rewritten' } })), { seq: 1, hash: entries[0].hash }, SECRET);
		const report = await verifyTrail(records([entries[0], ...rewritten]), [early], SECRET);
		expect(report).toMatchObject({ valid: false, problem: 'modified', firstBadSeq: 2 });
	});

	test('the wrong signing secret is reported as wrong_secret, not as tampering', async () => {
		const { entries, checkpoints } = chain(3);
		await expect(verifyTrail(records(entries), checkpoints, 'another-secret-another-secret-12345')).resolves.toMatchObject({ valid: false, problem: 'wrong_secret', firstBadSeq: 1 });
	});

	test('an unparseable record is reported where it stands', async () => {
		const { entries, checkpoints } = chain(3);
		const recs: StoredRecord[] = [...records(entries.slice(0, 1)), { corrupt: 'not valid JSON', where: 'line 2' }];
		await expect(verifyTrail(recs, checkpoints, SECRET)).resolves.toMatchObject({ valid: false, problem: 'corrupt_record', firstBadSeq: 2 });
	});

	test('the hash covers the canonical encoding, so key order in storage does not matter', async () => {
		const { entries, checkpoints } = chain(2);
		const reordered = entries.map((e) => JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(e).reverse()))) as AuditEntry);
		expect(canonicalJson(reordered[0])).toBe(canonicalJson(entries[0]));
		await expect(verifyTrail(records(reordered), checkpoints, SECRET)).resolves.toMatchObject({ valid: true });
	});
});
