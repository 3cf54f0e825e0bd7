import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { PriceUnknownError, SpendInputError, priceTokens, toMicro } from '../../../lib/spend';

const JAN_2026 = Date.parse('2026-01-15T00:00:00Z');

/** What the library's own table says, computed exactly: tokens × USD per million = micro-dollars, rounded up. */
function expectedFromTable(model: string, providerId: string, inputTokens: number, outputTokens: number): number {
	const result = calcPrice({ input_tokens: inputTokens, output_tokens: outputTokens }, model, { providerId, timestamp: new Date(JAN_2026) });
	if (!result) throw new Error(`genai-prices does not know ${model}`);
	const perMillion = (key: string): bigint => BigInt(toMicro('usd', result.model_price[key], key));
	const scaled = BigInt(inputTokens) * perMillion('input_mtok') + BigInt(outputTokens) * perMillion('output_mtok');
	return Number((scaled + 999_999n) / 1_000_000n);
}

describe('priceTokens from the bundled genai-prices table', () => {
	test.each([
		['gpt-4o', 'openai', 1000, 500],
		['gpt-4o-mini', 'openai', 1_234_567, 7_654_321],
		['claude-3-5-sonnet-20241022', 'anthropic', 1000, 500],
		['claude-3-5-haiku-latest', 'anthropic', 33_333, 777],
	])('%s (%s) costs what the table says, rounded up to the micro-dollar', (model, provider, inputTokens, outputTokens) => {
		const price = priceTokens({ model, provider, inputTokens, outputTokens, at: JAN_2026 });
		expect(price).toMatchObject({ source: 'genai-prices', provider, micro: expectedFromTable(model, provider, inputTokens, outputTokens) });
		// Without a provider the table finds the same model by its name.
		expect(priceTokens({ model, inputTokens, outputTokens, at: JAN_2026 }).micro).toBe(price.micro);
	});

	test('known list prices come out exact despite float noise in the table', () => {
		// gpt-4o: $2.50 in, $10 out per million. claude-3-5-sonnet: $3 / $15 (the library's float says 10499.999999999998).
		expect(priceTokens({ model: 'gpt-4o', inputTokens: 1000, outputTokens: 500, at: JAN_2026 })).toEqual({ micro: 7500, source: 'genai-prices', model: 'gpt-4o', provider: 'openai' });
		expect(priceTokens({ model: 'claude-3-5-sonnet-20241022', inputTokens: 1000, outputTokens: 500, at: JAN_2026 })).toMatchObject({ micro: 10_500, model: 'claude-3-5-sonnet' });
		// gpt-4o-mini: 1,234,567 × $0.15 + 7,654,321 × $0.60 per million = $4.77777765 → rounded up.
		expect(priceTokens({ model: 'gpt-4o-mini', inputTokens: 1_234_567, outputTokens: 7_654_321, at: JAN_2026 }).micro).toBe(4_777_778);
	});

	test('cached input is charged at the cache rate the table has', () => {
		// gpt-4o: 600 uncached × $2.50 + 400 cached × $1.25 per million = 2000 micro-dollars, plus output.
		expect(priceTokens({ model: 'gpt-4o', inputTokens: 1000, cachedInputTokens: 400, outputTokens: 0, at: JAN_2026 }).micro).toBe(2000);
		// claude-3-5-sonnet: cache writes at $3.75 per million.
		expect(priceTokens({ model: 'claude-3-5-sonnet', inputTokens: 1000, cacheWriteInputTokens: 1000, outputTokens: 0, at: JAN_2026 }).micro).toBe(3750);
		expect(() => priceTokens({ model: 'gpt-4o', inputTokens: 10, cachedInputTokens: 11, outputTokens: 0 })).toThrow(/cannot exceed input tokens/);
	});

	test('prices that changed on a date are looked up for the call time', () => {
		// Mistral raised voxtral-small output from $0.30 to $0.40 per million on 2026-08-11.
		const usage = { model: 'voxtral-small-latest', provider: 'mistral', inputTokens: 0, outputTokens: 1_000_000 };
		expect(priceTokens({ ...usage, at: Date.parse('2026-08-10T12:00:00Z') }).micro).toBe(300_000);
		expect(priceTokens({ ...usage, at: Date.parse('2026-08-12T12:00:00Z') }).micro).toBe(400_000);
	});

	test('a provider narrows the lookup: an OpenAI model is not an Anthropic price', () => {
		expect(() => priceTokens({ model: 'gpt-4o', provider: 'anthropic', inputTokens: 1, outputTokens: 1 })).toThrow(PriceUnknownError);
		expect(() => priceTokens({ model: 'gpt-4o', provider: 'no-such-provider', inputTokens: 1, outputTokens: 1 })).toThrow(/from provider "no-such-provider"/);
	});

	test('zero tokens cost nothing (and are not an unknown price)', () => {
		expect(priceTokens({ model: 'gpt-4o', inputTokens: 0, outputTokens: 0 })).toMatchObject({ micro: 0, source: 'genai-prices' });
	});
});

describe('priceTokens overrides and fallback', () => {
	const overrides = { 'GPT-4o': { inputPerMillion: 1, outputPerMillion: 2 }, 'my-finetune': { inputPerMillion: 0.15, outputPerMillion: 0.6 } };

	test('an override for the exact model name (any case) wins over the table', () => {
		expect(priceTokens({ model: 'gpt-4o', inputTokens: 1000, outputTokens: 1000 }, overrides)).toEqual({ micro: 3000, source: 'override', model: 'GPT-4o' });
		// Exact names only: a dated snapshot is not the override's model.
		expect(priceTokens({ model: 'gpt-4o-2024-08-06', inputTokens: 1000, outputTokens: 1000, at: JAN_2026 }, overrides).source).toBe('genai-prices');
	});

	test('override prices are exact decimals and round up: one token is never free', () => {
		expect(priceTokens({ model: 'my-finetune', inputTokens: 1, outputTokens: 0 }, overrides).micro).toBe(1);
		expect(priceTokens({ model: 'my-finetune', inputTokens: 1_000_000, outputTokens: 1_000_000 }, overrides).micro).toBe(750_000);
		expect(priceTokens({ model: 'my-finetune', inputTokens: 3, outputTokens: 3 }, overrides).micro).toBe(3); // 2.25 → 3
	});

	test('an unknown model uses the fallback when one is given', () => {
		expect(priceTokens({ model: 'acme-llm-9', inputTokens: 2000, outputTokens: 1000 }, overrides, { inputPerMillion: 5, outputPerMillion: 20 })).toEqual({
			micro: 30_000,
			source: 'fallback',
			model: 'acme-llm-9',
		});
	});

	test('an unknown model without a fallback is PriceUnknownError, never 0', () => {
		let error: unknown;
		try {
			priceTokens({ model: 'acme-llm-9', inputTokens: 2000, outputTokens: 1000 }, overrides);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(PriceUnknownError);
		expect(error).toMatchObject({ code: 'unknown_price', model: 'acme-llm-9' });
		expect((error as Error).message).toMatch(/No price is known for model "acme-llm-9": add a price override for "acme-llm-9" in the Spend Cap node .* or set a fallback price/);
	});

	test('bad prices and usage are SpendInputErrors naming the field', () => {
		expect(() => priceTokens({ model: 'x', inputTokens: 1, outputTokens: 1 }, { x: { inputPerMillion: -1, outputPerMillion: 1 } })).toThrow(expect.objectContaining({ field: 'overrides["x"].inputPerMillion' }));
		expect(() => priceTokens({ model: 'x', inputTokens: 1, outputTokens: 1 }, { x: 'cheap' as unknown as { inputPerMillion: number; outputPerMillion: number } })).toThrow(/must be an object with inputPerMillion/);
		expect(() => priceTokens({ model: 'x', inputTokens: 1, outputTokens: 1 }, { x: { inputPerMillion: 1, outputPerMillion: 1 }, X: { inputPerMillion: 2, outputPerMillion: 2 } })).toThrow(/name the same model/);
		expect(() => priceTokens({ model: 'x', inputTokens: 1, outputTokens: 1 }, undefined, { inputPerMillion: Number.NaN, outputPerMillion: 1 })).toThrow(expect.objectContaining({ field: 'fallback.inputPerMillion' }));
		expect(() => priceTokens({ model: ' ', inputTokens: 1, outputTokens: 1 })).toThrow(expect.objectContaining({ field: 'model' }));
		expect(() => priceTokens({ model: 'gpt-4o', inputTokens: -5, outputTokens: 1 })).toThrow(expect.objectContaining({ field: 'inputTokens' }));
		expect(() => priceTokens({ model: 'gpt-4o', inputTokens: 1, outputTokens: 2.5 })).toThrow(SpendInputError);
	});
});

describe('genai-prices never touches the network', () => {
	test('pricing runs with every network entry point made to throw, and none is called', () => {
		const calls: string[] = [];
		jest.isolateModules(() => {
			const trap = (name: string) => () => {
				calls.push(name);
				throw new Error(`network call ${name} during pricing`);
			};
			const restore: Array<() => void> = [];
			const replace = (target: Record<string, unknown>, key: string, name: string): void => {
				const original = target[key];
				target[key] = trap(name);
				restore.push(() => {
					target[key] = original;
				});
			};
			/* eslint-disable @typescript-eslint/no-require-imports */
			for (const mod of ['http', 'https', 'http2', 'net', 'tls', 'dns']) {
				const loaded = require(mod) as Record<string, unknown>;
				for (const key of ['request', 'get', 'connect', 'createConnection', 'lookup', 'resolve']) if (typeof loaded[key] === 'function') replace(loaded, key, `${mod}.${key}`);
			}
			replace(globalThis as unknown as Record<string, unknown>, 'fetch', 'fetch');
			try {
				// A fresh copy of the library and our module, loaded while the traps are set.
				const fresh = require('../../../lib/spend/pricing') as typeof import('../../../lib/spend/pricing');
				for (const model of ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet-latest', 'gemini-1.5-pro', 'o1', 'no-such-model']) {
					try {
						fresh.priceTokens({ model, inputTokens: 1000, outputTokens: 1000 });
					} catch (error) {
						if (!(error instanceof Error) || error.name !== 'PriceUnknownError') throw error;
					}
				}
			} finally {
				for (const undo of restore) undo();
			}
		});
		expect(calls).toEqual([]);
	});

	test('the library code has no network calls, and we import only its synchronous lookup', () => {
		const entry = require.resolve('@pydantic/genai-prices');
		expect(entry).toMatch(/index\.cjs$/);
		const library = readFileSync(entry, 'utf8');
		for (const marker of ['fetch(', 'require(', 'import(', 'XMLHttpRequest', 'WebSocket', 'setInterval', 'setTimeout']) expect(library.includes(marker)).toBe(false);
		// No file of the spend core may start the library's remote refresh (updatePrices) or wait for one.
		const dir = join(__dirname, '../../../lib/spend');
		for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
			const code = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
			expect({ file, refresh: /\b(updatePrices|waitForUpdate)\b/.test(code) }).toEqual({ file, refresh: false });
			for (const [, names] of code.matchAll(/import \{([^}]*)\} from '@pydantic\/genai-prices'/g)) expect(names.trim()).toBe('calcPrice');
		}
	});
});
