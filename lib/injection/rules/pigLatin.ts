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

/** Whether the text has at least `MIN_RUN` words ending in "ay" (an "ay" not followed by a letter): needed for a run. */
function enoughAyEndings(text: string): boolean {
	let count = 0;
	for (let k = text.indexOf('ay'); k >= 0; k = text.indexOf('ay', k + 2)) {
		if (!isLetter(text.charCodeAt(k + 2)) && ++count >= MIN_RUN) return true;
	}
	return false;
}

function findPigLatin(text: string): Array<[number, number]> {
	if (!enoughAyEndings(text)) return [];
	const n = text.length;
	let run = 0;
	let runStart = 0;
	let i = 0;
	while (i < n) {
		const c = text.charCodeAt(i);
		if (!isLetter(c)) {
			// Digits or other scripts inside a word end the run; punctuation and spaces do not.
			if ((c >= 0x30 && c <= 0x39) || c >= 0x80) run = 0;
			i++;
			continue;
		}
		const s = i;
		while (i < n && isLetter(text.charCodeAt(i))) i++;
		if (pigWord(text, s, i)) {
			if (run === 0) runStart = s;
			if (++run >= MIN_RUN) return [[runStart, i]];
		} else run = 0;
	}
	return [];
}

export const pigLatinRules: Rule[] = [{ id: 'pig_latin_run', category: 'encoded_instruction', weight: 0.5, find: findPigLatin }];
