import { closeAllStores } from '../../lib/store/open';
import { agentControl, auditLogger, embeddedCredential, guardNodeTypes, redisCredential, spendCap } from '../helpers/guardNodes';
import { runWorkflow } from '../helpers/n8nInProcess';

afterAll(closeAllStores);

type Spend = { reservationId?: string; caps: Array<{ unit: string; spentMicro: number; reservedMicro: number; remaining: string }>; late?: boolean };
type Guard = { decision: string; reasons: Array<{ code: string; message: string }>; spend: Spend };
const guardOf = (item: Record<string, unknown>) => item.guard as Guard;
const usdCap = (limit: number, period = 'day', timeZone = 'UTC') => ({ cap: [{ unit: 'usd', maxAmount: limit, period, timeZone }] });

describe.each([
	['embedded', () => embeddedCredential()],
	['redis', () => redisCredential()],
])('Spend Cap (%s store)', (_name, credential) => {
	test('Check & Reserve holds the estimate per item, warns past the threshold and sends the item that would overrun to Over Cap', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [
				spendCap('Cap', { operation: 'checkAndReserve', agentId: 'support-bot', caps: usdCap(1), estimateUsd: 0.3, estimateTokens: 0, writes: 0, warningPercent: 80 }),
				auditLogger('Trace', { operation: 'trace' }),
			],
			connections: [['Cap', 'Trace', 2]],
			credentials: { agentGuardApi: credential() },
			input: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }],
		});
		expect(run.nodeOutput('Cap', 0).map((i) => i.n)).toEqual([1, 2]);
		expect(run.nodeOutput('Cap', 1).map((i) => i.n)).toEqual([3]);
		const over = run.nodeOutput('Cap', 2);
		expect(over.map((i) => i.n)).toEqual([4]);
		expect(guardOf(over[0])).toMatchObject({ decision: 'over_cap', reasons: [{ code: 'over_cap' }] });
		expect(guardOf(over[0]).reasons[0].message).toMatch(/cap of \$1\.00 per day [0-9-]+ \(UTC\)/);
		expect(guardOf(run.nodeOutput('Cap', 1)[0]).spend.caps[0]).toMatchObject({ reservedMicro: 900_000, remaining: '$0.10' });
		expect(run.nodeOutput('Trace').map((e) => e.event)).toEqual(['spend.reserved', 'spend.reserved', 'spend.reserved', 'spend.blocked']);
	});

	test('Record Usage prices the token usage on the item, settles the reservation and releases the rest of the hold', async () => {
		const credentials = { agentGuardApi: credential() };
		const reserve = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [spendCap('Cap', { operation: 'checkAndReserve', agentId: 'sales-bot', caps: { cap: [{ unit: 'usd', maxAmount: 1, period: 'day', timeZone: 'Europe/Berlin' }, { unit: 'tokens', maxAmount: 100000, period: 'day', timeZone: 'Europe/Berlin' }] }, estimateUsd: 0.5, estimateTokens: 5000, writes: 0 })],
			credentials,
		});
		const reservationId = guardOf(reserve.nodeOutput('Cap', 0)[0]).spend.reservationId;
		expect(reservationId).toEqual(expect.any(String));
		const settle = await runWorkflow({
			nodeTypes: guardNodeTypes,
			// The settling node has other caps configured: the reservation's own ledgers are the ones charged.
			nodes: [spendCap('Usage', { operation: 'recordUsage', agentId: 'sales-bot', caps: usdCap(50), reservationId, usageSource: 'item', model: '', priceOverrides: { price: [{ model: 'house-model', inputPerMillion: 10, outputPerMillion: 30 }] }, unknownModel: 'error' })],
			credentials,
			input: [{ model: 'house-model', usage: { prompt_tokens: 1000, completion_tokens: 2000 } }],
		});
		const spend = guardOf(settle.nodeOutput('Usage', 0)[0]).spend;
		// 1000 × $10/M + 2000 × $30/M = $0.07
		expect(spend.caps.map((c) => [c.unit, c.spentMicro, c.reservedMicro])).toEqual([['usd', 70_000, 0], ['tokens', 3000, 0]]);
		expect(spend.late).toBe(false);
	});

	test('an unknown model is a clear error naming the item and the field, and nothing is charged', async () => {
		const credentials = { agentGuardApi: credential() };
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [spendCap('Usage', { operation: 'recordUsage', agentId: 'sales-bot', caps: usdCap(1), reservationId: '', usageSource: 'item', model: 'no-such-model-anywhere-9', unknownModel: 'error' })],
			credentials,
			input: [{ usage: { input_tokens: 10, output_tokens: 10 } }],
		});
		expect(run.error('Usage')?.message).toMatch(/Item 0, field "model".*no-such-model-anywhere-9/);
		const status = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [spendCap('Status', { operation: 'getStatus', agentId: 'sales-bot', caps: usdCap(1) })], credentials });
		expect(guardOf(status.nodeOutput('Status', 0)[0]).spend.caps[0].spentMicro).toBe(0);
	});

	test.each([
		['a negative estimate', { estimateUsd: -1 }, /Item 0, field "estimateUsd"/],
		['an invalid time zone', { caps: usdCap(1, 'day', 'Mars/Olympus') }, /timeZone/],
	])('%s is refused before anything is reserved', async (_what, params, message) => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [spendCap('Cap', { operation: 'checkAndReserve', agentId: 'x-bot', caps: usdCap(1), estimateUsd: 0.1, estimateTokens: 0, writes: 0, ...params })],
			credentials: { agentGuardApi: credential() },
		});
		expect(run.error('Cap')?.message).toMatch(message);
	});

	test('over cap with auto-suspend switches the agent off; the next reservation is refused with agent_suspended', async () => {
		const credentials = { agentGuardApi: credential() };
		const params = { operation: 'checkAndReserve', agentId: 'runaway-bot', caps: { cap: [{ unit: 'runs', maxAmount: 1, period: 'execution', timeZone: 'UTC' }] }, estimateUsd: 0, estimateTokens: 0, writes: 0, options: { suspendOnOverCap: true, owner: 'ops@example.test' } };
		const first = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [spendCap('Cap', params), agentControl('Status', { operation: 'getStatus', agentId: 'runaway-bot' })], connections: [['Cap', 'Status', 2]], credentials, input: [{}, {}] });
		// One run of a one-run cap: the first is held at 100% (Warning), the second is over.
		expect(first.nodeOutput('Cap', 1)).toHaveLength(1);
		const over = first.nodeOutput('Cap', 2)[0];
		expect(over.owner).toBe('ops@example.test');
		expect(guardOf(over).reasons.map((r) => r.code)).toEqual(['over_cap', 'agent_suspended']);
		expect(first.nodeOutput('Status')[0]).toMatchObject({ status: 'suspended', owner: 'ops@example.test' });
		const second = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [spendCap('Cap', params)], credentials });
		expect(guardOf(second.nodeOutput('Cap', 2)[0]).reasons[0].code).toBe('agent_suspended');
	});

	test('Reset needs a reason, clears the period and is in the trail with who asked', async () => {
		const credentials = { agentGuardApi: credential() };
		const caps = { cap: [{ unit: 'writes', maxAmount: 2, period: 'hour', timeZone: 'Asia/Kolkata' }] };
		const reserve = { operation: 'checkAndReserve', agentId: 'w-bot', caps, estimateUsd: 0, estimateTokens: 0, writes: 1 };
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [spendCap('Cap', reserve), spendCap('Use', { operation: 'recordUsage', agentId: 'w-bot', caps, usageSource: 'explicit', amountUsd: 0, amountTokens: 0 })], connections: [['Cap', 'Use', 0], ['Cap', 'Use', 1]], credentials, input: [{}, {}] });
		const blocked = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [spendCap('Cap', reserve)], credentials });
		expect(blocked.nodeOutput('Cap', 2)).toHaveLength(1);
		const noReason = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [spendCap('Reset', { operation: 'reset', agentId: 'w-bot', caps, resetReason: ' ' })], credentials });
		expect(noReason.error('Reset')?.message).toMatch(/resetReason.*reason/);
		const reset = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [spendCap('Reset', { operation: 'reset', agentId: 'w-bot', caps, resetReason: 'budget raised, OPS-7', resetBy: 'cfo@example.test' }), auditLogger('Trace', { operation: 'trace' })],
			connections: [['Reset', 'Trace', 0]],
			credentials,
		});
		expect(reset.nodeOutput('Trace').map((e) => [e.event, (e.actor as { id: string }).id])).toEqual([['spend.reset', 'cfo@example.test']]);
		const after = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [spendCap('Cap', reserve)], credentials });
		expect(after.nodeOutput('Cap', 0)).toHaveLength(1);
	});
});
