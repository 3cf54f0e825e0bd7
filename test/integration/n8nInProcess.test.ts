import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { MANUAL_TRIGGER_NAME, runWorkflow, type InProcessNode } from '../helpers/n8nInProcess';

/** Uppercases `text` (usually an expression) per item; items whose `flag` resolves true go to output 1. */
class UpperRouter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Upper Router',
		name: 'test.upperRouter',
		group: ['transform'],
		version: 1,
		description: 'test node',
		defaults: { name: 'Upper Router' },
		inputs: ['main'],
		outputs: ['main', 'main'],
		outputNames: ['kept', 'flagged'],
		properties: [
			{ displayName: 'Text', name: 'text', type: 'string', default: '' },
			{ displayName: 'Flag', name: 'flag', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const kept: INodeExecutionData[] = [];
		const flagged: INodeExecutionData[] = [];
		this.getInputData().forEach((item, i) => {
			const upper = (this.getNodeParameter('text', i) as string).toUpperCase();
			const out = { json: { ...item.json, upper }, pairedItem: { item: i } };
			((this.getNodeParameter('flag', i) as boolean) ? flagged : kept).push(out);
		});
		return [kept, flagged];
	}
}

/** Approves items up to `limit` as the credential's user; over the limit it throws NodeOperationError. */
class LimitGuard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Limit Guard',
		name: 'test.limitGuard',
		group: ['transform'],
		version: 1,
		description: 'test node',
		defaults: { name: 'Limit Guard' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'testGuardApi', required: true }],
		properties: [{ displayName: 'Limit', name: 'limit', type: 'number', default: 100 }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { approver } = await this.getCredentials<{ approver: string }>('testGuardApi');
		const out: INodeExecutionData[] = [];
		for (const [i, item] of this.getInputData().entries()) {
			try {
				const limit = this.getNodeParameter('limit', i) as number;
				const amount = Number(item.json.amount);
				if (amount > limit) {
					throw new NodeOperationError(this.getNode(), `Amount ${amount} exceeds limit ${limit}`, {
						itemIndex: i,
						description: 'Ask for an approval first',
					});
				}
				const receipt = await this.helpers.prepareBinaryData(
					Buffer.from(JSON.stringify({ amount, approver })),
					'receipt.json',
					'application/json',
				);
				out.push({ json: { ...item.json, approvedBy: approver }, binary: { receipt }, pairedItem: { item: i } });
			} catch (error) {
				if (!this.continueOnFail()) throw error;
				out.push({ json: { ...item.json, error: (error as Error).message }, pairedItem: { item: i } });
			}
		}
		return [out];
	}
}

const nodeTypes = { 'test.upperRouter': new UpperRouter(), 'test.limitGuard': new LimitGuard() };
const credentials = { testGuardApi: { approver: 'finance-bot' } };
const guard = (extra: Partial<InProcessNode> = {}): InProcessNode => ({
	name: 'Guard',
	type: 'test.limitGuard',
	parameters: { limit: '={{ $json.cap ?? 100 }}' },
	credentials: { testGuardApi: { id: '1', name: 'Guard account' } },
	...extra,
});

describe('runWorkflow (n8n-core WorkflowExecute in-process)', () => {
	it('resolves per-item expressions and routes each item to the output its flag selects', async () => {
		const result = await runWorkflow({
			nodeTypes,
			nodes: [
				{
					name: 'Router',
					type: 'test.upperRouter',
					parameters: { text: '={{ $json.name }} in run {{ $execution.id }}', flag: '={{ $json.amount > 10 }}' },
				},
			],
			connections: [],
			input: [
				{ name: 'acme', amount: 5 },
				{ name: 'globex', amount: 50 },
				{ name: 'initech', amount: 1 },
			],
			executionId: '4242',
		});

		expect(result.executionId).toBe('4242');
		expect(result.nodeOutput(MANUAL_TRIGGER_NAME)).toHaveLength(3);
		expect(result.nodeOutput('Router', 0)).toEqual([
			{ name: 'acme', amount: 5, upper: 'ACME IN RUN 4242' },
			{ name: 'initech', amount: 1, upper: 'INITECH IN RUN 4242' },
		]);
		expect(result.nodeOutput('Router', 1)).toEqual([{ name: 'globex', amount: 50, upper: 'GLOBEX IN RUN 4242' }]);
		expect(result.error('Router')).toBeUndefined();
	});

	it('runs downstream nodes only on the output they are connected to', async () => {
		const result = await runWorkflow({
			nodeTypes,
			credentials,
			nodes: [{ name: 'Router', type: 'test.upperRouter', parameters: { text: '={{ $json.name }}', flag: '={{ $json.amount > 10 }}' } }, guard()],
			connections: [['Router', 'Guard', 1]],
			input: [
				{ name: 'small', amount: 5 },
				{ name: 'big', amount: 50 },
			],
		});

		expect(result.nodeOutput('Guard')).toEqual([{ name: 'big', amount: 50, upper: 'BIG', approvedBy: 'finance-bot' }]);
	});

	it('gives the node the credential configured for its credential type, and binary data from prepareBinaryData', async () => {
		const result = await runWorkflow({ nodeTypes, credentials, nodes: [guard()], connections: [], input: [{ amount: 7 }] });

		expect(result.nodeOutput('Guard')).toEqual([{ amount: 7, approvedBy: 'finance-bot' }]);
		const [{ receipt }] = result.binary('Guard');
		expect(receipt).toMatchObject({ fileName: 'receipt.json', mimeType: 'application/json', fileExtension: 'json' });
		expect(JSON.parse(Buffer.from(receipt.data, 'base64').toString('utf8'))).toEqual({ amount: 7, approver: 'finance-bot' });
	});

	it('surfaces a thrown NodeOperationError with its message, description and item index, and stops the workflow there', async () => {
		const result = await runWorkflow({
			nodeTypes,
			credentials,
			nodes: [guard(), { name: 'After', type: 'test.upperRouter', parameters: { text: 'x' } }],
			connections: [['Guard', 'After']],
			input: [{ amount: 10 }, { amount: 20, cap: 15 }, { amount: 30 }],
		});

		expect(result.error('Guard')).toEqual({
			message: 'Amount 20 exceeds limit 15',
			description: 'Ask for an approval first',
			itemIndex: 1,
		});
		expect(result.nodeOutput('Guard')).toEqual([]);
		expect(() => result.nodeOutput('After')).toThrow('Node "After" did not run (workflow error: Amount 20 exceeds limit 15)');
		expect(result.run.status).toBe('error');
	});

	it('with continueOnFail the failing item carries json.error and the other items pass through', async () => {
		const result = await runWorkflow({
			nodeTypes,
			credentials,
			nodes: [guard({ continueOnFail: true })],
			connections: [],
			input: [{ amount: 10 }, { amount: 20, cap: 15 }],
		});

		expect(result.error('Guard')).toBeUndefined();
		expect(result.nodeOutput('Guard')).toEqual([
			{ amount: 10, approvedBy: 'finance-bot' },
			{ amount: 20, cap: 15, error: 'Amount 20 exceeds limit 15' },
		]);
	});

	it('reports a node error when no credential of the requested type was provided', async () => {
		const result = await runWorkflow({ nodeTypes, nodes: [guard()], connections: [], input: [{ amount: 1 }] });

		expect(result.error('Guard')?.message).toMatch('No test credentials of type "testGuardApi"');
	});
});
