/**
 * Coalesces correlation requests per tenant ("group commit"): while one pass runs, every request that
 * arrives joins a single follow-up pass, so N concurrent deliveries cost two passes instead of N. A request
 * resolves only after a pass that started after it was made, so its alerts are correlated on return.
 */
export class CorrelationScheduler<Outcome> {
  private readonly tenants = new Map<string, { running: Promise<Outcome> | null; next: Promise<Outcome> | null }>();

  constructor(private readonly runPass: (tenantId: string) => Promise<Outcome>) {}

  request(tenantId: string): Promise<Outcome> {
    let state = this.tenants.get(tenantId);
    if (!state) {
      state = { running: null, next: null };
      this.tenants.set(tenantId, state);
    }
    if (!state.running) return this.start(tenantId, state);
    if (state.next) return state.next;
    const tenantState = state;
    // Chain after the running pass whatever its outcome; its own callers see its error.
    const next = state.running.then(
      () => this.promoteNext(tenantId, tenantState),
      () => this.promoteNext(tenantId, tenantState),
    );
    state.next = next;
    return next;
  }

  private promoteNext(tenantId: string, state: { running: Promise<Outcome> | null; next: Promise<Outcome> | null }) {
    state.next = null;
    return this.start(tenantId, state);
  }

  private start(tenantId: string, state: { running: Promise<Outcome> | null; next: Promise<Outcome> | null }) {
    const pass = this.runPass(tenantId).finally(() => {
      if (state.running === pass) state.running = null;
      if (!state.running && !state.next) this.tenants.delete(tenantId);
    });
    state.running = pass;
    return pass;
  }
}
