import { toMicro } from './amounts';
import { SpendInputError } from './errors';

/** Token counts found on an item. `inputTokens` is the whole prompt, cached parts included. */
export interface FoundUsage {
	inputTokens: number;
	outputTokens: number;
	/** Part of inputTokens read from the prompt cache, when the provider reports it. */
	cachedInputTokens?: number;
	/** Part of inputTokens written to the prompt cache (Anthropic), when reported. */
	cacheWriteInputTokens?: number;
	model?: string;
	/** Where the counts were found, e.g. `usage` or `response[0].tokenUsage`. */
	path: string;
	/** n8n's tokenUsageEstimate: counted by n8n, not reported by the provider. */
	estimated?: boolean;
}

/** How far and how much of an item is searched: items can be large, and a search must stay cheap. */
export const USAGE_SEARCH_MAX_DEPTH = 6;
export const USAGE_SEARCH_MAX_NODES = 10_000;
const MAX_MODEL_LENGTH = 200;

/**
 * The shapes of usage objects, by the key that holds them. Several share a key (`usage` is
 * OpenAI chat with prompt_tokens, and Anthropic or OpenAI Responses with input_tokens), so the
 * count fields decide. Earlier shapes win on the same object: n8n's measured tokenUsage before
 * its estimate.
 */
interface UsageShape {
	container: string;
	input: string;
	output: string;
	estimated?: boolean;
}
const SHAPES: readonly UsageShape[] = [
	{ container: 'usage', input: 'prompt_tokens', output: 'completion_tokens' },
	{ container: 'usage', input: 'input_tokens', output: 'output_tokens' },
	{ container: 'tokenUsage', input: 'promptTokens', output: 'completionTokens' },
	{ container: 'usage_metadata', input: 'input_tokens', output: 'output_tokens' },
	{ container: 'tokenUsageEstimate', input: 'promptTokens', output: 'completionTokens', estimated: true },
];

type JsonObject = Record<string, unknown>;

interface Visit {
	value: unknown;
	path: string;
	depth: number;
	parent?: Visit;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const present = (value: unknown): boolean => value !== undefined && value !== null;
const childPath = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`);

function count(container: JsonObject, key: string, path: string): number {
	const value = container[key];
	if (!present(value)) return 0;
	const field = childPath(path, key);
	if (typeof value !== 'number' && typeof value !== 'string') {
		throw new SpendInputError(field, `${field}: a token count must be a whole number ≥ 0, got ${Array.isArray(value) ? 'a list' : typeof value}`);
	}
	return toMicro('tokens', value, field);
}

function nested(container: JsonObject, outer: string, inner: string, path: string): number {
	const holder = container[outer];
	return isObject(holder) ? count(holder, inner, childPath(path, outer)) : 0;
}

function safeSum(a: number, b: number, field: string): number {
	const sum = a + b;
	if (!Number.isSafeInteger(sum)) throw new SpendInputError(field, `${field}: token counts add up to more than can be counted exactly`);
	return sum;
}

/** Reads one usage object in the given shape, or undefined when it does not have that shape. */
function readShape(container: JsonObject, shape: UsageShape, path: string): Omit<FoundUsage, 'path' | 'model'> | undefined {
	if (!present(container[shape.input]) && !present(container[shape.output])) return undefined;
	let inputTokens = count(container, shape.input, path);
	const outputTokens = count(container, shape.output, path);
	const found: Omit<FoundUsage, 'path' | 'model'> = { inputTokens, outputTokens };
	if (shape.container === 'usage' && shape.input === 'input_tokens') {
		// Anthropic reports cache reads and writes beside input_tokens, not inside it; add them so the
		// whole prompt is charged. OpenAI Responses reports cached tokens inside input_tokens.
		const cacheRead = count(container, 'cache_read_input_tokens', path);
		const cacheWrite = count(container, 'cache_creation_input_tokens', path);
		inputTokens = safeSum(safeSum(inputTokens, cacheRead, path), cacheWrite, path);
		const cachedInside = nested(container, 'input_tokens_details', 'cached_tokens', path);
		if (cacheRead + cachedInside > 0) found.cachedInputTokens = Math.min(cacheRead + cachedInside, inputTokens);
		if (cacheWrite > 0) found.cacheWriteInputTokens = cacheWrite;
		found.inputTokens = inputTokens;
	} else if (shape.container === 'usage') {
		const cached = nested(container, 'prompt_tokens_details', 'cached_tokens', path);
		if (cached > 0) found.cachedInputTokens = Math.min(cached, inputTokens);
	} else if (shape.container === 'usage_metadata') {
		const cached = nested(container, 'input_token_details', 'cache_read', path);
		if (cached > 0) found.cachedInputTokens = Math.min(cached, inputTokens);
	}
	if (shape.estimated) found.estimated = true;
	return found;
}

function modelName(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const name = value.trim();
	return name !== '' && name.length <= MAX_MODEL_LENGTH ? name : undefined;
}

/** The model named on the object holding the usage, or else on the nearest ancestor that names one. */
function modelFrom(visit: Visit | undefined): string | undefined {
	for (let at = visit; at; at = at.parent) {
		if (!isObject(at.value)) continue;
		const node = at.value;
		const metadata = node.response_metadata;
		const name = modelName(node.model) ?? modelName(node.model_name) ?? modelName(node.modelName) ?? (isObject(metadata) ? modelName(metadata.model_name) : undefined);
		if (name) return name;
	}
	return undefined;
}

/**
 * Finds the token usage an LLM call left on an n8n item: OpenAI `usage.prompt_tokens`,
 * Anthropic `usage.input_tokens`, n8n's `tokenUsage` / `tokenUsageEstimate`, LangChain
 * `usage_metadata`; at the top or nested. The search is breadth-first (the shallowest match
 * wins), at most USAGE_SEARCH_MAX_DEPTH levels deep and USAGE_SEARCH_MAX_NODES values, so a
 * huge or hostile item costs a bounded amount. Counts that are not whole numbers ≥ 0 are an
 * error naming their path, never a silent 0.
 */
export function extractUsage(json: unknown): FoundUsage | undefined {
	const queue: Visit[] = [{ value: json, path: '', depth: 0 }];
	let budget = USAGE_SEARCH_MAX_NODES - 1;
	for (let head = 0; head < queue.length; head++) {
		const visit = queue[head];
		const { value, path, depth } = visit;
		if (isObject(value)) {
			for (const shape of SHAPES) {
				const container = value[shape.container];
				if (!isObject(container)) continue;
				const containerPath = childPath(path, shape.container);
				const found = readShape(container, shape, containerPath);
				if (found) {
					const model = modelFrom(visit);
					return { ...found, ...(model ? { model } : {}), path: containerPath };
				}
			}
		}
		if (depth >= USAGE_SEARCH_MAX_DEPTH || budget <= 0) continue;
		if (Array.isArray(value)) {
			for (let i = 0; i < value.length && budget > 0; i++, budget--) {
				if (typeof value[i] === 'object' && value[i] !== null) queue.push({ value: value[i], path: childPath(path, i), depth: depth + 1, parent: visit });
			}
		} else if (isObject(value)) {
			for (const key of Object.keys(value)) {
				if (budget <= 0) break;
				budget--;
				const child = value[key];
				if (typeof child === 'object' && child !== null) queue.push({ value: child, path: childPath(path, key), depth: depth + 1, parent: visit });
			}
		}
	}
	return undefined;
}
