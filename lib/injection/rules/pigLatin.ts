/**
 * Text written in Pig Latin ("ellohay orldway"): a word game used to slip a request past
 * keyword filters. A run of consecutive words that all end in "-ay" (with a moved consonant
 * cluster or the "-way/-yay" vowel form) does not occur in ordinary prose. Linear scanner.
 */
import type { Rule } from './rule';

/** Consecutive Pig Latin words needed. */
const MIN_RUN = 4;

function isLetter(c: number): boolean {
	return c >= 0x61 && c <= 0x7a;
}

/** A word (lower-case letters, [s, e)) that has the shape of Pig Latin. */
function pigWord(text: string, s: number, e: number): boolean {
	const len = e - s;
	if (len < 4 || text.charCodeAt(e - 1) !== 0x79 || text.charCodeAt(e - 2) !== 0x61) return false;
	// The letter before "ay" is the moved consonant (or the w/y of the vowel form).
	const c = text.charCodeAt(e - 3);
	return c !== 0x61 && c !== 0x65 && c !== 0x69 && c !== 0x6f && c !== 0x75;
}

/** Whether a character between two words ends a run: a digit or another script. Punctuation and spaces do not. */
function breaksRun(c: number): boolean {
	return (c >= 0x30 && c <= 0x39) || c >= 0x80;
}

/**
 * The first run of `MIN_RUN` consecutive Pig Latin words (words: maximal runs of a-z). Every run
 * ends on a word ending in "ay", so only those are visited (with `indexOf`, in text order), each
 * checked together with the words before it: ordinary text, where such words are few and far
 * apart, costs a few probes instead of a walk over every character.
 */
function findPigLatin(text: string): Array<[number, number]> {
	for (let k = text.indexOf('ay'); k >= 0; k = text.indexOf('ay', k + 2)) {
		const end = k + 2;
		if (isLetter(text.charCodeAt(end))) continue;
		let e = end;
		let s = e;
		let words = 0;
		for (;;) {
			while (s > 0 && isLetter(text.charCodeAt(s - 1))) s--;
			if (!pigWord(text, s, e)) break;
			if (++words >= MIN_RUN) return [[s, end]];
			// The previous word, unless something between breaks the run (or there is none).
			let j = s;
			while (j > 0 && !isLetter(text.charCodeAt(j - 1)) && !breaksRun(text.charCodeAt(j - 1))) j--;
			if (j === 0 || !isLetter(text.charCodeAt(j - 1))) break;
			e = j;
			s = j;
		}
	}
	return [];
}

export const pigLatinRules: Rule[] = [{ id: 'pig_latin_run', category: 'encoded_instruction', weight: 0.5, find: findPigLatin }];
