import { canonicalJson } from '../../lib/audit/canonical';

describe('canonicalJson', () => {
	test('sorts keys at every depth and drops undefined members', () => {
		expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
	});

	test('is independent of insertion order', () => {
		expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
	});

	test('encodes strings with JSON escapes, including unicode and control characters', () => {
		expect(canonicalJson({ s: 'é\n"\u0000' })).toBe('{"s":"é\\n\\"\\u0000"}');
	});

	test('refuses values JSON cannot carry and names where they are', () => {
		expect(() => canonicalJson({ a: { b: Number.POSITIVE_INFINITY } })).toThrow('$.a.b is Infinity');
		expect(() => canonicalJson({ f: () => 1 })).toThrow('$.f is a function');
		expect(() => canonicalJson({ n: 10n })).toThrow('$.n is a bigint');
	});
});
