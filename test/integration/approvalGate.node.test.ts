import { actionDigest } from '../../lib/approval/digest';
import { PROOF_KEY } from '../../lib/approval/gate';
import { signApprovalProof } from '../../lib/approval/proof';
import { closeAllStores, openStore } from '../../lib/store/open';
import { agentControl, approvalGate, embeddedCredential, guardNodeTypes } from '../helpers/guardNodes';
import { runWorkflow } from '../helpers/n8nInProcess';
import { tempDir } from '../helpers/stores';

afterAll(closeAllStores);

const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: '00Q1', fields: { Status: 'Qualified' } };
const before = { Status: 'Open' };
type Guard = { decision: string; reasons: Array<{ code: string; message: string }> };
const codes = (items: Array<Record<string, unknown>>) => items.map((i) => (i.guard as Guard).reasons[0].code);

describe('Approval Gate: Check Approval routes only items whose signed approval matches their exact payload', () => {
	const dir = tempDir();
	const credentials = { agentGuardApi: embeddedCredential(dir) };

	test('a valid proof goes to Approved; a changed payload, a forged or foreign proof, a rejection and no approval go to Rejected, each with its reason', async () => {
		const store = await openStore({ backend: 'embedded', dir });
		const key = store.deriveKey(PROOF_KEY);
		const proof = signApprovalProof(key, { id: 'a-1', digest: actionDigest(action, before), approvers: ['Dana'], decidedAt: Date.now() });
		const foreign = signApprovalProof('another-installation-another-installation', { id: 'a-1', digest: actionDigest(action, before), approvers: ['Dana'], decidedAt: Date.now() });
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [approvalGate('Check', { operation: 'checkApproval', agentId: 'lead-bot' })],
			credentials,
			input: [
				{ n: 'ok', action, before, approval: proof },
				{ n: 'changed', action: { ...action, fields: { Status: 'Closed - Lost' } }, before, approval: proof },
				{ n: 'forged', action, before, approval: { ...proof, approvers: ['Mallory'] } },
				{ n: 'foreign', action, before, approval: foreign },
				{ n: 'rejected', action, before, guard: { decision: 'rejected', reasons: [{ code: 'approval_rejected', message: 'Rejected by Dana: "no"' }] } },
				{ n: 'none', action, before },
			],
		});
		expect(run.nodeOutput('Check', 0).map((i) => i.n)).toEqual(['ok']);
		expect((run.nodeOutput('Check', 0)[0].guard as Guard).reasons[0].message).toBe('Approved by Dana');
		const rejected = run.nodeOutput('Check', 1);
		expect(rejected.map((i) => i.n)).toEqual(['changed', 'forged', 'foreign', 'rejected', 'none']);
		expect(codes(rejected)).toEqual(['approval_mismatch', 'approval_invalid', 'approval_invalid', 'approval_rejected', 'approval_missing']);
		const checked = await store.query({ event: 'approval.checked' });
		expect(checked.entries.map((e) => (e.details as { approved: boolean }).approved)).toEqual([true, false, false, false, false, false]);
	});
});

describe('Approval Gate: bad input is a clear error naming the item and field, and nothing is sent', () => {
	const credentials = { agentGuardApi: embeddedCredential() };
	const base = { operation: 'sendAndWait', agentId: 'lead-bot', quorum: 1, expiresInHours: 1, message: '', channel: 'none', approvers: { approver: [{ name: 'Dana', address: 'dana@acme.test' }] } };

	test.each([
		['an action that is not JSON', {}, [{ action: 'update everything' }], /Item 0, field "action": the proposed action is not a JSON object/],
		['a missing action', {}, [{ other: 1 }], /Item 0, field "action": the proposed action is missing/],
		['an approver without an address on the e-mail channel', { channel: 'email', approvers: { approver: [{ name: 'Dana', address: '' }] } }, [{ action }], /Approver "Dana" has no address/],
		['an approver without a name', { approvers: { approver: [{ name: ' ', address: 'x@acme.test' }] } }, [{ action }], /Approver 1 has no name/],
		['a quorum larger than the approvers', { quorum: 3 }, [{ action }], /quorum/i],
		['a non-positive expiry', { expiresInHours: 0 }, [{ action }], /Expires After must be a positive number/],
	])('%s', async (_what, params, input, message) => {
		const run = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [approvalGate('Gate', { ...base, ...params })], credentials, input });
		expect(run.error('Gate')?.message).toMatch(message);
	});

	test('a suspended agent asks nobody: its items leave at once as rejected with agent_suspended', async () => {
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [agentControl('Suspend', { operation: 'suspend', agentId: 'lead-bot', reason: 'incident' })], credentials });
		const run = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [approvalGate('Gate', base)], credentials, input: [{ action }] });
		expect(run.error('Gate')).toBeUndefined();
		const [item] = run.nodeOutput('Gate', 0);
		expect(item.guard).toMatchObject({ decision: 'rejected', reasons: [{ code: 'agent_suspended' }] });
	});
});
