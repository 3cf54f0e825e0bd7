// Only the synchronous lookup is imported. updatePrices / waitForUpdate (the library's opt-in
// remote refresh) are never called, so the bundled table is the one used and nothing is fetched.
import { calcPrice } from '@pydantic/genai-prices';
import { MICRO_PER_USD, toMicro } from './amounts';
import { PriceUnknownError, SpendInputError } from './errors';

/** Token usage of one model call. `inputTokens` is the whole prompt, cached parts included. */
export interface TokenUsage {
	model: string;
	/** genai-prices provider id (openai, anthropic, google, …); narrows the lookup when given. */
	provider?: string;
	inputTokens: number;
	outputTokens: number;
	/** Part of `inputTokens` read from the provider's prompt cache (cheaper where the table says so). */
	cachedInputTokens?: number;
	/** Part of `inputTokens` written to the prompt cache (dearer where the table says so). */
	cacheWriteInputTokens?: number;
	/** When the call was made (epoch ms): prices that changed on a date are looked up for that date. Default now. */
	at?: number;
}

/** A price set by the builder, in USD per million tokens (the way providers publish them). */
export interface PerMillionPrice {
	inputPerMillion: number;
	outputPerMillion: number;
}

export type PriceSource = 'override' | 'genai-prices' | 'fallback';

export interface TokenPrice {
	/** Cost in micro-dollars, rounded up. */
	micro: number;
	source: PriceSource;
	/** The override name, or the model id the price table matched (e.g. claude-3-5-sonnet for claude-3-5-sonnet-20241022). */
	model: string;
	/** The price table's provider id, when it priced the call. */
	provider?: string;
}

const MAX_MODEL_LENGTH = 200;
const MILLION = 1_000_000n;
/**
 * The table's prices are floats, so 2500 micro-dollars can come back as 2500.0000000000005.
 * Within this distance of a whole micro-dollar the float is read as that whole amount;
 * otherwise it is rounded up. The most this can under-charge is a millionth of a micro-dollar.
 */
const FLOAT_NOISE_MICRO = 1e-6;

function tokenCount(value: unknown, field: string): number {
	return toMicro('tokens', value, field);
}

/** A per-million price in micro-dollars per million tokens, read as a decimal (no float error). */
function perMillionMicro(price: unknown, where: string): { input: bigint; output: bigint } {
	if (!price || typeof price !== 'object' || Array.isArray(price)) {
		throw new SpendInputError(where, `${where}: must be an object with inputPerMillion and outputPerMillion in USD per million tokens, e.g. {"inputPerMillion": 2.5, "outputPerMillion": 10}`);
	}
	const { inputPerMillion, outputPerMillion } = price as Record<string, unknown>;
	return {
		input: BigInt(toMicro('usd', inputPerMillion, `${where}.inputPerMillion`)),
		output: BigInt(toMicro('usd', outputPerMillion, `${where}.outputPerMillion`)),
	};
}

/** tokens × (USD per million) = micro-dollars × tokens / 1e6, rounded up so a call is never under-charged. */
function costAt(price: { input: bigint; output: bigint }, inputTokens: number, outputTokens: number): number {
	const scaled = BigInt(inputTokens) * price.input + BigInt(outputTokens) * price.output;
	const micro = (scaled + MILLION - 1n) / MILLION;
	if (micro > BigInt(Number.MAX_SAFE_INTEGER)) throw new SpendInputError('usage', 'The cost of this usage is too large to count; check the token counts');
	return Number(micro);
}

function findOverride(overrides: Record<string, PerMillionPrice>, model: string): [string, PerMillionPrice] | undefined {
	if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) {
		throw new SpendInputError('overrides', 'Price overrides must be an object of model name → {"inputPerMillion", "outputPerMillion"}');
	}
	const wanted = model.toLowerCase();
	let found: [string, PerMillionPrice] | undefined;
	for (const [name, price] of Object.entries(overrides)) {
		if (name.trim().toLowerCase() !== wanted) continue;
		// Two rows for one model with different letter case would make the price depend on row order.
		if (found) throw new SpendInputError(`overrides["${name}"]`, `Price overrides "${found[0]}" and "${name}" name the same model; keep one`);
		found = [name, price];
	}
	return found;
}

/** The table's price in micro-dollars, or undefined when it does not know the model (or cannot price it). */
function tablePrice(usage: Required<Omit<TokenUsage, 'provider'>> & { provider?: string }): { micro: number; model: string; provider: string } | undefined {
	let result: ReturnType<typeof calcPrice>;
	try {
		result = calcPrice(
			{
				input_tokens: usage.inputTokens,
				output_tokens: usage.outputTokens,
				cache_read_tokens: usage.cachedInputTokens,
				cache_write_tokens: usage.cacheWriteInputTokens,
			},
			usage.model,
			{ providerId: usage.provider, timestamp: new Date(usage.at) },
		);
	} catch {
		// A table entry the library cannot evaluate is an unknown price, not a zero one.
		return undefined;
	}
	if (!result || !Number.isFinite(result.total_price) || result.total_price < 0) return undefined;
	const exact = result.total_price * MICRO_PER_USD;
	const nearest = Math.round(exact);
	const micro = Math.abs(exact - nearest) <= FLOAT_NOISE_MICRO ? nearest : Math.ceil(exact);
	if (!Number.isSafeInteger(micro)) throw new SpendInputError('usage', 'The cost of this usage is too large to count; check the token counts');
	return { micro, model: result.model.id, provider: result.provider.id };
}

/**
 * The cost of a model call in micro-dollars. A builder's override for the exact model name
 * (any letter case) wins; else the bundled genai-prices table; else the fallback price when
 * one is given. With none, PriceUnknownError: a cap must never count an unpriced call as free.
 * Overrides and the fallback have no cache rates, so cached tokens are charged as input.
 */
export function priceTokens(usage: TokenUsage, overrides?: Record<string, PerMillionPrice>, fallback?: PerMillionPrice): TokenPrice {
	if (!usage || typeof usage !== 'object') throw new SpendInputError('usage', 'Usage must be an object with model, inputTokens and outputTokens');
	const model = typeof usage.model === 'string' ? usage.model.trim() : '';
	if (model === '') throw new SpendInputError('model', 'The model name is required to price tokens, e.g. gpt-4o; set it in the node or pass it on the item');
	if (model.length > MAX_MODEL_LENGTH) throw new SpendInputError('model', `The model name is ${model.length} characters long; at most ${MAX_MODEL_LENGTH} are allowed`);
	const provider = usage.provider === undefined || usage.provider === null || String(usage.provider).trim() === '' ? undefined : String(usage.provider).trim();
	const inputTokens = tokenCount(usage.inputTokens, 'inputTokens');
	const outputTokens = tokenCount(usage.outputTokens, 'outputTokens');
	const cachedInputTokens = usage.cachedInputTokens === undefined ? 0 : tokenCount(usage.cachedInputTokens, 'cachedInputTokens');
	const cacheWriteInputTokens = usage.cacheWriteInputTokens === undefined ? 0 : tokenCount(usage.cacheWriteInputTokens, 'cacheWriteInputTokens');
	if (cachedInputTokens + cacheWriteInputTokens > inputTokens) {
		throw new SpendInputError('cachedInputTokens', `Cached input tokens (${cachedInputTokens + cacheWriteInputTokens}) cannot exceed input tokens (${inputTokens}): inputTokens counts the whole prompt, cached parts included`);
	}
	const at = usage.at === undefined ? Date.now() : usage.at;
	if (typeof at !== 'number' || !Number.isFinite(at)) throw new SpendInputError('at', `The call time must be epoch milliseconds, got ${String(at)}`);

	const override = overrides === undefined ? undefined : findOverride(overrides, model);
	if (override) {
		return { micro: costAt(perMillionMicro(override[1], `overrides["${override[0]}"]`), inputTokens, outputTokens), source: 'override', model: override[0] };
	}
	const table = tablePrice({ model, provider, inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens, at });
	if (table) return { micro: table.micro, source: 'genai-prices', model: table.model, provider: table.provider };
	if (fallback !== undefined && fallback !== null) {
		return { micro: costAt(perMillionMicro(fallback, 'fallback'), inputTokens, outputTokens), source: 'fallback', model };
	}
	const where = provider ? ` from provider "${provider}"` : '';
	throw new PriceUnknownError(
		model,
		`No price is known for model "${model}"${where}: add a price override for "${model}" in the Spend Cap node (USD per million input and output tokens), or set a fallback price`,
	);
}
