import { SpendInputError, USAGE_SEARCH_MAX_DEPTH, extractUsage } from '../../../lib/spend';

describe('extractUsage', () => {
	test('an OpenAI chat completion at the top level, model beside it', () => {
		const completion = { id: 'chatcmpl-1', model: 'gpt-4o-2024-08-06', choices: [], usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 } } };
		expect(extractUsage(completion)).toEqual({ inputTokens: 120, outputTokens: 30, cachedInputTokens: 100, model: 'gpt-4o-2024-08-06', path: 'usage' });
	});

	test('an Anthropic message: cache reads and writes are added to the prompt', () => {
		const message = { model: 'claude-3-5-sonnet-20241022', usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 200, cache_creation_input_tokens: 40 } };
		expect(extractUsage(message)).toEqual({ inputTokens: 250, outputTokens: 5, cachedInputTokens: 200, cacheWriteInputTokens: 40, model: 'claude-3-5-sonnet-20241022', path: 'usage' });
		expect(extractUsage({ usage: { input_tokens: 7, output_tokens: 3 } })).toEqual({ inputTokens: 7, outputTokens: 3, path: 'usage' });
	});

	test("n8n's tokenUsage and tokenUsageEstimate", () => {
		expect(extractUsage({ tokenUsage: { promptTokens: 50, completionTokens: 20, totalTokens: 70 } })).toEqual({ inputTokens: 50, outputTokens: 20, path: 'tokenUsage' });
		expect(extractUsage({ tokenUsageEstimate: { promptTokens: 51, completionTokens: 21 } })).toEqual({ inputTokens: 51, outputTokens: 21, estimated: true, path: 'tokenUsageEstimate' });
		// Measured counts win over n8n's estimate on the same object.
		expect(extractUsage({ tokenUsageEstimate: { promptTokens: 1, completionTokens: 1 }, tokenUsage: { promptTokens: 2, completionTokens: 2 } })?.inputTokens).toBe(2);
	});

	test('a LangChain message: usage_metadata, model from response_metadata.model_name', () => {
		const message = { kwargs: { content: 'hi', usage_metadata: { input_tokens: 9, output_tokens: 4, input_token_details: { cache_read: 2 } }, response_metadata: { model_name: 'gpt-4o-mini' } } };
		expect(extractUsage(message)).toEqual({ inputTokens: 9, outputTokens: 4, cachedInputTokens: 2, model: 'gpt-4o-mini', path: 'kwargs.usage_metadata' });
	});

	test('nested in arrays, the model found on an ancestor', () => {
		const item = { modelName: 'claude-3-5-haiku', response: { generations: [[{ text: 'x' }], [{ text: 'y', message: { usage: { input_tokens: 3, output_tokens: 1 } } }]] } };
		expect(extractUsage(item)).toEqual({ inputTokens: 3, outputTokens: 1, model: 'claude-3-5-haiku', path: 'response.generations[1][0].message.usage' });
	});

	test('the nearest model name wins: sibling before ancestor, model before model_name', () => {
		expect(extractUsage({ model: 'outer', data: { model_name: 'inner', tokenUsage: { promptTokens: 1, completionTokens: 1 } } })?.model).toBe('inner');
		expect(extractUsage({ model: 'a', model_name: 'b', usage: { prompt_tokens: 1, completion_tokens: 1 } })?.model).toBe('a');
		expect(extractUsage({ model: '', usage: { prompt_tokens: 1, completion_tokens: 1 } })?.model).toBeUndefined();
	});

	test('breadth first: the shallowest usage wins over one listed earlier but deeper', () => {
		const item = { a: { b: { usage: { prompt_tokens: 999, completion_tokens: 999 } } }, z: { usage: { prompt_tokens: 1, completion_tokens: 2 } } };
		expect(extractUsage(item)).toMatchObject({ inputTokens: 1, outputTokens: 2, path: 'z.usage' });
	});

	test('a missing count is 0 when the other is there (embeddings report only prompt tokens)', () => {
		expect(extractUsage({ model: 'text-embedding-3-small', usage: { prompt_tokens: 8, total_tokens: 8 } })).toMatchObject({ inputTokens: 8, outputTokens: 0 });
		expect(extractUsage({ usage: { prompt_tokens: 8, completion_tokens: null } })).toMatchObject({ inputTokens: 8, outputTokens: 0 });
	});

	test('numeric strings are accepted; keys that are not identifiers are quoted in the path', () => {
		expect(extractUsage({ 'llm output': { usage: { prompt_tokens: '12', completion_tokens: '3' } } })).toMatchObject({ inputTokens: 12, outputTokens: 3, path: '["llm output"].usage' });
	});

	test('no usage anywhere, or a usage key with other content, is undefined', () => {
		expect(extractUsage({ output: 'Hello' })).toBeUndefined();
		expect(extractUsage({ usage: 'lots', tokenUsage: {} })).toBeUndefined();
		expect(extractUsage(null)).toBeUndefined();
		expect(extractUsage('text')).toBeUndefined();
		expect(extractUsage([])).toBeUndefined();
	});

	test.each([
		[{ usage: { prompt_tokens: -1, completion_tokens: 2 } }, 'usage.prompt_tokens', /must not be negative/],
		[{ usage: { prompt_tokens: 'many', completion_tokens: 2 } }, 'usage.prompt_tokens', /is not a number/],
		[{ data: [{ tokenUsage: { promptTokens: 1, completionTokens: 1.5 } }] }, 'data[0].tokenUsage.completionTokens', /whole numbers/],
		[{ usage: { input_tokens: 1, output_tokens: { n: 1 } } }, 'usage.output_tokens', /must be a whole number ≥ 0, got object/],
		[{ usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: true } }, 'usage.cache_read_input_tokens', /got boolean/],
	])('bad counts are a SpendInputError naming the path (%#)', (item, field, message) => {
		let error: unknown;
		try {
			extractUsage(item);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(SpendInputError);
		expect(error).toMatchObject({ field });
		expect((error as Error).message).toMatch(message);
	});

	test(`the search stops ${USAGE_SEARCH_MAX_DEPTH} levels down`, () => {
		const nest = (levels: number): Record<string, unknown> => {
			let value: Record<string, unknown> = { usage: { prompt_tokens: 1, completion_tokens: 1 } };
			for (let i = 0; i < levels; i++) value = { next: value };
			return value;
		};
		expect(extractUsage(nest(USAGE_SEARCH_MAX_DEPTH))?.path).toBe(`${'next.'.repeat(USAGE_SEARCH_MAX_DEPTH)}usage`);
		expect(extractUsage(nest(USAGE_SEARCH_MAX_DEPTH + 1))).toBeUndefined();
	});

	test('the search stops after 10,000 values, so a huge item stays cheap', () => {
		const usage = { usage: { prompt_tokens: 1, completion_tokens: 1 } };
		// The 20,000 rows use up the budget before the search reaches tail.deeper.
		expect(extractUsage({ rows: Array.from({ length: 20_000 }, (_, i) => ({ i })), tail: { deeper: usage } })).toBeUndefined();
		// Found when it is queued before the rows are.
		expect(extractUsage({ head: { deeper: usage }, rows: Array.from({ length: 20_000 }, (_, i) => ({ i })) })?.path).toBe('head.deeper.usage');
	});

	test('a cycle does not loop forever', () => {
		const item: Record<string, unknown> = { a: {} };
		(item.a as Record<string, unknown>).back = item;
		expect(extractUsage(item)).toBeUndefined();
	});
});
