import { valueAt, withValueAt } from '../../lib/fields/path';

describe('dotted field paths', () => {
	test('read nested values, including list positions, and nothing past a non-object', () => {
		const json = { ticket: { comments: [{ body: 'hi' }] }, n: 1 };
		expect(valueAt(json, 'ticket.comments.0.body')).toBe('hi');
		expect(valueAt(json, 'n.x')).toBeUndefined();
		expect(valueAt(json, '')).toBe(json);
	});

	test('write copies only the objects along the path and leaves the original untouched', () => {
		const json = { ticket: { body: 'old', meta: { a: 1 } }, other: { b: 2 } };
		const out = withValueAt(json, 'ticket.body', 'new');
		expect(out).toEqual({ ticket: { body: 'new', meta: { a: 1 } }, other: { b: 2 } });
		expect(json.ticket.body).toBe('old');
		expect(out.other).toBe(json.other);
		expect(withValueAt({}, 'a.b', 1)).toEqual({ a: { b: 1 } });
	});
});
