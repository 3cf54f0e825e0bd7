import { evaluate } from '../../../lib/policy/evaluate';
import { compilePolicy } from '../../../lib/policy/parse';
import { PRESETS } from '../../../lib/policy/presets';
import { ProposedAction } from '../../../lib/policy/types';

const sales = compilePolicy(PRESETS.sales.policy);
const update = (fields: Record<string, unknown>, extra: Partial<ProposedAction> = {}): ProposedAction => ({ system: 'salesforce', object: 'Lead', operation: 'update', recordId: '00Q1', fields, ...extra });

describe('evaluate (Scope Guard decisions)', () => {
	test('an update of writable fields is allowed and names the rule', () => {
		expect(evaluate(sales, update({ Status: 'Qualified', Rating: 'Hot' }))).toEqual({ allowed: true, reasons: [], rule: 'leads' });
	});

	test('Salesforce names compare case-insensitively', () => {
		expect(evaluate(sales, update({ status: 'Qualified' }, { object: 'lead', system: 'Salesforce' })).allowed).toBe(true);
	});

	test('Zendesk objects match by record name or API resource name (ticket / tickets), field names exactly', () => {
		const support = compilePolicy(PRESETS.support.policy);
		const ticket = (object: string, fields: Record<string, unknown>): ProposedAction => ({ system: 'zendesk', object, operation: 'update', recordId: '42', fields });
		expect(evaluate(support, ticket('tickets', { priority: 'high' })).allowed).toBe(true);
		expect(evaluate(support, ticket('ticket', { priority: 'high' })).allowed).toBe(true);
		expect(evaluate(support, ticket('tickets', { Priority: 'high' })).reasons[0].code).toBe('field_not_writable');
		expect(evaluate(support, ticket('users', { name: 'x' })).reasons[0].code).toBe('object_not_allowed');
	});

	test('default deny: an object no rule mentions is object_not_allowed', () => {
		expect(evaluate(sales, update({ Name: 'x' }, { object: 'Opportunity' })).reasons).toEqual([{ code: 'object_not_allowed', message: 'no rule allows salesforce Opportunity' }]);
	});

	test('an operation the rule does not list is operation_not_allowed', () => {
		const d = evaluate(sales, { system: 'salesforce', object: 'Contact', operation: 'delete', recordId: '003' });
		expect(d).toMatchObject({ allowed: false, reasons: [{ code: 'operation_not_allowed', rule: 'contacts' }] });
	});

	test('every field that is not writable is listed', () => {
		const d = evaluate(sales, update({ Status: 'x', OwnerId: 'y', AnnualRevenue: 1 }));
		expect(d.reasons.map((r) => [r.code, r.field])).toEqual([
			['field_not_writable', 'OwnerId'],
			['field_not_writable', 'AnnualRevenue'],
		]);
	});

	test('deny overrides allow, across rules', () => {
		const policy = compilePolicy({
			rules: [
				{ id: 'all-leads', system: 'salesforce', object: 'Lead', operations: ['update'], writableFields: ['*'] },
				{ id: 'no-email', system: 'salesforce', object: '*', operations: ['read'], deniedFields: ['Email'] },
			],
		});
		expect(evaluate(policy, update({ Status: 'x' })).allowed).toBe(true);
		expect(evaluate(policy, update({ email: 'a@b.c' })).reasons).toEqual([{ code: 'field_denied', field: 'email', rule: 'no-email', message: 'field email is denied by rule no-email' }]);
	});

	test('the record limit counts across items of a run and denies the first one over it', () => {
		const counts = new Map([['leads', 49]]);
		expect(evaluate(sales, update({ Status: 'x' }), counts).allowed).toBe(true);
		counts.set('leads', 50);
		expect(evaluate(sales, update({ Status: 'x' }), counts).reasons).toEqual([expect.objectContaining({ code: 'too_many_records', rule: 'leads' })]);
	});

	test('malformed actions are denied with the field named, never thrown', () => {
		expect(evaluate(sales, null as unknown as ProposedAction).reasons[0].code).toBe('malformed_action');
		const d = evaluate(sales, { system: 'salesforce', object: 'Lead', operation: 'upsert' } as unknown as ProposedAction);
		expect(d.reasons.map((r) => r.field)).toEqual(['operation']);
		expect(evaluate(sales, { system: 'salesforce', object: 'Lead', operation: 'update', fields: { Status: 'x' } }).reasons).toEqual([
			{ code: 'malformed_action', field: 'recordId', message: '"recordId" is required for update' },
		]);
		expect(evaluate(sales, update({})).reasons[0]).toMatchObject({ code: 'malformed_action', field: 'fields' });
	});

	test('the finance preset allows reading invoices and nothing else', () => {
		const finance = compilePolicy(PRESETS.finance.policy);
		expect(evaluate(finance, { system: 'quickbooks', object: 'Invoice', operation: 'read', recordId: '1' }).allowed).toBe(true);
		expect(evaluate(finance, { system: 'quickbooks', object: 'Invoice', operation: 'update', recordId: '1', fields: { TotalAmt: 1 } }).reasons[0].code).toBe('operation_not_allowed');
		expect(evaluate(finance, { system: 'quickbooks', object: 'invoice', operation: 'read' }).reasons[0].code).toBe('object_not_allowed');
	});
});

describe('compilePolicy', () => {
	test('an invalid policy fails once, naming the rule and the field', () => {
		expect(() => compilePolicy({ rules: [{ system: 'salesforce', object: 'Lead', operations: ['read'] }, { system: 'salesforce', object: 'Contact', operations: 'read, updat' }] })).toThrow(
			'Rule 2 (Contact), field "operations": "updat" is not one of read, create, update, delete',
		);
		expect(() => compilePolicy({ rules: [{ system: 'zendesk', object: 'ticket', operations: ['read'], writableFields: ['status'] }] })).toThrow(/Rule 1 \(ticket\), field "writableFields": writable fields without a create or update/);
		expect(() => compilePolicy({ rules: [{ system: 'zendesk', object: 'ticket', operations: ['read'], maxRecordsPerRun: -1 }] })).toThrow(/maxRecordsPerRun/);
		expect(() => compilePolicy({ rules: [{ system: 'zendesk', object: 'ticket', operations: ['read'], readableFields: ['sta*'] }] })).toThrow(/"sta\*" is not a field name/);
		expect(() => compilePolicy({ rules: [{ system: '', object: 'x', operations: ['read'] }] })).toThrow(/Rule 1 \(x\), field "system": required/);
		expect(() => compilePolicy({ rules: [{ system: 'zendesk', object: 'ticket', operations: ['read'], writeable: ['x'] }] })).toThrow(/field "writeable": unknown field/);
		expect(() => compilePolicy({ rules: [] })).toThrow(/no rules/);
		expect(() => compilePolicy('nope')).toThrow(/"rules" list/);
	});

	test('every preset compiles', () => {
		for (const preset of Object.values(PRESETS)) expect(() => compilePolicy(preset.policy)).not.toThrow();
	});
});
