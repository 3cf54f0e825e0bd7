/**
 * The one error the approval core throws for bad input. `field` names what was wrong so a
 * node can turn it into a NodeOperationError that points at the item and the parameter.
 */
export class ApprovalInputError extends Error {
	readonly field: string;
	constructor(field: string, message: string) {
		super(message);
		this.name = 'ApprovalInputError';
		this.field = field;
	}
}

/** True for `{ ... }` values, false for null, arrays and scalars. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
