import { WriteInputError, boundImage, changedSinceApproval, changes, parseWriteAction } from '../../../lib/write/guardedWrite';

describe('parseWriteAction', () => {
	test.each([
		[{ system: 'salesforce', object: 'Lead', operation: 'update', fields: { Status: 'x' } }, 'recordId'],
		[{ system: 'hubspot', object: 'Deal', operation: 'update', recordId: '1', fields: { a: 1 } }, 'system'],
		[{ system: 'salesforce', object: 'Lead', operation: 'read', recordId: '1' }, 'operation'],
		[{ system: 'zendesk', object: 'tickets', operation: 'create', recordId: '5', fields: { subject: 'x' } }, 'recordId'],
		[{ system: 'zendesk', object: 'tickets', operation: 'update', recordId: '5', fields: {} }, 'fields'],
		['update Lead 1', undefined],
	])('refuses %j naming the field %s', (raw, field) => {
		let error: unknown;
		try {
			parseWriteAction(raw);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(WriteInputError);
		expect((error as WriteInputError).field).toBe(field);
	});

	test('normalises the system name and keeps numeric record ids as text', () => {
		expect(parseWriteAction({ system: ' Zendesk ', object: 'tickets', operation: 'delete', recordId: 42 })).toEqual({ system: 'zendesk', object: 'tickets', operation: 'delete', recordId: '42', fields: {} });
	});
});

describe('boundImage', () => {
	test('keeps an image under the bound as it is', () => {
		expect(boundImage({ a: 'x', b: 2 }, 1000)).toEqual({ fields: { a: 'x', b: 2 } });
	});

	test('drops the largest fields first until the image fits, and says which', () => {
		const out = boundImage({ Id: '1', Description: 'd'.repeat(5000), Notes: 'n'.repeat(3000), Status: 'Open' }, 1000);
		expect(out.fields).toEqual({ Id: '1', Status: 'Open' });
		expect(out.truncated).toEqual(['Description', 'Notes']);
	});
});

describe('changedSinceApproval', () => {
	test('names the fields whose value differs from what the approver saw; Salesforce names compare case-insensitively', () => {
		expect(changedSinceApproval('salesforce', { status: 'Open', Rating: 'Cold' }, { Status: 'Working', Rating: 'Cold' })).toEqual(['status']);
		expect(changedSinceApproval('zendesk', { status: 'open' }, { Status: 'solved' })).toEqual([]);
		expect(changedSinceApproval('zendesk', { tags: ['a', 'b'] }, { tags: ['a', 'b'] })).toEqual([]);
	});

	test('an item without a before-image changes nothing', () => {
		expect(changedSinceApproval('quickbooks', undefined, { Balance: 1 })).toEqual([]);
		expect(changedSinceApproval('quickbooks', 'text', { Balance: 1 })).toEqual([]);
	});
});

describe('changes', () => {
	test('an update lists only fields whose value changes, with before and after', () => {
		const action = parseWriteAction({ system: 'salesforce', object: 'Lead', operation: 'update', recordId: '00Q000000000001', fields: { Status: 'Qualified', Rating: 'Hot' } });
		expect(changes(action, { fields: { Status: 'Open', Rating: 'Hot' }, marker: {} })).toEqual([{ field: 'Status', before: 'Open', after: 'Qualified' }]);
	});

	test('a delete lists the whole before-image going to null', () => {
		const action = parseWriteAction({ system: 'zendesk', object: 'tickets', operation: 'delete', recordId: '7' });
		expect(changes(action, { fields: { subject: 'Hi', status: 'open' }, marker: {} })).toEqual([
			{ field: 'subject', before: 'Hi', after: null },
			{ field: 'status', before: 'open', after: null },
		]);
	});
});
