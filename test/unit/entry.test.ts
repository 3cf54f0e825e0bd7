import { createHmac } from 'node:crypto';
import { GENESIS_HASH, entryHash, macHex, prepareDraft, sealChain, sealLines, sha256Hex } from '../../lib/audit/entry';
import { redactSecrets } from '../../lib/audit/redact';
import { toCsv } from '../../lib/audit/export';
import { validateAgentId, agentPatchFor, applyPatch, isStale } from '../../lib/agents/agent';

describe('audit entries', () => {
	test('sha256 matches the FIPS 180-2 test vector for "abc"', () => {
		expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	});

	test('the MAC is HMAC-SHA256: RFC 4231 test case 2, and agreement with node:crypto for short and long keys', () => {
		expect(macHex('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
		for (const key of ['k', 'x'.repeat(64), 'y'.repeat(65), 'ü'.repeat(100)]) {
			expect(macHex(key, 'entry\nabc')).toBe(createHmac('sha256', key).update('entry\nabc').digest('hex'));
		}
	});

	test('the stored line parses back to the sealed entry', () => {
		const [line] = sealLines([prepareDraft({ actor: { type: 'system', id: 's' }, event: 'a.b', details: { x: [1, 'two'] } })], { seq: 0, hash: GENESIS_HASH }, 'k');
		expect(JSON.parse(line.json)).toEqual(line.entry);
	});

	test('the first entry links to the genesis hash and its hash is reproducible', () => {
		const [e] = sealChain([prepareDraft({ actor: { type: 'system', id: 's' }, event: 'a.b' })], { seq: 0, hash: GENESIS_HASH }, 'k');
		expect(e.prevHash).toBe(GENESIS_HASH);
		expect(entryHash(e)).toBe(e.hash);
	});

	test('drafts without a namespaced event or a proper actor are refused', () => {
		expect(() => prepareDraft({ actor: { type: 'agent', id: 'x' }, event: 'Bad Event' })).toThrow(/namespaced/);
		expect(() => prepareDraft({ actor: { type: 'robot' as 'agent', id: 'x' }, event: 'a.b' })).toThrow(/actor/);
		expect(() => prepareDraft({ actor: { type: 'agent', id: 'x' }, event: 'a.b', details: [] as unknown as Record<string, unknown> })).toThrow(/details/);
		expect(() => prepareDraft({ actor: { type: 'agent', id: 'x' }, event: 'a.b', ts: 'noon' })).toThrow(/ISO-8601/);
	});
});

describe('redactSecrets', () => {
	test('replaces values under credential-like keys and token-shaped values, keeps counts', () => {
		expect(
			redactSecrets({ password: 'p', nested: { client_secret: 's', Authorization: 'x', list: ['sk-abcdefghijklmnopqrstu'] }, promptTokens: 5, status: 'ok' }),
		).toEqual({ password: '[redacted]', nested: { client_secret: '[redacted]', Authorization: '[redacted]', list: ['[redacted]'] }, promptTokens: 5, status: 'ok' });
	});

	test('keeps a QuickBooks SyncToken (a record version, not a secret) but not an access or refresh token', () => {
		expect(redactSecrets({ marker: { SyncToken: '3' }, access_token: 'abc', refreshToken: 'def' })).toEqual({ marker: { SyncToken: '3' }, access_token: '[redacted]', refreshToken: '[redacted]' });
	});
});

describe('agent IDs', () => {
	test('plain IDs pass and are trimmed', () => {
		expect(validateAgentId(' sales-bot ')).toBe('sales-bot');
		expect(validateAgentId('team.sales:bot@eu_1')).toBe('team.sales:bot@eu_1');
	});

	test('a character outside the allowed set is named with its code point', () => {
		expect(() => validateAgentId('sales bot')).toThrow('contains " " (U+0020)');
		expect(() => validateAgentId('sales\u202Ebot')).toThrow('U+202E');
		expect(() => validateAgentId('')).toThrow(/empty/);
		expect(() => validateAgentId(undefined)).toThrow(/empty/);
		expect(() => validateAgentId('x'.repeat(129))).toThrow(/128/);
	});
});

describe('agent projection', () => {
	test('runs update last seen, notes from a terminal do not, suspension records who and why', () => {
		const run = prepareDraft({ agentId: 'a', executionId: '1', actor: { type: 'agent', id: 'a' }, event: 'scope.decided' }, new Date('2026-11-01T00:00:00Z'));
		const note = prepareDraft({ agentId: 'a', actor: { type: 'human', id: 'h' }, event: 'incident.note' });
		const suspend = prepareDraft({ agentId: 'a', actor: { type: 'human', id: 'ops' }, event: 'agent.suspended', details: { reason: 'why' } }, new Date('2026-11-02T00:00:00Z'));
		expect(agentPatchFor(note)).toBeUndefined();
		const rec = applyPatch(applyPatch(undefined, agentPatchFor(run)!), agentPatchFor(suspend)!);
		expect(rec).toMatchObject({ status: 'suspended', lastSeen: '2026-11-01T00:00:00.000Z', suspendedBy: 'ops', suspendedReason: 'why' });
		expect(isStale(rec, 30, new Date('2026-11-20T00:00:00Z'))).toBe(false);
		expect(isStale(rec, 30, new Date('2026-12-02T00:00:01Z'))).toBe(true);
	});
});

describe('CSV export', () => {
	test('quotes separators and neutralises cells a spreadsheet would run as formulas', () => {
		const [e] = sealChain([prepareDraft({ agentId: 'a', actor: { type: 'agent', id: '=HYPERLINK("x")' }, event: 'a.b', details: { note: 'x, "y"' } })], { seq: 0, hash: GENESIS_HASH }, 'k');
		const csv = toCsv([e]);
		expect(csv.split('\r\n')[0]).toMatch(/^seq,ts,event,agentId/);
		expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
		expect(csv).toContain('"{""note"":""x, \\""y\\""""}"');
	});
});
