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

/** The definition, written the slow obvious way, to check the fast encoder against. */
function reference(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : reference(v))).join(',') + ']';
	if (typeof value === 'object') {
		const obj = value as Record<string, unknown>;
		const members = Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => JSON.stringify(k) + ':' + reference(obj[k]));
		return '{' + members.join(',') + '}';
	}
	return JSON.stringify(value);
}

function randomValue(rand: () => number, depth: number): unknown {
	const pick = Math.floor(rand() * (depth > 3 ? 5 : 8));
	const keys = ['a', 'b', 'B', '10', '2', 'é', 'a b', 'seq', 'z', '_', 'ünï', '\u0000k', 'key"q'];
	switch (pick) {
		case 0: return null;
		case 1: return rand() < 0.5;
		case 2: return Math.round((rand() - 0.5) * 1e6) / (rand() < 0.5 ? 1 : 1000);
		case 3: return keys[Math.floor(rand() * keys.length)] + String.fromCharCode(Math.floor(rand() * 0x2fff));
		case 4: return undefined;
		case 5:
		case 6: {
			const o: Record<string, unknown> = {};
			const n = Math.floor(rand() * 6);
			for (let i = 0; i < n; i++) o[keys[Math.floor(rand() * keys.length)]] = randomValue(rand, depth + 1);
			return o;
		}
		default: return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
	}
}

test('the fast encoder writes exactly the bytes of the by-hand definition, on 5,000 random values', () => {
	let seed = 42;
	const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	for (let i = 0; i < 5000; i++) {
		const value = { root: randomValue(rand, 0), list: [randomValue(rand, 1)] };
		expect(canonicalJson(value)).toBe(reference(value));
	}
});
