import { cpSync } from 'node:fs';
import { closeAllStores } from '../../lib/store/open';
import { auditLogger, embeddedCredential, guardNodeTypes, redisCredential } from '../helpers/guardNodes';
import { runWorkflow } from '../helpers/n8nInProcess';
import { freePort } from '../helpers/privateRedis';
import { tempDir } from '../helpers/stores';

afterAll(closeAllStores);

const events = [{ ticket: 'T-1', status: 'open' }, { ticket: 'T-2', status: 'solved' }, { ticket: 'T-3', status: 'open', password: 'hunter2hunter2' }];
const log = (extra: Record<string, unknown> = {}, node: Parameters<typeof auditLogger>[2] = {}) => auditLogger('Log', { operation: 'logEvent', agentId: 'support-bot', event: 'ticket.seen', actorType: 'agent', actorId: '', subject: { system: 'zendesk', object: 'ticket', recordId: '={{ $json.ticket }}' }, detailsSource: 'item', ...extra }, node);

describe.each([
	['embedded', () => embeddedCredential()],
	['redis', () => redisCredential()],
])('Audit Logger (%s store)', (_name, credential) => {
	test('Log Event writes one entry per item in one batch and stamps each item with its seq and hash', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [log(), auditLogger('Verify', { operation: 'verify' })],
			connections: [['Log', 'Verify']],
			credentials: { agentGuardApi: credential() },
			input: events,
		});
		const out = run.nodeOutput('Log');
		expect(out.map((i) => (i.guard as { audit: { seq: number } }).audit.seq)).toEqual([1, 2, 3]);
		expect(out[0].guard).toMatchObject({ decision: 'logged', agentId: 'support-bot', reasons: [{ code: 'logged' }] });
		expect(run.nodeOutput('Verify')).toEqual([expect.objectContaining({ valid: true, entries: 3, headSeq: 3 })]);
	});

	test('Trace Execution returns this execution\'s entries by default, with subject and redacted details', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [log(), auditLogger('Trace', { operation: 'trace' })],
			connections: [['Log', 'Trace']],
			credentials: { agentGuardApi: credential() },
			input: events,
			executionId: 'exec-trace-1',
		});
		const trace = run.nodeOutput('Trace');
		expect(trace).toHaveLength(3);
		expect(trace.map((e) => e.executionId)).toEqual(['exec-trace-1', 'exec-trace-1', 'exec-trace-1']);
		expect(trace[2]).toMatchObject({ event: 'ticket.seen', subject: { system: 'zendesk', object: 'ticket', recordId: 'T-3' }, details: { password: '[redacted]' }, node: 'Log' });
	});

	test('Query filters by event namespace and pages with nextAfterSeq', async () => {
		const credentials = { agentGuardApi: credential() };
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [log()], credentials, input: events });
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [log({ event: 'write.applied' })], credentials, input: events });
		const page = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Query', { operation: 'query', filters: { event: 'write.*' }, limit: 2 })], credentials });
		const entries = page.nodeOutput('Query');
		expect(entries.map((e) => e.seq)).toEqual([4, 5]);
		expect(entries[1].nextAfterSeq).toBe(5);
		const next = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Query', { operation: 'query', filters: { event: 'write.*' }, limit: 2, afterSeq: 5 })], credentials });
		expect(next.nodeOutput('Query').map((e) => e.seq)).toEqual([6]);
	});

	test('Export produces a CSV file with a header and one row per entry', async () => {
		const credentials = { agentGuardApi: credential() };
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [log()], credentials, input: events });
		const run = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Export', { operation: 'export', format: 'csv', binaryPropertyName: 'file' })], credentials });
		expect(run.nodeOutput('Export')[0]).toMatchObject({ entries: 3, format: 'csv', firstSeq: 1, lastSeq: 3 });
		const file = run.binary('Export')[0].file;
		expect(file.fileName).toMatch(/^agent-guard-audit-.*\.csv$/);
		const rows = Buffer.from(file.data, 'base64').toString('utf8').trim().split('\r\n');
		expect(rows).toHaveLength(4);
		expect(rows[0]).toMatch(/^seq,ts,event,agentId,/);
		expect(rows[3]).toContain('[redacted]');
		expect(rows[3]).not.toContain('hunter2');
	});
});

describe('Audit Logger bad input', () => {
	test('malformed details JSON fails naming the item and the field, and nothing of the batch is logged', async () => {
		const credentials = { agentGuardApi: embeddedCredential() };
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [log({ detailsSource: 'json', detailsJson: '={{ $json.ticket === "T-2" ? "{broken" : JSON.stringify({ t: $json.ticket }) }}' })],
			credentials,
			input: events,
		});
		expect(run.error('Log')).toMatchObject({ itemIndex: 1 });
		expect(run.error('Log')?.message).toMatch(/^Item 1, field "Details \(JSON\)": not valid JSON/);
		const verify = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Verify', { operation: 'verify' })], credentials });
		expect(verify.nodeOutput('Verify')[0]).toMatchObject({ valid: true, entries: 0 });
	});

	test('with continue-on-fail the bad item carries its error and the others are logged', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [log({ agentId: '={{ $json.ticket === "T-2" ? "bad agent" : "support-bot" }}' }, { continueOnFail: true })],
			credentials: { agentGuardApi: embeddedCredential() },
			input: events,
		});
		const out = run.nodeOutput('Log');
		expect(out[1].error).toMatch(/Item 1, field "Agent ID": Agent ID "bad agent" contains " " \(U\+0020\)/);
		expect([out[0], out[2]].map((i) => (i.guard as { audit: { seq: number } }).audit.seq)).toEqual([1, 2]);
	});

	test('an unreachable Redis stops the node with an error that says what to check', async () => {
		const credential = { ...redisCredential(), port: await freePort() };
		const run = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [log()], credentials: { agentGuardApi: credential }, input: events });
		expect(run.error('Log')?.message).toMatch(/Redis at 127\.0\.0\.1:\d+\/0 is unavailable/);
		expect(run.error('Log')?.description).toMatch(/Check that Redis is running/);
	});

	test('a Redis credential with a short signing secret is refused before anything is written', async () => {
		const run = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [log()], credentials: { agentGuardApi: { ...redisCredential(), signingSecret: 'short' } }, input: events });
		expect(run.error('Log')?.message).toMatch(/signing secret .* at least 32 characters/);
	});
});

describe('Audit Logger Verify with published heads (embedded store)', () => {
	test('Verify gives the signed head; a store rolled back to an earlier copy (trail and checkpoints alike) verifies alone but not against that head', async () => {
		const dir = tempDir('agent-guard-heads');
		const credentials = { agentGuardApi: embeddedCredential(dir) };
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [log()], credentials, input: events });
		await closeAllStores();
		const earlier = tempDir('agent-guard-heads-copy');
		cpSync(dir, earlier, { recursive: true });
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [log()], credentials, input: events });
		const now = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Verify', { operation: 'verify' })], credentials });
		const head = now.nodeOutput('Verify')[0];
		expect(head).toMatchObject({ valid: true, headSeq: 6, signedHead: expect.stringMatching(/^agh1\.6\./) });
		await closeAllStores();

		const restored = { agentGuardApi: embeddedCredential(earlier) };
		const alone = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Verify', { operation: 'verify' })], credentials: restored });
		expect(alone.nodeOutput('Verify')[0]).toMatchObject({ valid: true, headSeq: 3 });
		const checked = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Verify', { operation: 'verify', publishedHeads: String(head.signedHead) })], credentials: restored });
		expect(checked.nodeOutput('Verify')[0]).toMatchObject({ valid: false, problem: 'truncated', firstBadSeq: 4 });
		const stopped = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Verify', { operation: 'verify', publishedHeads: String(head.signedHead), errorIfBroken: true })], credentials: restored });
		expect(stopped.error('Verify')?.message).toMatch(/does not verify: the trail ends at seq 3 but the head published at .* says it reached seq 6/);
		// The current store still holds that head.
		const same = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Verify', { operation: 'verify', publishedHeads: String(head.signedHead) })], credentials });
		expect(same.nodeOutput('Verify')[0]).toMatchObject({ valid: true, publishedChecked: 1 });
	});

	test('a Published Heads value that is not a signed head stops the node naming the field and the fix', async () => {
		const run = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [auditLogger('Verify', { operation: 'verify', publishedHeads: 'seq 6, hash abc' })], credentials: { agentGuardApi: embeddedCredential() } });
		expect(run.error('Verify')?.message).toMatch(/^Published Heads: published head 1 of 4: a published head looks like agh1/);
	});
});
