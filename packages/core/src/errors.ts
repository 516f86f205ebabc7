/** Typed domain errors; the API and HTTP adapters map them to status codes in one place each. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {}
export class ConflictError extends DomainError {}
/** The request is fine but the server is not set up for it (e.g. an engine that is not configured). */
export class PreconditionError extends DomainError {}
/** A service TeleOps depends on (e.g. an LLM endpoint) failed or timed out. */
export class UpstreamError extends DomainError {}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}
