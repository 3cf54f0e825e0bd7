import { canonicalJson } from '../../lib/audit/canonical';
import { AuditEntry, Checkpoint, GENESIS_HASH, prepareDraft, sealChain, signCheckpoint } from '../../lib/audit/entry';
import { decodePublishedHead, decodePublishedHeads, encodePublishedHead } from '../../lib/audit/publishedHead';
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

describe('heads published outside the store', () => {
	const published = (entries: AuditEntry[], at: number): Checkpoint => decodePublishedHead(encodePublishedHead(signCheckpoint(entries[at - 1], SECRET, new Date(Date.UTC(2026, 10, 30, 7)))));

	test('a valid chain reports its newest checkpoint, which round-trips through the published text form', async () => {
		const { entries, checkpoints } = chain(4);
		const report = await verifyTrail(records(entries), checkpoints, SECRET);
		expect(report.latestCheckpoint).toEqual(checkpoints[0]);
		const text = encodePublishedHead(checkpoints[0]);
		expect(text).toMatch(/^agh1\.4\.[0-9a-f]{64}\.\d+\.[0-9a-f]{64}$/);
		expect(decodePublishedHead(text)).toEqual(checkpoints[0]);
	});

	test('a tail truncated together with the stored checkpoints verifies on its own, but not against a head published before', async () => {
		const { entries } = chain(6);
		const head = published(entries, 6);
		const truncated = entries.slice(0, 4);
		const stored = [signCheckpoint(truncated[3], SECRET)];
		await expect(verifyTrail(records(truncated), stored, SECRET)).resolves.toMatchObject({ valid: true, headSeq: 4 });
		const report = await verifyTrail(records(truncated), stored, SECRET, [head]);
		expect(report).toMatchObject({ valid: false, problem: 'truncated', firstBadSeq: 5, headSeq: 4 });
		expect(report.message).toContain('the head published at 2026-11-30T07:00:00.000Z says it reached seq 6');
	});

	test('a chain rewritten past a published head (truncated, then written on) is modified at that seq', async () => {
		const { entries } = chain(5);
		const head = published(entries, 3);
		const kept = entries.slice(0, 2);
		const drafts = [7, 8, 9].map((i) => prepareDraft({ agentId: 'bot', actor: { type: 'agent', id: 'bot' }, event: 'scope.decided', details: { i } }, new Date(Date.UTC(2026, 10, 30, 10, 0, i))));
		const rewritten = [...kept, ...sealChain(drafts, { seq: 2, hash: kept[1].hash }, SECRET)];
		await expect(verifyTrail(records(rewritten), [signCheckpoint(rewritten[4], SECRET)], SECRET)).resolves.toMatchObject({ valid: true });
		const report = await verifyTrail(records(rewritten), [signCheckpoint(rewritten[4], SECRET)], SECRET, [head]);
		expect(report).toMatchObject({ valid: false, problem: 'modified', firstBadSeq: 3 });
		expect(report.message).toContain('differs from the head published at');
	});

	test('a published head this trail still holds passes; one not signed with its secret is a bad checkpoint, not evidence', async () => {
		const { entries, checkpoints } = chain(5);
		await expect(verifyTrail(records(entries), checkpoints, SECRET, [published(entries, 2), published(entries, 5)])).resolves.toMatchObject({ valid: true, publishedChecked: 2 });
		const forged = { ...published(entries, 5), seq: 9 };
		await expect(verifyTrail(records(entries), checkpoints, SECRET, [forged])).resolves.toMatchObject({ valid: false, problem: 'bad_checkpoint', firstBadSeq: 9 });
	});

	test('malformed published heads are refused with what is wrong and where', () => {
		expect(() => decodePublishedHeads('agh1.1.abc.1.def')).toThrow(/published head 1 of 1: its hash is not 64 hex digits/);
		expect(() => decodePublishedHeads(`x, ${'agh1.0.' + 'a'.repeat(64) + '.1.' + 'b'.repeat(64)}`)).toThrow(/published head 1 of 2: a published head looks like/);
		expect(() => decodePublishedHead(`agh1.0.${'a'.repeat(64)}.1.${'b'.repeat(64)}`)).toThrow(/seq "0" is not a positive integer/);
		expect(decodePublishedHeads(' \n ')).toEqual([]);
	});
});
