/** All rule families, cheapest and most specific first. */
import { addressesAiRules } from './addressesAi';
import { answerDirectiveRules } from './answerDirective';
import { constraintRemovalRules } from './constraintRemoval';
import { contextOverrideRules } from './contextOverride';
import { dialoguePrimingRules } from './dialoguePriming';
import { embeddedInstructionRules } from './embeddedInstruction';
import { exfiltrationRules } from './exfiltration';
import { fakeBoundaryRules } from './fakeBoundary';
import { instructionOverrideRules } from './instructionOverride';
import { massActionRules } from './massAction';
import { obfuscationRequestRules } from './obfuscationRequest';
import { personaRules } from './persona';
import { persuasionRules } from './persuasion';
import { pigLatinRules } from './pigLatin';
import { privilegedSectionRules } from './privilegedSection';
import { promptExtractionRules } from './promptExtraction';
import { responseManipulationRules } from './responseManipulation';
import { rolePlayRules } from './rolePlay';
import type { Rule } from './rule';
import { sensitiveRequestRules } from './sensitiveRequest';
import { statementInjectionRules } from './statementInjection';
import { taskHandoffRules } from './taskHandoff';
import { templateTokenRules } from './templateTokens';
import { toolCallRules } from './toolCall';

export type { Rule } from './rule';

export const ALL_RULES: Rule[] = [
	...templateTokenRules,
	...instructionOverrideRules,
	...promptExtractionRules,
	...privilegedSectionRules,
	...contextOverrideRules,
	...personaRules,
	...rolePlayRules,
	...constraintRemovalRules,
	...taskHandoffRules,
	...addressesAiRules,
	...responseManipulationRules,
	...answerDirectiveRules,
	...statementInjectionRules,
	...fakeBoundaryRules,
	...toolCallRules,
	...exfiltrationRules,
	...sensitiveRequestRules,
	...persuasionRules,
	...massActionRules,
	...obfuscationRequestRules,
	...pigLatinRules,
	...dialoguePrimingRules,
	...embeddedInstructionRules,
];

/** Families worth trying on a whole-text ROT13 view (high precision only). */
export const ROT13_RULES: Rule[] = ALL_RULES.filter((r) => r.weight >= 0.75 && r.re !== undefined && r.original !== true);
