/** Public and internal types of the prompt-injection scanner. */

export type Sensitivity = 'low' | 'medium' | 'high';

export interface Finding {
	category: string;
	rule: string;
	/** Weight of this piece of evidence after boosts, 0..1. */
	score: number;
	/** Span in the ORIGINAL text (approximate when the match came from a folded or decoded view). */
	start: number;
	end: number;
	/** At most 120 characters of the original text around the match. */
	snippet: string;
	/** Decoded payload (for smuggled/encoded text), at most 200 characters. */
	decoded?: string;
	/** The match was inside content a human reader would not see (hidden HTML, invisible characters). */
	hidden?: boolean;
}

export interface ScanResult {
	score: number;
	flagged: boolean;
	categories: string[];
	findings: Finding[];
	normalized?: string;
}

export interface ScanOptions {
	sensitivity?: Sensitivity;
	/** Return the normalised matching text in the result (debugging). */
	includeNormalized?: boolean;
}

/** A match of one rule on some view of the text, before it is turned into a Finding. */
export interface RuleHit {
	category: string;
	rule: string;
	weight: number;
	/** Offsets in the view the rule ran on. */
	start: number;
	end: number;
}

/** A text view with a map back to offsets in its source (null = identity). */
export interface View {
	text: string;
	map: Int32Array | null;
}
