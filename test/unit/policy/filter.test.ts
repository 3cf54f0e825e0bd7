import { filterRecord } from '../../../lib/policy/filter';
import { compilePolicy } from '../../../lib/policy/parse';
import { checkScopes } from '../../../lib/policy/scopes';

const policy = compilePolicy({
	rules: [
		{ id: 'leads', system: 'salesforce', object: 'Lead', operations: ['read'], readableFields: ['Name', 'Company', 'Address.City', 'Notes'], deniedFields: ['Notes'] },
		{ id: 'tickets', system: 'zendesk', object: 'ticket', operations: ['read', 'update'], readableFields: ['*'], writableFields: ['status'], deniedFields: ['via.source.from.address'] },
	],
});

describe('filterRecord (what the agent may read)', () => {
	test('keeps readable fields and the record id, removes the rest and says what it removed', () => {
		const result = filterRecord(policy, 'salesforce', 'Lead', {
			attributes: { type: 'Lead' }, Id: '00Q1', Name: 'Ada', Company: 'Acme', Email: 'ada@acme.test', Notes: 'secret', Address: { City: 'Leeds', Street: '1 Way' },
		});
		expect(result.record).toEqual({ attributes: { type: 'Lead' }, Id: '00Q1', Name: 'Ada', Company: 'Acme', Address: { City: 'Leeds' } });
		expect(result.removed.sort()).toEqual(['Address.Street', 'Email', 'Notes']);
		expect(result.rule).toBe('leads');
	});

	test('denied nested paths go even when everything else is readable', () => {
		const result = filterRecord(policy, 'zendesk', 'ticket', { id: 7, subject: 'Hi', via: { source: { from: { address: 'x@y.z', name: 'X' } } } });
		expect(result.record).toEqual({ id: 7, subject: 'Hi', via: { source: { from: { name: 'X' } } } });
		expect(result.removed).toEqual(['via.source.from.address']);
	});

	test('records of an object the agent may not read are dropped', () => {
		expect(filterRecord(policy, 'salesforce', 'Contact', { Id: '003', Name: 'x' })).toEqual({
			allowed: false, removed: [], reasons: [{ code: 'object_not_allowed', message: 'no rule allows reading salesforce Contact' }],
		});
	});
});

describe('checkScopes', () => {
	test('reports scopes beyond what the policy needs and the ones it lacks', () => {
		expect(checkScopes(policy, 'salesforce', ['api', 'full', 'refresh_token'])).toMatchObject({ needed: ['api'], overPermissioned: ['full'], missing: [], ok: false });
		expect(checkScopes(policy, 'zendesk', ['read'])).toMatchObject({ needed: ['tickets:read', 'tickets:write'], missing: ['tickets:write'], overPermissioned: [], ok: false });
		expect(checkScopes(policy, 'zendesk', ['tickets:read', 'tickets:write', 'users:write'])).toMatchObject({ overPermissioned: ['users:write'], missing: [] });
		expect(checkScopes(policy, 'zendesk', ['read', 'write'])).toMatchObject({ ok: true });
	});

	test('a system the policy does not use needs no scope, so every granted one is extra', () => {
		expect(checkScopes(policy, 'quickbooks', ['com.intuit.quickbooks.accounting', 'openid'])).toMatchObject({ needed: [], overPermissioned: ['com.intuit.quickbooks.accounting'], ok: false });
	});
});
