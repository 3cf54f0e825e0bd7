/** Character folding shared by the normaliser and the (static) rule word lists. */

/** Strip Latin combining diacritics (U+0300–U+036F) after compatibility decomposition, lower-case. */
export function foldString(s: string): string {
	return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').normalize('NFC').toLowerCase();
}

/** Compile a constant rule pattern (never user input) after folding its literal letters like the text. */
export function rx(source: string, flags = 'g'): RegExp {
	// Only letters are folded; escapes like \s, \b and \n are lower-case already in our sources.
	return new RegExp(source.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').normalize('NFC'), flags);
}
