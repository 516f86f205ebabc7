/** The LLM RCA engine: OpenAI-compatible endpoint, redacted prompt, validated answer, recorded trace. */
export { ANSWER_JSON_SCHEMA, answerSchema, extractJson, type ParsedAnswer, parseAnswer } from "./answer.ts";
export {
  createLlmEngine,
  DEFAULT_LLM_TIMEOUT_MS,
  LLM_HOW_TO_CONFIGURE,
  type LlmConfig,
  type LlmEngine,
  type LlmEngineDescription,
  type LlmFailure,
  LlmNotConfiguredError,
  type LlmRcaOutcome,
  LlmRunError,
} from "./engine.ts";
export { redactHypothesis, redactTrace } from "./output.ts";
export {
  buildRcaPrompt,
  type LlmRcaInput,
  type LlmRunbookChunk,
  PROMPT_LIMITS,
  type RcaPrompt,
  SYSTEM_PROMPT,
  sampleAlerts,
} from "./prompt.ts";
