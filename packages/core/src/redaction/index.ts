/** Redaction of addresses, subscriber numbers, credentials and tenant ids; see docs/security/redaction_policy.md. */
export {
  createRedactor,
  isCredentialKey,
  type JsonValue,
  REDACTION_KINDS,
  type RedactionKind,
  type Redactor,
  type RedactorOptions,
  redact,
  SECRET_TOKEN,
} from "./redactor.ts";
