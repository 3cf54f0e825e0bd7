/**
 * Bad input to the spend core: an amount, a cap row, a time zone or a usage count.
 * `field` names the parameter or path that was wrong so a node can turn it into a
 * NodeOperationError that points at the item and the parameter.
 */
export class SpendInputError extends Error {
	readonly code = 'invalid_amount' as const;
	readonly field: string;
	constructor(field: string, message: string) {
		super(message);
		this.name = 'SpendInputError';
		this.field = field;
	}
}

/**
 * No price is known for a model. Thrown rather than charging 0, because a cap that silently
 * counts nothing is a cap that never fires.
 */
export class PriceUnknownError extends Error {
	readonly code = 'unknown_price' as const;
	readonly model: string;
	constructor(model: string, message: string) {
		super(message);
		this.name = 'PriceUnknownError';
		this.model = model;
	}
}
